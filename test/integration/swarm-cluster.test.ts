// Swarm mode on a real 3-node cluster on this machine (make cluster NODES=3: this engine and two
// Docker-in-Docker workers): the stack from the same compose files, backend at 3 replicas spread
// over the nodes, a rolling restart and a deploy under load through the edge, and the loss of a
// worker node, make rebalance, and the auto-scaler moving backend up under load and down after it.
// Opt-in (GALAXY_CLUSTER_TESTS=1): about 15 minutes, and it turns this engine into a swarm manager
// for that time, which no other test may meet. Traffic goes only to 127.0.0.1 published ports.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { startLoad, waitForRequests } from '../harness/load.ts';
import { TestStack, explain } from '../harness/stack.ts';
import { storeClients, taskNodes as tasksOn, until } from '../harness/swarm.ts';

const enabled = process.env.GALAXY_CLUSTER_TESTS === '1';
const stack = new TestStack();
const worker = `${stack.project}-node-3`;

interface Health {
  target: string;
  healthy: boolean;
  services: Array<{ service: string; ok: boolean; replicas: { running: number; desired: number }; nodes: string[] }>;
}

async function health(): Promise<Health> {
  const out = await stack.script('health-check', ['--json']);
  return JSON.parse(out.stdout) as Health;
}

const taskNodes = (service: string) => tasksOn(stack.project, service);
const backendNodes = () => taskNodes('backend');

/** Tasks per node, every node of the cluster counted (0 where none runs). */
async function spread(service: string): Promise<number[]> {
  const nodes = (await $({ quiet: true })`docker node ls --format ${'{{.Hostname}}'}`).stdout.split('\n').filter(Boolean);
  const tasks = await taskNodes(service);
  return nodes.map((n) => tasks.filter((t) => t === n).length).sort();
}

/** The auto-scaler's decisions for a service since a time, from its log lines (JSON, msg "scaled"). */
async function scaleDecisions(service: string, since: Date): Promise<string[]> {
  const out = await $({ quiet: true })`docker service logs --raw --since ${since.toISOString()} ${`${stack.project}_autoscaler`}`;
  return out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; scaled_service?: string; replicas_from?: number; replicas_to?: number; reason?: string })
    .filter((l) => l.msg === 'scaled' && l.scaled_service === service)
    .map((l) => `${l.replicas_from}->${l.replicas_to} (${l.reason})`);
}

async function desiredReplicas(service: string): Promise<{ running: number; desired: number } | undefined> {
  return (await health()).services.find((s) => s.service === service)?.replicas;
}

before(async () => {
  if (!enabled) return;
  // Three frontends: the site's one hop that may run on any node must survive a node's loss too,
  // and with the node back its three tasks sit on two nodes until make rebalance.
  await stack.init({ BACKEND_REPLICAS: '3', FRONTEND_REPLICAS: '3' });
  const cluster = await stack.script('cluster', ['--nodes', '3'], {}, '600s');
  assert.equal(cluster.exitCode, 0, explain(cluster));
  process.stdout.write(`# ${cluster.stdout.trim().split('\n').slice(-5).join('\n# ')}\n`);
  const start = await stack.script('start-all', ['--swarm'], {}, '900s');
  assert.equal(start.exitCode, 0, explain(start));
  process.stdout.write(`# ${start.stdout.trim().split('\n').pop()}\n`);
});

after(async () => {
  if (!enabled) return;
  await $({ nothrow: true, quiet: true })`docker unpause ${worker}`;
  await stack.script('stop-all', [], {}, '300s');
  const down = await stack.script('cluster', ['--down'], {}, '300s');
  process.stdout.write(`# ${down.stdout.trim().split('\n').pop()}\n`);
  await stack.destroy();
});

test('the stack is healthy on 3 nodes, backend with 3 replicas on at least 2 of them', { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' }, async () => {
  const report = await health();
  assert.equal(report.target, 'swarm');
  assert.ok(report.healthy, JSON.stringify(report.services.filter((s) => !s.ok)));
  const backend = report.services.find((s) => s.service === 'backend');
  assert.deepEqual(backend?.replicas, { running: 3, desired: 3 });
  assert.ok(new Set(backend?.nodes).size >= 2, `backend runs on ${backend?.nodes.join(', ')}`);
});

