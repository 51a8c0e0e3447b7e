// Zero-downtime on a busy machine: every core saturated by stress-ng while deploys rebuild the
// image, swap containers and roll back, under 200 requests/s through the edge on 127.0.0.1. This
// is where the switch used to break (a working backend restarted as "unhealthy" mid-deploy, 502
// bursts); each operation runs three times and every one must lose no request.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDir } from '../../scripts/lib/paths.ts';
import { readState } from '../../scripts/lib/deploy/state.ts';
import { saturateCpus } from './helpers/busy.ts';
import { startLoad, waitForRequests } from './helpers/load.ts';
import { TestStack, explain } from './helpers/stack.ts';

const stack = new TestStack();
const ROUNDS = 3;

before(async () => {
  await stack.init();
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
});

after(async () => {
  await stack.destroy();
  for (const file of [`deploy-state-${stack.project}.json`, `deploy-history-${stack.project}.jsonl`, `deploy-${stack.project}-backend-portless.yml`]) {
    const full = path.join(runDir, file);
    if (existsSync(full)) rmSync(full);
  }
});

async function busyUnderLoad(name: string, args: string[]) {
  const busy = await saturateCpus(900);
  try {
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 12, ratePerSecond: 200, maxRequests: 200_000, maxSeconds: 900 });
    await waitForRequests(load, 200, 60);
    const result = await stack.script(name, args, {}, '900s');
    const traffic = await load.stop();
    process.stdout.write(`# busy ${name} ${args.join(' ')}: exit ${result.exitCode}, ${traffic.failed} failed of ${traffic.total} requests in ${traffic.seconds.toFixed(1)}s\n`);
    return { result, traffic };
  } finally {
    await busy.stop();
  }
}

test(`busy machine: deploy (image rebuilt), rollback and deploy-all, ${ROUNDS} times each, no failed request`, async () => {
  for (let round = 1; round <= ROUNDS; round++) {
    const deploy = await busyUnderLoad('deploy', ['backend', '--force', '--no-cache']);
    assert.equal(deploy.result.exitCode, 0, `${explain(deploy.result)}\n${deploy.traffic.failures.join('\n')}`);
    assert.match(deploy.result.stdout, /switch proven in/);
    assert.equal(deploy.traffic.failed, 0, `round ${round} deploy backend:\n${deploy.traffic.failures.join('\n')}`);

    const rollback = await busyUnderLoad('rollback', ['backend']);
    assert.equal(rollback.result.exitCode, 0, `${explain(rollback.result)}\n${rollback.traffic.failures.join('\n')}`);
    assert.equal(rollback.traffic.failed, 0, `round ${round} rollback backend:\n${rollback.traffic.failures.join('\n')}`);
    assert.equal(readState(stack.project).services.backend?.version, 'latest');

    const all = await busyUnderLoad('deploy', ['--force']);
    assert.equal(all.result.exitCode, 0, `${explain(all.result)}\n${all.traffic.failures.join('\n')}`);
    assert.equal(all.traffic.failed, 0, `round ${round} deploy-all:\n${all.traffic.failures.join('\n')}`);
    for (const service of ['experience-api', 'backend', 'frontend']) assert.match(readState(stack.project).services[service]?.version ?? '', /^[0-9a-f]{12}/, `${service} deployed`);
  }
});
