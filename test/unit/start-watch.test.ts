// The start watcher's verdict from canned snapshots (scripts/lib/start-watch.ts), the login-failure
// classifier on real log lines (scripts/lib/login-failure.ts), and the one-shot marking it reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKUP_LABEL } from '../../scripts/lib/backup/stores/registry.ts';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { STORE_LABEL, findLoginFailure, storeKindOf, storeLogsLoginFailures, storeService } from '../../scripts/lib/login-failure.ts';
import { START_MAX_RESTARTS, type SeenContainer, type StartSnapshot, judgeStart } from '../../scripts/lib/start-watch.ts';

const since = Date.parse('2026-12-01T10:00:00Z');
const before = '2026-12-01T09:00:00.123456789Z';
const during = '2026-12-01T10:00:05.123456789Z';
const rules = { since, services: ['db', 'migrate', 'api', 'web'], completes: ['migrate'], maxRestarts: START_MAX_RESTARTS };

const row = (service: string, over: Partial<SeenContainer> = {}): SeenContainer => ({
  id: `id-${service}`,
  service,
  status: 'running',
  exitCode: 0,
  restarts: 0,
  startedAt: during,
  ...over,
});
const snaps = (...polls: SeenContainer[][]): StartSnapshot[] => polls.map((containers, i) => ({ at: since + i * 1000, containers }));

test('a healthy progression keeps waiting', () => {
  const history = snaps(
    [row('db', { status: 'created', startedAt: '0001-01-01T00:00:00Z' })],
    [row('db'), row('api', { status: 'created', startedAt: '0001-01-01T00:00:00Z' })],
    [row('db'), row('api'), row('web')],
  );
  assert.deepEqual(judgeStart(history, rules), { verdict: 'waiting' });
  assert.deepEqual(judgeStart([], rules), { verdict: 'waiting' });
});

test('a service that exited with code 1 and stayed down fails the start, naming it', () => {
  const history = snaps(
    [row('db'), row('api')],
    [row('db'), row('api', { status: 'exited', exitCode: 1 })],
    [row('db'), row('api', { status: 'exited', exitCode: 1 })],
  );
  assert.deepEqual(judgeStart(history, rules), { verdict: 'failed', service: 'api', reason: 'exited with code 1' });
});

test('one poll of an exit is not enough: a docker restart stops and starts again', () => {
  const history = snaps([row('api')], [row('api', { status: 'exited', exitCode: 137 })]);
  assert.deepEqual(judgeStart(history, rules), { verdict: 'waiting' });
  const restarted = snaps(
    [row('api', { status: 'exited', exitCode: 137 })],
    [row('api', { status: 'exited', exitCode: 137, startedAt: '2026-12-01T10:00:09Z' })],
  );
  assert.deepEqual(judgeStart(restarted, rules), { verdict: 'waiting' }, 'started again between the polls');
});

test('a rising restart count fails the start; a dead container too', () => {
  const looping = snaps([row('web', { restarts: 1 })], [row('web', { status: 'restarting', exitCode: 1, restarts: 2 })], [row('web', { restarts: 4 })]);
  assert.deepEqual(judgeStart(looping, rules), { verdict: 'failed', service: 'web', reason: 'keeps restarting (3 restarts since the start began)' });
  const once = snaps([row('web', { restarts: 5 })], [row('web', { restarts: 6 })]);
  assert.deepEqual(judgeStart(once, rules), { verdict: 'waiting' }, 'restarts from before the start do not count');
  const dead = snaps([row('db', { status: 'dead', exitCode: 255 })], [row('db', { status: 'dead', exitCode: 255 })]);
  assert.deepEqual(judgeStart(dead, rules), { verdict: 'failed', service: 'db', reason: 'died with code 255' });
});

test('a manual restart resets the count: counted from the fewest seen', () => {
  const history = snaps([row('api', { restarts: 2 })], [row('api', { restarts: 0 })], [row('api', { restarts: 2 })]);
  assert.deepEqual(judgeStart(history, rules), { verdict: 'waiting' });
});

test('exit 0 of a one-shot job is its success; of a long-running service it is a failure', () => {
  const done = snaps([row('migrate', { status: 'exited' })], [row('migrate', { status: 'exited' })]);
  assert.deepEqual(judgeStart(done, rules), { verdict: 'waiting' });
  const failedJob = snaps([row('migrate', { status: 'exited', exitCode: 3 })], [row('migrate', { status: 'exited', exitCode: 3 })]);
  assert.deepEqual(judgeStart(failedJob, rules), { verdict: 'failed', service: 'migrate', reason: 'exited with code 3' });
  const stopped = snaps([row('api', { status: 'exited' })], [row('api', { status: 'exited' })]);
  assert.deepEqual(judgeStart(stopped, rules), { verdict: 'failed', service: 'api', reason: 'exited with code 0' });
});

