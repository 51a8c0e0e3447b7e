// The kit on a system it has never seen: test/fixtures/system (orders-db, sessions, a ledger with
// a SQLite file at a path of its own, an API behind its own gateway), copied into a git repository
// of its own and driven through the same scripts with GALAXY_ROOT. Nothing here or in the kit
// names these services except this test: the kit reads them from the fixture's compose file.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { type Manifest, listSets } from '../../scripts/lib/backup/manifest.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { startLoad, waitForRequests } from '../harness/load.ts';
import { TestStack, explain, getJson } from '../harness/stack.ts';

const root = mkdtempSync(path.join(tmpdir(), 'galaxy-orders-'));
cpSync(path.join(projectRoot, 'test', 'fixtures', 'system'), root, { recursive: true });
const stack = new TestStack(root);
// The system's own backups/ folder, as its .env does not say otherwise.
const backups = path.join(root, 'backups');
const env = {};

async function run(args: string[]): Promise<string> {
  const out = await stack.compose(args);
  assert.equal(out.exitCode, 0, `compose ${args.join(' ')}: ${out.stderr}`);
  return out.stdout.trim();
}

/** Row counts and content hashes of the three stores, read inside their own containers. */
async function fingerprint() {
  const orders = await run([
    'exec',
    '-T',
    'orders-db',
    'psql',
    '-U',
    'orders',
    '-d',
    'orders',
    '-At',
    '-c',
    "SELECT count(*) || ' ' || md5(string_agg(id || ':' || item, ',' ORDER BY id)) FROM orders",
  ]);
  const sessions = await run([
    'exec',
    '-T',
    'sessions',
    'sh',
    '-c',
    'redis-cli --scan --pattern \'session:*\' | sort | while read k; do echo "$k=$(redis-cli get "$k")"; done | md5sum',
  ]);
  const sessionCount = await run(['exec', '-T', 'sessions', 'redis-cli', 'dbsize']);
  const { body } = await getJson(stack.url('LEDGER_PORT', '/entries/summary'));
  return { orders, sessions, sessionCount, ledger: body };
}

before(async () => {
  await $({ cwd: root, quiet: true })`git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm orders`;
  await stack.init();
});

after(async () => {
  await stack.destroy();
  rmSync(root, { recursive: true, force: true });
});

test('start and health: every service of the other system comes up healthy', async () => {
  const start = await stack.script('start-all', [], env);
  assert.equal(start.exitCode, 0, explain(start));
  const health = await stack.script('health-check', ['--json'], env);
  assert.equal(health.exitCode, 0, explain(health));
  const services = (JSON.parse(health.stdout) as { services: Array<{ service: string; ok: boolean }> }).services;
  assert.deepEqual(services.map((s) => [s.service, s.ok]).sort(), [
    ['api', true],
    ['gateway', true],
    ['ledger', true],
    ['orders-db', true],
    ['sessions', true],
  ]);
});

test('backup, destroyed volumes, restore: every store comes back with the same rows and content', async () => {
  await run([
    'exec',
    '-T',
    'orders-db',
    'psql',
    '-U',
    'orders',
    '-d',
    'orders',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL); INSERT INTO orders (item) SELECT 'item-' || g FROM generate_series(1, 3000) g;",
  ]);
  await run(['exec', '-T', 'sessions', 'sh', '-c', 'for i in $(seq 1 200); do echo "SET session:$i user-$i"; done | redis-cli > /dev/null']);
  for (let i = 0; i < 25; i++) {
    const res = await fetch(stack.url('LEDGER_PORT', '/entries'), {
      method: 'POST',
      body: JSON.stringify({ account: `acct-${i % 4}`, cents: 100 + i }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 201);
  }
  const before = await fingerprint();
  assert.equal(before.sessionCount, '200');
  assert.deepEqual(before.ledger, { entries: 25, cents: 25 * 100 + 300 });

  const backup = await stack.script('backup', [], env);
  assert.equal(backup.exitCode, 0, explain(backup));
  assert.doesNotMatch(backup.stdout, /not backed up/);
  const [set] = listSets(backups, stack.project);
  const manifest = JSON.parse(readFileSync(path.join(set.dir, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(manifest.stores.map((s) => [s.service, s.kind]).sort(), [
    ['ledger', 'sqlite'],
    ['orders-db', 'postgres'],
    ['sessions', 'redis'],
  ]);

  const wipe = await stack.script('stop-all', ['--remove-data'], env);
  assert.equal(wipe.exitCode, 0, explain(wipe));
  const fresh = await stack.script('start-all', [], env);
  assert.equal(fresh.exitCode, 0, explain(fresh));
  assert.deepEqual((await getJson(stack.url('LEDGER_PORT', '/entries/summary'))).body, { entries: 0, cents: 0 }, 'the volumes were removed');

  const restore = await stack.script('restore', [], env);
  assert.equal(restore.exitCode, 0, explain(restore));
  assert.deepEqual(await fingerprint(), before);
});

test('deploy of the API under load through its gateway: no failed request, the new release serves', async () => {
  const app = path.join(root, 'api', 'app.py');
  writeFileSync(app, readFileSync(app, 'utf8').replace('RELEASE = "1"', 'RELEASE = "2"'));
  await $({ cwd: root, quiet: true })`git -c user.name=t -c user.email=t@t commit -qam release-2`;
  const url = stack.url('GATEWAY_PORT', '/orders/version');
  const load = startLoad({ url, concurrency: 8, ratePerSecond: 150, maxRequests: 60_000, maxSeconds: 400 });
  await waitForRequests(load, 200, 30);
  const deploy = await stack.script('deploy', ['api'], env, '400s');
  // The load runs on until the new container has answered too: the traffic spans the whole swap.
  await waitForRequests(load, load.sent + 200, 30);
  const traffic = await load.stop();
  process.stdout.write(`# deploy api: exit ${deploy.exitCode}, ${traffic.failed} failed of ${traffic.total} requests in ${traffic.seconds.toFixed(1)}s\n`);
  assert.equal(deploy.exitCode, 0, explain(deploy));
  // A failed request is explained by the deploy's timeline and the gateway's own error lines.
  const gatewayErrors = traffic.failed ? (await stack.compose(['logs', '--no-color', '--tail', '20', 'gateway'])).stdout : '';
  assert.equal(traffic.failed, 0, `${traffic.failures.join('\n')}\n${deploy.stdout}\n${gatewayErrors}`);
  // Both versions answered through the gateway while the load ran: the old before, the new after.
  const deployed = Object.keys(traffic.versions).filter((v) => v !== 'latest');
  assert.ok(traffic.versions.latest > 0 && deployed.length === 1 && traffic.versions[deployed[0]] > 0, JSON.stringify(traffic.versions));
  const { body } = await getJson(url);
  assert.deepEqual(body, { version: deployed[0], release: '2' });
});

test('stop: nothing of the other system keeps running', async () => {
  const stop = await stack.script('stop-all', [], env);
  assert.equal(stop.exitCode, 0, explain(stop));
  assert.equal(await run(['ps', '--status', 'running', '--services']), '');
});