const { psql, redisCli, sqlite } = storeClients(stack.project);

/** What each store holds of the test's marker data. */
async function markers(): Promise<string[]> {
  return [
    await psql('SELECT count(*) FROM swarm_marker'),
    await redisCli('MGET', 'swarm:marker', 'swarm:extra'),
    await sqlite('SELECT count(*) FROM swarm_marker'),
  ];
}

test(
  'make backup and make restore in swarm mode: every store back as it was in the set, on its task on the manager, the replica counts kept',
  { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' },
  async () => {
    await psql('CREATE TABLE IF NOT EXISTS swarm_marker (id int); INSERT INTO swarm_marker SELECT generate_series(1, 3)');
    await redisCli('SET', 'swarm:marker', 'before');
    await sqlite('CREATE TABLE IF NOT EXISTS swarm_marker (id int)');
    await sqlite('INSERT INTO swarm_marker VALUES (1), (2), (3)');
    const saved = await markers();
    const backup = await stack.script('backup', [], {}, '600s');
    assert.equal(backup.exitCode, 0, explain(backup));
    for (const store of ['postgres', 'redis', 'memory-api']) assert.match(backup.stdout, new RegExp(`backup: ${store}: \\w+ snapshot`));
    process.stdout.write(`# ${backup.stdout.trim().split('\n').pop()}\n`);

    await psql('INSERT INTO swarm_marker VALUES (4), (5)');
    await redisCli('MSET', 'swarm:marker', 'after', 'swarm:extra', 'x');
    await sqlite('INSERT INTO swarm_marker VALUES (4), (5)');
    assert.notDeepEqual(await markers(), saved);

    const restore = await stack.script('restore', [], {}, '900s');
    assert.equal(restore.exitCode, 0, explain(restore));
    for (const line of [/^restore: stopping the writers: /m, /^restore: redis: redis data replaced/m, /^restore: memory-api: sqlite data replaced/m])
      assert.match(restore.stdout, line);
    process.stdout.write(`# ${restore.stdout.trim().split('\n').slice(-2).join('\n# ')}\n`);
    assert.deepEqual(await markers(), saved);
    const report = await health();
    assert.ok(report.healthy, JSON.stringify(report.services.filter((s) => !s.ok)));
    assert.deepEqual(report.services.find((s) => s.service === 'backend')?.replicas, { running: 3, desired: 3 });
  },
);

test('make scale: frontend to 2 replicas and back to 3, kept in .env; a store is refused', { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' }, async () => {
  const down = await stack.script('scale', ['frontend', '--replicas', '2'], {}, '400s');
  assert.equal(down.exitCode, 0, explain(down));
  process.stdout.write(`# ${down.stdout.trim().split('\n').pop()}\n`);
  assert.deepEqual((await health()).services.find((s) => s.service === 'frontend')?.replicas, { running: 2, desired: 2 });
  assert.equal(stack.envValue('FRONTEND_REPLICAS'), '2');
  const up = await stack.script('scale', ['frontend', '--replicas', '3'], {}, '400s');
  assert.equal(up.exitCode, 0, explain(up));
  process.stdout.write(`# ${up.stdout.trim().split('\n').pop()}\n`);
  assert.deepEqual((await health()).services.find((s) => s.service === 'frontend')?.replicas, { running: 3, desired: 3 });
  // A service with a volume runs once: refused with one line, exit 2, nothing changed.
  const refused = await stack.script('scale', ['postgres', '--replicas', '2']);
  assert.equal(refused.exitCode, 2, explain(refused));
  assert.match(refused.stderr, /keeps local state/);
});

test('a rolling restart of backend under load through the edge drops no request', { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' }, async () => {
  const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 8, ratePerSecond: 100, maxRequests: 40_000, maxSeconds: 400 });
  await waitForRequests(load, 200, 30);
  const restart = await stack.script('restart-service', ['backend'], {}, '400s');
  // At least 2,000 requests, the issue's bar, however quick the restart was.
  await waitForRequests(load, 2000, 60);
  const traffic = await load.stop();
  process.stdout.write(
    `# rolling restart of backend (3 replicas): exit ${restart.exitCode}, ${traffic.failed} failed of ${traffic.total} in ${traffic.seconds.toFixed(1)}s\n`,
  );
  assert.equal(restart.exitCode, 0, explain(restart));
  assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
  assert.ok((await backendNodes()).length === 3);
});