test('containers last started before the start, or of other services, are not judged by their exit', () => {
  const old = snaps([row('api', { status: 'exited', exitCode: 137, startedAt: before })], [row('api', { status: 'exited', exitCode: 137, startedAt: before })]);
  assert.deepEqual(judgeStart(old, rules), { verdict: 'waiting' }, 'a stopped container compose is about to start, or a recreated one');
  const unknown = snaps(
    [row('api', { status: 'exited', exitCode: 1, startedAt: undefined, restarts: undefined })],
    [row('api', { status: 'exited', exitCode: 1, startedAt: undefined, restarts: undefined })],
  );
  assert.deepEqual(judgeStart(unknown, rules), { verdict: 'waiting' }, 'inspect did not answer: no start time');
  const other = snaps([row('batch', { status: 'exited', exitCode: 1 })], [row('batch', { status: 'exited', exitCode: 1 })]);
  assert.deepEqual(judgeStart(other, rules), { verdict: 'waiting' });
});

test('the dependency first: a failing store is named, not the service waiting on it', () => {
  const down = row('db', { status: 'exited', exitCode: 1 });
  const history = snaps([down, row('api', { status: 'exited', exitCode: 1 })], [down, row('api', { status: 'exited', exitCode: 1 })]);
  assert.equal((judgeStart(history, rules) as { service: string }).service, 'db');
});

test('refused logins in the logs of PostgreSQL, Redis and their clients', () => {
  const lines: Array<[string, string | undefined]> = [
    ['2026-12-01 10:00:06.123 UTC [73] FATAL:  password authentication failed for user "galaxy"', 'postgres'],
    [
      '{"time":"2026-12-01T10:00:06.200Z","level":"error","service":"backend","msg":"migration failed, retrying","error":"password authentication failed for user \\"galaxy\\""}',
      'postgres',
    ],
    [
      'ts=2026-12-01T10:00:07Z level=error source=collector.go:196 msg="Error opening connection to database" err="pq: password authentication failed for user \\"galaxy\\""',
      'postgres',
    ],
    ['psycopg.OperationalError: connection failed: FATAL:  password authentication failed for user "galaxy"', 'postgres'],
    ['[ErrorReply: WRONGPASS invalid username-password pair or user is disabled.]', 'redis'],
    ['{"level":"warn","msg":"redis connect failed, retrying in background","error":"NOAUTH Authentication required."}', 'redis'],
    ['(error) ERR invalid password', 'redis'],
    ['2026-12-01 10:00:06.123 UTC [1] LOG:  database system is ready to accept connections', undefined],
    ['{"level":"info","msg":"request","route":"/api/notes","status":401,"error":"unauthorized"}', undefined],
  ];
  for (const [line, kind] of lines) assert.equal(findLoginFailure(`first line\n${line}\nlast line`)?.kind, kind, line);
  assert.equal(findLoginFailure(lines[0][0], ['redis']), undefined, 'only the kinds asked for');
  assert.equal(findLoginFailure(lines[0][0])?.line, lines[0][0]);
});

test('store kinds come from the backup label; only stores that log refused logins are read while waiting', () => {
  assert.equal(STORE_LABEL, BACKUP_LABEL, 'the same label backups read');
  assert.equal(storeKindOf({ [STORE_LABEL]: 'sqlite:/data/memory.db' }), 'sqlite');
  assert.equal(storeKindOf({ [STORE_LABEL]: ' none ' }), undefined);
  assert.equal(storeKindOf({}), undefined);
  assert.equal(storeLogsLoginFailures('postgres'), true);
  assert.equal(storeLogsLoginFailures('redis'), false);
  const services = [
    { name: 'cache', labels: { [STORE_LABEL]: 'redis' } },
    { name: 'db', labels: { [STORE_LABEL]: 'postgres' } },
  ];
  assert.equal(storeService(services, 'postgres'), 'db');
  assert.equal(storeService(services, 'mysql'), 'mysql');
});

test('a service another waits for with service_completed_successfully is a one-shot job', () => {
  const model = parseComposeConfig(
    JSON.stringify({
      name: 'p',
      services: {
        migrate: {},
        api: { depends_on: { migrate: { condition: 'service_completed_successfully' } } },
        web: { depends_on: { api: { condition: 'service_healthy' } } },
      },
    }),
  );
  assert.deepEqual(
    model.services.filter((s) => s.completes).map((s) => s.name),
    ['migrate'],
  );
});
