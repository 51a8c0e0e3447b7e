// A deploy of several services that do not depend on each other: they move in one wave (one compose
// call starts all their new containers, one poll waits for them), and one that fails keeps its old
// container without holding the others back. The system is three copies of the scale bench's small
// stateless service (bench/lib/scale-system.ts), run through GALAXY_ROOT in a folder of its own.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { copyNames, writeOverlay, writeScaleSystem } from '../../bench/lib/scale-system.ts';
import { docker } from '../../scripts/lib/docker/client.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';
import { TestStack, explain } from '../harness/stack.ts';

const root = mkdtempSync(path.join(tmpdir(), 'galaxy-waves-'));
const stack = new TestStack(root);
const repository = `galaxy-test/${stack.project.replace(/^galaxy-test-/, 'waves-')}`;
const services = copyNames(3);

/** Running container ids per service, straight from Docker. */
async function runningIds(): Promise<Record<string, string[]>> {
  const out = await docker([
    'ps',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${stack.project}`,
    '--format',
    '{{.ID}} {{.Label "com.docker.compose.service"}}',
  ]);
  const ids: Record<string, string[]> = Object.fromEntries(services.map((s) => [s, []]));
  for (const [id, service] of out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')))
    ids[service]?.push(id);
  return ids;
}

function historySince(count: number): Array<{ service: string; result: string; error?: string }> {
  const lines = readFileSync(projectFiles(stack.project, stack.runDir).deployHistory, 'utf8').trim().split('\n');
  return lines.slice(-count).map((line) => JSON.parse(line));
}

before(async () => {
  writeScaleSystem(root);
  writeOverlay(root, services.length, repository);
  await $({ cwd: root, quiet: true })`git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm waves`;
  await stack.init();
  const start = await stack.script('start-all', [], {}, '600s');
  assert.equal(start.exitCode, 0, explain(start));
});

after(async () => {
  await stack.destroy();
  const images = (await docker(['image', 'ls', '--quiet', repository]).nothrow()).stdout.split('\n').filter(Boolean);
  if (images.length) await docker(['image', 'rm', '--force', ...new Set(images)], '120s').nothrow();
  rmSync(root, { recursive: true, force: true });
});

test('deploy of every service: independent services start their new containers together, and each runs only its new one after', async () => {
  const before = await runningIds();
  const deploy = await stack.script('deploy', ['--force'], {}, '600s');
  assert.equal(deploy.exitCode, 0, explain(deploy));
  const lines = deploy.stdout.split('\n');
  const started = lines.flatMap((line, i) => (/: new container \S+ started/.test(line) ? [i] : []));
  const healthy = lines.flatMap((line, i) => (/ healthy after /.test(line) ? [i] : []));
  assert.equal(started.length, services.length, deploy.stdout);
  // One wave: every new container was started before the first was judged healthy.
  assert.ok(Math.max(...started) < Math.min(...healthy), `the three did not move together:\n${deploy.stdout}`);
  const now = await runningIds();
  for (const service of services) {
    assert.equal(now[service].length, 1, `${service}: ${now[service].join(', ')}`);
    assert.ok(!before[service].includes(now[service][0]), `${service} still runs its old container`);
  }
  assert.deepEqual(
    historySince(services.length).map((h) => `${h.service} ${h.result}`),
    services.map((s) => `${s} ok`),
  );
});

test('a service of the wave whose new container will not start keeps its old one; the others move; the deploy says which failed', async () => {
  const [first, broken, last] = services;
  const override = path.join(root, 'broken.override.yml');
  writeFileSync(override, `services:\n  ${broken}:\n    entrypoint: ["sh", "-c", "echo refusing to start >&2; exit 3"]\n`);
  const before = await runningIds();
  const deploy = await stack.script('deploy', ['--force', '--override', override], {}, '600s');
  assert.equal(deploy.exitCode, 1, explain(deploy));
  assert.match(deploy.stderr, new RegExp(`the new ${broken} container was removed and the old one keeps serving`), deploy.stderr);
  const now = await runningIds();
  assert.deepEqual(now[broken], before[broken], `${broken} must keep its old container`);
  for (const service of [first, last]) {
    assert.equal(now[service].length, 1, `${service}: ${now[service].join(', ')}`);
    assert.ok(!before[service].includes(now[service][0]), `${service} did not move`);
  }
  const history = historySince(services.length);
  assert.deepEqual(
    history.map((h) => `${h.service} ${h.result}`),
    [`${first} ok`, `${broken} failed`, `${last} ok`],
  );
});
