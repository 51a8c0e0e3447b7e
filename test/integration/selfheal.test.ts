// Self-healing on a throwaway stack: a backend killed with SIGKILL comes back through Docker's
// restart policy, every service the watcher guards is restarted by it when hung (SIGSTOP from the
// host), and one an operator stopped stays stopped. Nobody acts between the fault and the check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import {
  ensureWatcher,
  guardedServices,
  metricValue,
  removeTestWatcher,
  serviceContainer,
  signalAll,
  waitAllHealthy,
  waitRecovered,
  watcherMetrics,
} from '../harness/selfheal.ts';
import { TestStack, explain } from '../harness/stack.ts';

const stack = new TestStack();
let metricsUrl = '';

before(async () => {
  await stack.init();
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
  metricsUrl = await ensureWatcher(stack);
});

after(async () => {
  await removeTestWatcher(stack);
  await stack.destroy();
});

test('kill -9 of the backend process: healthy again without anyone acting', async () => {
  const before = await serviceContainer(stack, 'backend');
  assert.ok(before && before.pid > 0, 'backend runs');
  process.kill(before.pid, 'SIGKILL');
  const seconds = await waitRecovered(stack, 'backend', before.startedAt, stack.url('FRONTEND_PORT', '/api/version'), 120);
  const afterKill = await serviceContainer(stack, 'backend');
  assert.equal(afterKill?.id, before.id, 'the same container was restarted by its restart policy');
  assert.ok((afterKill?.restarts ?? 0) > before.restarts, 'Docker counted the restart');
  process.stdout.write(`# backend recovered from kill -9 in ${seconds.toFixed(1)}s\n`);
});

// Every service the watcher guards (galaxy.autoheal=true in the compose files), one after another:
// every process of its container frozen (nginx's workers and PostgreSQL's children would answer on
// if only the main process stopped), then nobody acts until it is healthy again. How long that takes
// is the bench's figure (recovery.hang), not this test's.
test('a hang of every service the watcher guards (SIGSTOP of its processes) is healed by the watcher', async () => {
  const guarded = await guardedServices(stack);
  assert.ok(guarded.includes('backend') && guarded.includes('postgres'), `guarded services from the labels: ${guarded.join(', ')}`);
  for (const service of guarded) {
    // A hung dependency can make a dependent look unhealthy for a while: start each from a healthy stack.
    await waitAllHealthy(stack, guarded, 180);
    const before = await serviceContainer(stack, service);
    assert.ok(before && before.status === 'running' && before.health === 'healthy', `${service} healthy first: ${JSON.stringify(before)}`);
    const restartsBefore = watcherRestarts(await watcherMetrics(stack, metricsUrl), service);
    const frozen = await signalAll(before.id, 'SIGSTOP');
    try {
      const seconds = await waitRecovered(stack, service, before.startedAt, undefined, 240);
      process.stdout.write(`# ${service} recovered from a hang in ${seconds.toFixed(1)}s (timing: make bench)\n`);
    } finally {
      // If the watcher failed, do not leave stopped processes behind for the next service.
      await signalAll(before.id, 'SIGCONT', frozen);
    }
    const metrics = await watcherMetrics(stack, metricsUrl);
    assert.ok(watcherRestarts(metrics, service) > restartsBefore, `the watcher restarted ${service}`);
    assert.match(metrics, new RegExp(`galaxy_container_health\\{service="${service}",container="[^"]+"\\} 1`));
  }
});

/** The watcher's restarts of a service, whichever way it saw the hang: its own liveness watch
 * (no_answer, the services it can reach) or Docker's unhealthy event (those it cannot). */
function watcherRestarts(metrics: string, service: string): number {
  return ['no_answer', 'unhealthy'].reduce((sum, reason) => sum + metricValue(metrics, 'galaxy_watcher_restarts_total', { service, reason }), 0);
}

