// Zero-downtime on a busy machine: every core saturated by stress-ng while deploys rebuild the
// image, swap containers and roll back, under 200 requests/s through the edge on 127.0.0.1. This
// is where the switch used to break (a working backend restarted as "unhealthy" mid-deploy, 502
// bursts); each operation runs three times and every one must lose no request.
// Then a frozen copy behind each proxy: every read still answered.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { readState } from '../../scripts/lib/deploy/state.ts';
import { saturateCpus } from '../harness/busy.ts';
import { startLoad, waitForRequests } from '../harness/load.ts';
import { TestStack, explain } from '../harness/stack.ts';

const stack = new TestStack();
const ROUNDS = 3;

before(async () => {
  await stack.init();
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
});

after(() => stack.destroy());

async function busyUnderLoad(name: string, args: string[]) {
  const busy = await saturateCpus(900);
  try {
    const since = new Date();
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 12, ratePerSecond: 200, maxRequests: 200_000, maxSeconds: 900 });
    await waitForRequests(load, 200, 60);
    const result = await stack.script(name, args, {}, '900s');
    const traffic = await load.stop();
    process.stdout.write(
      `# busy ${name} ${args.join(' ')}: exit ${result.exitCode}, ${traffic.failed} failed of ${traffic.total} requests in ${traffic.seconds.toFixed(1)}s, slowest ${Math.round(traffic.slowestMs)} ms\n`,
    );
    // A failed request or deploy is explained by the containers' timeline and the proxies' own error lines.
    const timeline = traffic.failed || result.exitCode ? await stack.timeline(since, ['edge', 'frontend', 'backend', 'watcher']) : '';
    return { result, traffic, why: `${traffic.failures.join('\n')}\n${timeline}\n--- ${name} output ---\n${result.stdout.slice(-4000)}` };
  } finally {
    await busy.stop();
  }
}

// Each round: deploy-all (every stateless service built and replaced in turn, dependencies first;
// the first round rebuilds every layer with --no-cache), then rollback-all (each back to its
// previous version), both under the same load. Three rounds: every deploy and rollback of every
// stateless service happens three times on a saturated machine.
test(`busy machine: deploy-all (images rebuilt) and rollback-all, ${ROUNDS} rounds, no failed request`, async () => {
  const stateless = ['experience-api', 'backend', 'frontend'];
  for (let round = 1; round <= ROUNDS; round++) {
    const all = await busyUnderLoad('deploy', ['--force', ...(round === 1 ? ['--no-cache'] : [])]);
    assert.equal(all.result.exitCode, 0, `round ${round} deploy-all: ${explain(all.result)}\n${all.why}`);
    assert.equal(all.traffic.failed, 0, `round ${round} deploy-all, ${all.traffic.failed} failed: ${all.why}`);
    const started = all.result.stdout.match(/new container \S+ started/g)?.length ?? 0;
    assert.ok(started >= 3, `a new container for each of ${stateless.join(', ')}:\n${all.result.stdout}`);
    assert.equal(all.result.stdout.match(/switch proven in/g)?.length, started, 'every new container was proven in use before the old one stopped');
    for (const service of stateless) assert.match(readState(stack.project).services[service]?.version ?? '', /^[0-9a-f]{12}/, `${service} deployed`);

    const rollback = await busyUnderLoad('rollback', []);
    assert.equal(rollback.result.exitCode, 0, `round ${round} rollback-all: ${explain(rollback.result)}\n${rollback.why}`);
    assert.equal(rollback.traffic.failed, 0, `round ${round} rollback-all, ${rollback.traffic.failed} failed: ${rollback.why}`);
    for (const service of stateless) assert.equal(readState(stack.project).services[service]?.version, 'latest', `${service} rolled back`);
  }
});

// A frozen container (docker pause: its processes stopped, its kernel still accepting connections,
// as on a lost Swarm node) behind each proxy. Only the proxies' read timeouts for reads tell it from
// a live one (edge 5 s, frontend 3 s: services/edge/snippets/site.conf): every read then moves on to
// the live copy and none fails, within the client's 10 s.
test('with one of two backends and one of two frontends frozen, every read through the edge is answered', async () => {
  // The second backend without the host port the first one holds (as a deploy's first hop runs).
  const portless = path.join(mkdtempSync(path.join(tmpdir(), 'frozen-')), 'portless.yml');
  writeFileSync(portless, 'services:\n  backend:\n    ports: !reset []\n');
  const scale = (n: number) =>
    stack.compose([
      '-f',
      portless,
      'up',
      '--detach',
      '--wait',
      '--no-recreate',
      '--no-deps',
      '--scale',
      `backend=${n}`,
      '--scale',
      `frontend=${n}`,
      'backend',
      'frontend',
    ]);
  const up = await scale(2);
  assert.equal(up.exitCode, 0, explain(up));
  const frozen: string[] = [];
  try {
    for (const service of ['backend', 'frontend']) {
      const ids = (await stack.compose(['ps', '--quiet', service])).stdout.trim().split('\n').filter(Boolean);
      assert.equal(ids.length, 2, `two ${service} containers`);
      await $`docker pause ${ids[1]}`;
      frozen.push(ids[1]);
    }
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 16, ratePerSecond: 40, maxRequests: 120, maxSeconds: 120 });
    await waitForRequests(load, 120, 120);
    const traffic = await load.stop();
    process.stdout.write(`# frozen backend and frontend: ${traffic.failed} failed of ${traffic.total} reads, slowest ${Math.round(traffic.slowestMs)} ms\n`);
    assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
    // Half the reads reach the frozen frontend first: a run that met no frozen container proves nothing.
    assert.ok(traffic.slowestMs >= 3000, `no read waited on a frozen container (slowest ${Math.round(traffic.slowestMs)} ms)`);
  } finally {
    // The watcher may have replaced a frozen one already: its id is then gone.
    for (const id of frozen) await $({ nothrow: true })`docker unpause ${id}`;
    await scale(1);
  }
});
