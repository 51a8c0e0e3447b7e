// `make deploy` / `make rollback` on a throwaway stack under load through the frontend (nginx on
// 127.0.0.1): no request may fail while backend containers are swapped, a broken build must leave
// the old version serving, and compose's view afterwards is one backend on the expected image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';
import { $ } from 'zx';
import { deployedVersionEnv, readHistory, readState } from '../../scripts/lib/deploy/state.ts';
import { startLoad, waitForRequests } from '../harness/load.ts';
import { TestStack, explain, getJson } from '../harness/stack.ts';

const stack = new TestStack();
const broken = path.join(projectRoot, 'test/fixtures/deploy-broken-backend.yml');
let deployedVersion = '';

async function servedVersion(): Promise<string> {
  const { status, body } = await getJson(stack.url('FRONTEND_PORT', '/api/version'));
  assert.equal(status, 200);
  return (body as { version: string }).version;
}

async function backendContainers(): Promise<string[]> {
  const ps = await stack.compose(['ps', '--format', '{{.Name}} {{.Image}}', 'backend']);
  return ps.stdout.trim().split('\n').filter(Boolean);
}

/**
 * Runs a script while the load generator hits /api/version through nginx; load stops when it exits.
 * `during` counts only requests sent after the script started (the warm-up is not credited), while
 * `failed` counts every failure, warm-up included.
 */
async function underLoad(name: string, args: string[]) {
  const load = startLoad({ url: stack.url('FRONTEND_PORT', '/api/version'), concurrency: 12, ratePerSecond: 200, maxRequests: 60_000, maxSeconds: 400 });
  await waitForRequests(load, 200, 30);
  const warmUp = load.sent;
  const since = new Date();
  const result = await stack.script(name, args, {}, '400s');
  const traffic = await load.stop();
  // A failed request is explained by the containers' timeline, the proxies' error lines and the command's own output.
  if (traffic.failed) process.stdout.write(`${await stack.timeline(since, ['edge', 'frontend', 'backend'])}\n--- ${name} output ---\n${result.stdout}\n`);
  const during = traffic.total - warmUp;
  process.stdout.write(
    `# ${name} ${args.join(' ')}: exit ${result.exitCode}, ${traffic.failed} failed of ${traffic.total} requests (${during} while it ran) in ${traffic.seconds.toFixed(1)}s, versions ${JSON.stringify(traffic.versions)}\n`,
  );
  return { result, traffic, during };
}

before(async () => {
  await stack.init();
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
});

after(() => stack.destroy());

test('a broken build fails the deploy, shows its log lines, and the old version keeps serving', async () => {
  const before = await servedVersion();
  const { result, traffic } = await underLoad('deploy', ['backend', '--override', broken, '--timeout', '60']);
  assert.equal(result.exitCode, 1, explain(result));
  assert.match(result.stderr, /simulated broken build/, "the new container's last log lines are shown");
  assert.match(result.stderr, /old one keeps serving/);
  assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
  assert.ok(traffic.total > 0);
  assert.equal(await servedVersion(), before);
  const containers = await backendContainers();
  assert.equal(containers.length, 1, containers.join('\n'));
  const history = readHistory(stack.project);
  assert.equal(history.at(-1)?.result, 'failed');
});

test('deploy backend: zero failed requests while the old version and then the new one answer, then one backend on the new image', async () => {
  const { result, traffic, during } = await underLoad('deploy', ['backend']);
  assert.equal(result.exitCode, 0, explain(result));
  assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
  deployedVersion = readState(stack.project).services.backend?.version ?? '';
  assert.match(deployedVersion, /^[0-9a-f]{12}(-dirty-[0-9a-f]{8})?$/);
  // Judged by who answered, not by a request count that depends on how fast the deploy was: the
  // load ran across the switch when the old version answered before and the new one after.
  assert.ok(
    traffic.versions.latest > 0 && traffic.versions[deployedVersion] > 0,
    `both versions served during the swap: ${JSON.stringify(traffic.versions)} (${during} requests while it ran)`,
  );
  assert.equal(await servedVersion(), deployedVersion);
  assert.deepEqual(
    (await backendContainers()).map((line) => line.split(' ')[1]),
    [`galaxy/backend:${deployedVersion}`],
  );
  // Compose's own view: a full `up` with the recorded versions (what make start runs) would leave
  // the new container alone, so a later start neither reverts nor needlessly recreates it.
  const saved = JSON.parse(readFileSync(projectFiles(stack.project).stack, 'utf8')) as { env: Record<string, string>; profiles: string[] };
  const env = { ...process.env, ...stack.env, ...saved.env, ...deployedVersionEnv(stack.project) };
  const dry = await $({
    cwd: projectRoot,
    env,
    nothrow: true,
    quiet: true,
  })`docker compose --project-directory ${projectRoot} --env-file ${stack.envFile} -f ${path.join(projectRoot, 'docker-compose.yml')} ${saved.profiles.flatMap((p) => ['--profile', p])} up --dry-run --detach --no-build`.timeout(
    '120s',
  );
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.doesNotMatch(`${dry.stdout}${dry.stderr}`, /backend-\d+\s+Recreate/, 'make start after a deploy would recreate the backend');
  const history = readFileSync(projectFiles(stack.project).deployHistory, 'utf8');
  assert.match(history, new RegExp(`"action":"deploy","service":"backend","from":"latest","to":"${deployedVersion}","result":"ok"`));
});