test('a backend stopped by an operator stays stopped', async () => {
  const stop = await stack.compose(['stop', 'backend']);
  assert.equal(stop.exitCode, 0, explain(stop));
  // Three sweeps of the watcher (every 5 s) and Docker's restart policy get their chance.
  await new Promise((r) => setTimeout(r, 16_000));
  const c = await serviceContainer(stack, 'backend');
  assert.equal(c?.status, 'exited');
  const metrics = await watcherMetrics(stack, metricsUrl);
  assert.match(metrics, /galaxy_container_running\{service="backend",container="[^"]+"\} 0/);
  const start = await $({ quiet: true, nothrow: true })`docker start ${c?.id ?? ''}`.timeout('60s');
  assert.equal(start.exitCode, 0);
});

// What the watcher's socket proxy lets through, asked from inside the watcher (the one service on
// the proxy's network): only list, inspect, stats and restart of this project's containers; the restart
// itself is proven by the hang test above, which the watcher heals through the proxy.
const ASK_PROXY = `
import http.client, json, sys
def ask(method, path, body=None):
    c = http.client.HTTPConnection("socket-proxy", 2375, timeout=60)
    c.request(method, path, body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    text = r.read().decode(errors="replace")
    c.close()
    return {"status": r.status, "body": text}
own, other = sys.argv[1], sys.argv[2]
listed = ask("GET", "/containers/json?all=1")
print(json.dumps({
    "listedProjects": sorted({c["Labels"].get("com.docker.compose.project", "") for c in json.loads(listed["body"])}),
    "create": ask("POST", "/v1.45/containers/create", json.dumps({"Image": "scratch", "Cmd": ["true"]})),
    "exec": ask("POST", "/containers/" + own + "/exec", json.dumps({"Cmd": ["id"]})),
    "pull": ask("POST", "/images/create?fromImage=debian&tag=stable"),
    "list": {"status": listed["status"], "body": ""},
    "inspectOwn": ask("GET", "/containers/" + own + "/json"),
    "inspectOther": ask("GET", "/containers/" + other + "/json"),
    "restartOther": ask("POST", "/containers/" + other + "/restart?t=1"),
    "statsOwn": ask("GET", "/containers/" + own + "/stats?stream=false&one-shot=true"),
    "statsStream": ask("GET", "/containers/" + own + "/stats"),
    "statsOther": ask("GET", "/containers/" + other + "/stats?stream=false"),
}))
`;

test('the socket proxy refuses create, exec, pull and other projects, and hides environments; the watcher reaches only its own project', async () => {
  const backend = await serviceContainer(stack, 'backend');
  const watcher = await serviceContainer(stack, 'watcher');
  assert.ok(backend && watcher, 'backend and watcher exist');
  // A container of another project, created (never started) from the watcher's own image.
  const image = (await $({ quiet: true })`docker inspect --format {{.Image}} ${watcher.id}`.timeout('20s')).stdout.trim();
  const outsider = `${stack.project}-outsider`;
  await $({ quiet: true })`docker create --name ${outsider} --label ${`com.docker.compose.project=${stack.project}-other`} ${image} true`.timeout('60s');
  try {
    const run = await stack.compose(['exec', '-T', 'watcher', 'python3', '-c', ASK_PROXY, backend.id, outsider]);
    assert.equal(run.exitCode, 0, explain(run));
    const answers = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, { status: number; body: string }> & {
      listedProjects: string[];
    };
    for (const refused of ['create', 'exec', 'pull', 'inspectOther', 'restartOther', 'statsOther'])
      assert.equal(answers[refused].status, 403, `${refused} refused: ${JSON.stringify(answers[refused])}`);
    assert.match(answers.create.body, /galaxy socket proxy: POST \/v1\.45\/containers\/create is not one of the calls/);
    assert.equal(answers.inspectOwn.status, 200);
    // The backend's environment holds the API token and database password: never passed back.
    assert.doesNotMatch(answers.inspectOwn.body, /"Env"|API_TOKEN|DATABASE_URL/);
    assert.equal(answers.list.status, 200);
    // One stats sample of its own containers (the metrics), never a stream that stays open.
    assert.equal(answers.statsOwn.status, 200);
    assert.ok((JSON.parse(answers.statsOwn.body) as { memory_stats?: { usage?: number } }).memory_stats?.usage, 'a memory figure');
    assert.equal(answers.statsStream.status, 400);
    // Asked for every container of the engine: the proxy's forced filter leaves only this project.
    assert.deepEqual(answers.listedProjects, [stack.project]);
    const state = (await $({ quiet: true })`docker inspect --format {{.State.Status}} ${outsider}`.timeout('20s')).stdout.trim();
    assert.equal(state, 'created', 'the other project’s container was never started');
  } finally {
    await $({ quiet: true, nothrow: true })`docker rm -f ${outsider}`.timeout('60s');
  }
});