test(
  'make deploy of backend under load through the edge: every replica on the new image, no request dropped',
  { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' },
  async () => {
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 8, ratePerSecond: 100, maxRequests: 40_000, maxSeconds: 600 });
    await waitForRequests(load, 200, 30);
    // --force: the tree may be the version a previous run deployed; a new image is built either way.
    const deploy = await stack.script('deploy', ['backend', '--force'], {}, '600s');
    await waitForRequests(load, 2000, 60);
    const traffic = await load.stop();
    process.stdout.write(
      `# deploy of backend (3 replicas): exit ${deploy.exitCode}, ${traffic.failed} failed of ${traffic.total} in ${traffic.seconds.toFixed(1)}s, versions ${JSON.stringify(traffic.versions)}\n`,
    );
    assert.equal(deploy.exitCode, 0, explain(deploy));
    assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
    const images = await $({ quiet: true })`docker service inspect ${`${stack.project}_backend`} --format ${'{{.Spec.TaskTemplate.ContainerSpec.Image}}'}`;
    assert.match(images.stdout, /^127\.0\.0\.1:\d+\/galaxy\/backend(:[^@]+)?@sha256:/);
    assert.equal((await backendNodes()).length, 3);
    // The version it runs already, again with --force: the task template is unchanged, so Swarm
    // starts no update of its own; every task is replaced as a restart replaces it.
    const tasks = async () => (await $({ quiet: true })`docker service ps -q --filter desired-state=running ${`${stack.project}_backend`}`).stdout.trim();
    const before = await tasks();
    const again = await stack.script('deploy', ['backend', '--force'], {}, '600s');
    assert.equal(again.exitCode, 0, explain(again));
    const after = (await tasks()).split('\n');
    assert.ok(!after.some((id) => before.includes(id)), `every task replaced: ${before} -> ${after.join(' ')}`);
  },
);

test(
  'a worker node lost (frozen): its tasks move to the others; the node back: 3 replicas again',
  { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' },
  async () => {
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 8, ratePerSecond: 100, maxRequests: 40_000, maxSeconds: 400 });
    await waitForRequests(load, 200, 30);
    // Frozen, as a hung or cut-off machine is: no heartbeat, no answer (a killed one would come back
    // at once by its restart policy, before Swarm declares it down).
    await $({ quiet: true })`docker pause ${worker}`;
    // One backend task per node (host-mode port): 2 nodes left, 2 replicas run until the node is back.
    const moved = await until(
      'backend tasks only on the remaining nodes',
      async () => {
        const nodes = await backendNodes();
        return nodes.length === 2 && !nodes.includes(worker);
      },
      120,
    );
    await waitForRequests(load, load.sent + 500, 30);
    const traffic = await load.stop();
    process.stdout.write(
      `# node ${worker} frozen (docker pause): backend on the other nodes after ${moved.toFixed(1)}s; ${traffic.failed} failed of ${traffic.total} requests in ${traffic.seconds.toFixed(1)}s, slowest ${Math.round(traffic.slowestMs)} ms\n`,
    );
    // The lost node's tasks still accept connections and never answer: reads sent there move on
    // after the proxies' read timeouts (services/edge/snippets/site.conf), so none may fail.
    assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
    // Every other service back to its replicas: the lost node's tasks started again elsewhere.
    const healed = await until(
      'every service but backend with its replicas',
      async () => (await health()).services.filter((s) => s.service !== 'backend').every((s) => s.ok),
      180,
    );
    process.stdout.write(`# every other service had its replicas again ${healed.toFixed(1)}s later\n`);

    await $({ quiet: true })`docker unpause ${worker}`;
    const back = await until('backend at 3 replicas again', async () => (await backendNodes()).length === 3, 180);
    process.stdout.write(`# node ${worker} back: backend at 3 replicas after ${back.toFixed(1)}s\n`);
    const all = await until('every service healthy', async () => (await health()).healthy, 120);
    process.stdout.write(`# every service healthy ${all.toFixed(1)}s after that\n`);

    // Swarm does not move running tasks back: frontend's 3 sit on the 2 nodes that stayed.
    const before = await spread('frontend');
    const rebalance = await stack.script('rebalance', [], {}, '400s');
    assert.equal(rebalance.exitCode, 0, explain(rebalance));
    const after = await spread('frontend');
    process.stdout.write(`# make rebalance: frontend tasks per node ${before.join('+')} -> ${after.join('+')}\n`);
    assert.deepEqual(after, [1, 1, 1]);
  },
);