/** A backend deployed from `latest`, whatever ran before (the rollback test must not depend on the deploy test). */
async function ensureBackendDeployed(): Promise<void> {
  if (deployedVersion && readState(stack.project).services.backend?.version === deployedVersion) return;
  const deploy = await stack.script('deploy', ['backend', '--force']);
  assert.equal(deploy.exitCode, 0, explain(deploy));
  deployedVersion = readState(stack.project).services.backend?.version ?? '';
}

test('rollback backend: zero failed requests while the deployed version and then the previous one answer', async () => {
  await ensureBackendDeployed();
  const { result, traffic, during } = await underLoad('rollback', ['backend']);
  assert.equal(result.exitCode, 0, explain(result));
  assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
  assert.ok(
    traffic.versions[deployedVersion] > 0 && traffic.versions.latest > 0,
    `both versions served during the rollback: ${JSON.stringify(traffic.versions)} (${during} requests while it ran)`,
  );
  assert.equal(await servedVersion(), 'latest');
  assert.deepEqual(
    (await backendContainers()).map((line) => line.split(' ')[1]),
    ['galaxy/backend:latest'],
  );
  assert.equal(readState(stack.project).services.backend?.version, 'latest');
  const again = await stack.script('rollback', ['backend']);
  assert.equal(again.exitCode, 1, 'nothing recorded before latest: a second rollback is refused');
  assert.match(again.stderr, /nothing to roll back to/);
});

test('restart backend: a new container on the same version replaces the old one with zero failed requests', async () => {
  const version = await servedVersion();
  const before = await backendContainers();
  const { result, traffic, during } = await underLoad('restart-service', ['backend']);
  assert.equal(result.exitCode, 0, explain(result));
  assert.equal(traffic.failed, 0, traffic.failures.join('\n'));
  assert.match(result.stdout, /restart: backend \(stateless: a new container first/);
  assert.match(result.stdout, /switch proven in/, 'the old container stopped only after the proxies were seen using the new one');
  assert.ok(
    during > 0 && Object.keys(traffic.versions).length === 1 && traffic.versions[version] > 0,
    `only ${version} served: ${JSON.stringify(traffic.versions)}`,
  );
  const after = await backendContainers();
  assert.equal(after.length, 1, after.join('\n'));
  assert.notEqual(after[0].split(' ')[0], before[0]?.split(' ')[0], 'a new container');
  assert.equal(after[0].split(' ')[1], before[0]?.split(' ')[1], 'the same image');
});

// deploy-all and rollback-all under load: test/integration/deploy-busy.test.ts (on a saturated machine).

test('bad usage exits 2 with the valid names; a service the kit does not build is refused', async () => {
  const unknown = await stack.script('deploy', ['nope']);
  assert.equal(unknown.exitCode, 2, explain(unknown));
  assert.match(unknown.stderr, /unknown service 'nope'.*backend/);
  const external = await stack.script('deploy', ['postgres']);
  assert.equal(external.exitCode, 2, explain(external));
  assert.match(external.stderr, /does not build/);
});

/** Whether anything accepts a connection on 127.0.0.1 at this stack's port (refused: false). */
async function answers(portVariable: string): Promise<boolean> {
  try {
    await fetch(stack.url(portVariable, '/health'), { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

test('scale backend to 3 and back to 1 under load: zero failed requests; a start and a deploy keep the count', async () => {
  const up = await underLoad('scale', ['backend', '--replicas', '3']);
  assert.equal(up.result.exitCode, 0, explain(up.result));
  assert.equal(up.traffic.failed, 0, up.traffic.failures.join('\n'));
  assert.match(up.result.stdout, /its replicas give up its host ports/);
  const three = (await backendContainers()).map((line) => line.split(' ')[0]);
  assert.equal(three.length, 3, three.join('\n'));
  assert.equal(stack.envValue('BACKEND_REPLICAS'), '3');
  assert.equal(await answers('BACKEND_PORT'), false, 'one container can hold a host port: the replicas are reached through the frontend');
  const health = await stack.script('health-check', ['--json']);
  assert.equal(health.exitCode, 0, explain(health));
  const backend = (JSON.parse(health.stdout) as { services: Array<{ service: string; replicas?: object }> }).services.find((s) => s.service === 'backend');
  assert.deepEqual(backend?.replicas, { running: 3, desired: 3 });

  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
  assert.deepEqual((await backendContainers()).map((line) => line.split(' ')[0]).sort(), [...three].sort(), 'a start keeps the 3 replicas as they are');

  const deploy = await underLoad('deploy', ['backend', '--force']);
  assert.equal(deploy.result.exitCode, 0, explain(deploy.result));
  assert.equal(deploy.traffic.failed, 0, deploy.traffic.failures.join('\n'));
  const deployed = (await backendContainers()).map((line) => line.split(' ')[0]);
  assert.equal(deployed.length, 3, deployed.join('\n'));
  assert.ok(!deployed.some((name) => three.includes(name)), `every replica replaced: ${deployed.join(', ')}`);

  const down = await underLoad('scale', ['backend', '--replicas', '1']);
  assert.equal(down.result.exitCode, 0, explain(down.result));
  assert.equal(down.traffic.failed, 0, down.traffic.failures.join('\n'));
  assert.match(down.result.stdout, /it takes its host ports back/);
  assert.equal((await backendContainers()).length, 1);
  assert.equal(stack.envValue('BACKEND_REPLICAS'), '1');
  assert.equal(await answers('BACKEND_PORT'), true, 'the one backend publishes its host port again');

  const stateful = await stack.script('scale', ['postgres', '--replicas', '2']);
  assert.equal(stateful.exitCode, 2, explain(stateful));
  assert.match(stateful.stderr, /postgres is replaced stop-then-start/);
});
