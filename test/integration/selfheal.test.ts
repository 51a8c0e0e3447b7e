// Self-healing on a throwaway stack: a backend killed with SIGKILL comes back through Docker's
// restart policy, a hung one (SIGSTOP from the host) is restarted by the watcher, and one an
// operator stopped stays stopped. Nobody acts between the fault and the check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { ensureWatcher, metricValue, removeTestWatcher, serviceContainer, waitRecovered } from '../harness/selfheal.ts';
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

test('a hung backend (SIGSTOP from the host) is restarted by the watcher', async () => {
  const before = await serviceContainer(stack, 'backend');
  assert.ok(before && before.status === 'running' && before.health === 'healthy', `backend healthy first: ${JSON.stringify(before)}`);
  const restartsBefore = metricValue(await (await fetch(metricsUrl)).text(), 'galaxy_watcher_restarts_total', { service: 'backend', reason: 'unhealthy' });
  process.kill(before.pid, 'SIGSTOP');
  try {
    const seconds = await waitRecovered(stack, 'backend', before.startedAt, stack.url('FRONTEND_PORT', '/api/version'), 240);
    process.stdout.write(`# backend recovered from a hang in ${seconds.toFixed(1)}s\n`);
  } finally {
    // If the watcher failed, do not leave a stopped process behind for the next test.
    try {
      process.kill(before.pid, 'SIGCONT');
    } catch {
      /* already gone: restarted */
    }
  }
  const metrics = await (await fetch(metricsUrl)).text();
  assert.equal(metricValue(metrics, 'galaxy_watcher_restarts_total', { service: 'backend', reason: 'unhealthy' }), restartsBefore + 1);
  assert.match(metrics, /galaxy_container_health\{service="backend",container="[^"]+"\} 1/);
});

test('a backend stopped by an operator stays stopped', async () => {
  const stop = await stack.compose(['stop', 'backend']);
  assert.equal(stop.exitCode, 0, explain(stop));
  // Three sweeps of the watcher (every 5 s) and Docker's restart policy get their chance.
  await new Promise((r) => setTimeout(r, 16_000));
  const c = await serviceContainer(stack, 'backend');
  assert.equal(c?.status, 'exited');
  const metrics = await (await fetch(metricsUrl)).text();
  assert.match(metrics, /galaxy_container_running\{service="backend",container="[^"]+"\} 0/);
  const start = await $({ quiet: true, nothrow: true })`docker start ${c?.id ?? ''}`.timeout('60s');
  assert.equal(start.exitCode, 0);
});