test(
  'the auto-scaler: backend scaled up under load through the edge, and down after it, within its policy',
  { skip: !enabled && 'GALAXY_CLUSTER_TESTS=1 runs it' },
  async () => {
    // BACKEND_REPLICAS is the policy's floor (galaxy.autoscale.min): 1 leaves it room to move.
    const floor = await stack.script('scale', ['backend', '--replicas', '1'], {}, '400s');
    assert.equal(floor.exitCode, 0, explain(floor));
    const since = new Date();
    // 150 requests a second: above the policy's 40 per replica up to its max of 3.
    const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 8, ratePerSecond: 150, maxRequests: 200_000, maxSeconds: 600 });
    const up = await until(
      'backend scaled to 2 replicas or more, all running',
      async () => {
        const r = await desiredReplicas('backend');
        return r !== undefined && r.desired >= 2 && r.running === r.desired;
      },
      300,
    );
    await waitForRequests(load, load.sent + 2000, 60);
    const traffic = await load.stop();
    process.stdout.write(
      `# auto-scale up: backend at ${(await desiredReplicas('backend'))?.desired} replicas ${up.toFixed(1)}s into the load; ${traffic.failed} failed of ${traffic.total}, slowest ${Math.round(traffic.slowestMs)} ms\n`,
    );
    // A failure is explained by the proxies' own error lines ("backend could not be resolved",
    // "... while reading response header from upstream") and the backend's tasks.
    const why = traffic.failed ? await proxyErrors(since) : '';
    assert.equal(traffic.failed, 0, `${traffic.failures.join('\n')}\n${why}`);
    const down = await until('backend back to 1 replica', async () => (await desiredReplicas('backend'))?.desired === 1, 400);
    const decisions = await scaleDecisions('backend', since);
    process.stdout.write(`# auto-scale down: backend at 1 replica ${down.toFixed(1)}s after the load stopped; decisions: ${decisions.join(', ')}\n`);
    assert.ok(
      decisions.some((d) => d.startsWith('1->2')),
      decisions.join(', '),
    );
    assert.ok(
      decisions.some((d) => d.endsWith('->1') || d.startsWith('2->1')),
      decisions.join(', '),
    );
  },
);

/** The edge's and frontend's error lines since `since`, and the backend's tasks: why a request failed. */
async function proxyErrors(since: Date): Promise<string> {
  const parts: string[] = [];
  for (const service of ['edge', 'frontend']) {
    const out = await $({ nothrow: true, quiet: true })`docker service logs --since ${since.toISOString()} --timestamps ${stack.project}_${service}`;
    // Access lines are JSON; nginx's error log lines are its own text format.
    const errors = `${out.stdout}${out.stderr}`.split('\n').filter((line) => line.includes(' [error] ') || line.includes(' [warn] '));
    parts.push(`--- ${service}: ${errors.length} error lines, the last 20 ---`, ...errors.slice(-20));
  }
  const tasks = await $({ nothrow: true, quiet: true })`docker service ps --no-trunc ${stack.project}_backend`;
  return [...parts, '--- backend tasks ---', tasks.stdout].join('\n');
}
