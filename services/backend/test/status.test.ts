import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aggregateStatus, probe, stateFromAnswer, type StatusEntry } from '../src/status.js';
import { healthReport, type DependencyState } from '../src/deps.js';

const entry = (name: string, status: StatusEntry['status'], critical = false): StatusEntry => ({ name, kind: 'service', status, critical });

test('overall ok only when everything is ok', () => {
  assert.equal(aggregateStatus([entry('a', 'ok'), entry('b', 'ok')]).status, 'ok');
  assert.equal(aggregateStatus([entry('a', 'ok'), entry('b', 'degraded')]).status, 'degraded');
  assert.equal(aggregateStatus([entry('a', 'ok'), entry('b', 'down')]).status, 'degraded');
  assert.equal(aggregateStatus([entry('a', 'ok'), entry('pg', 'down', true)]).status, 'down');
});

test('a later entry replaces an earlier one of the same name, in place, keeping criticality', () => {
  const r = aggregateStatus(
    [entry('backend', 'ok', true), entry('memory-api', 'down'), entry('redis', 'ok', true), { ...entry('memory-api', 'ok'), url: 'http://x/health' }],
    new Date(0),
  );
  assert.deepEqual(
    r.services.map((s) => [s.name, s.status]),
    [
      ['backend', 'ok'],
      ['memory-api', 'ok'],
      ['redis', 'ok'],
    ],
  );
  assert.equal(r.status, 'ok');
  assert.equal(r.checkedAt, '1970-01-01T00:00:00.000Z');
  const crit = aggregateStatus([entry('redis', 'ok', true), entry('redis', 'down')]);
  assert.equal(crit.status, 'down');
});

test('HTTP answers map to states', () => {
  assert.equal(stateFromAnswer(200, { status: 'ok' }), 'ok');
  assert.equal(stateFromAnswer(200, undefined), 'ok');
  assert.equal(stateFromAnswer(200, { status: 'degraded' }), 'degraded');
  assert.equal(stateFromAnswer(200, { status: 'down' }), 'down');
  assert.equal(stateFromAnswer(503, { status: 'ok' }), 'down');
});

test('probe against local servers: ok, 503, timeout, refused', async (t) => {
  let mode = 'ok';
  const server: Server = createServer((_req, res) => {
    if (mode === 'slow') return setTimeout(() => res.end('{}'), 1500);
    res.writeHead(mode === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: mode === 'ok' ? 'ok' : 'down' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const ok = await probe({ name: 'x', url }, 1000);
  assert.equal(ok.status, 'ok');
  assert.equal(ok.httpStatus, 200);
  mode = 'fail';
  assert.equal((await probe({ name: 'x', url }, 1000)).httpStatus, 503);
  mode = 'slow';
  const slow = await probe({ name: 'x', url }, 200);
  assert.equal(slow.status, 'down');
  assert.match(slow.error ?? '', /timeout after 200 ms/);
  // a port that was just free: nothing listens there (port 1 is on fetch's blocked-port list)
  const spare = createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  const sparePort = (spare.address() as AddressInfo).port;
  await new Promise((r) => spare.close(r));
  const refused = await probe({ name: 'x', url: `http://127.0.0.1:${sparePort}/health` }, 1000);
  assert.equal(refused.status, 'down');
  assert.equal(refused.error, 'ECONNREFUSED');
});

const dep = (name: string, up: boolean, critical: boolean): DependencyState => ({ name, up, critical, latencyMs: 1 });

test('backend health: 503 only for postgres/redis down or schema pending', () => {
  const all = [dep('postgres', true, true), dep('redis', true, true), dep('memory-api', true, false), dep('experience-api', true, false)];
  assert.equal(healthReport(all, true, '1').httpStatus, 200);
  assert.equal(healthReport(all, true, '1').body.status, 'ok');
  const memDown = all.map((d) => (d.name === 'memory-api' ? { ...d, up: false } : d));
  assert.deepEqual([healthReport(memDown, true, '1').httpStatus, healthReport(memDown, true, '1').body.status], [200, 'degraded']);
  const redisDown = all.map((d) => (d.name === 'redis' ? { ...d, up: false } : d));
  assert.deepEqual([healthReport(redisDown, true, '1').httpStatus, healthReport(redisDown, true, '1').body.status], [503, 'down']);
  assert.equal(healthReport(all, false, '1').httpStatus, 503);
  assert.equal(healthReport(all, false, '1').body.migrations, 'pending');
});
