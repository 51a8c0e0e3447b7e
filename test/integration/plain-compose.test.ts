// After `make start`, an operator's own `docker compose` in the project folder sees the same stack:
// the image choice (offline stand-ins here, as no registry answers), the profiles and the files
// are in .env, where compose reads them by default (scripts/lib/compose-defaults.ts). Run on a
// copy of test/fixtures/system (five services, two of them built) so the folder is the test's own.
// Also: a second start builds nothing when no build input changed (images/service-builds.ts).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { TestStack, explain } from '../harness/stack.ts';

const root = mkdtempSync(path.join(tmpdir(), 'galaxy-plain-'));
cpSync(path.join(projectRoot, 'test', 'fixtures', 'system'), root, { recursive: true });
const stack = new TestStack(root);

/** An operator's shell in the folder: none of the kit's variables, only what compose finds there. */
async function plainCompose(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(COMPOSE_|GALAXY_|DOCKER_HOST$)|_IMAGE$/.test(name)));
  const out = await $({ cwd: root, env, nothrow: true, quiet: true })`docker compose ${args}`.timeout('300s');
  return { exitCode: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
}

async function containerIds(): Promise<string[]> {
  const ps = await plainCompose(['ps', '--all', '--quiet']);
  assert.equal(ps.exitCode, 0, explain(ps));
  return ps.stdout.trim().split('\n').filter(Boolean).sort();
}

before(async () => {
  await stack.init({ IMAGE_SOURCE: 'offline' });
  // The folder's own .env is the stack's: what start writes there is what plain compose reads.
  symlinkSync(stack.envFile, path.join(root, '.env'));
});

after(async () => {
  await stack.destroy();
  rmSync(root, { recursive: true, force: true });
});

test('after start, plain docker compose ps and up -d --wait in the folder see the same stack, offline', async () => {
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));

  const ps = await plainCompose(['ps', '--format', '{{.Service}} {{.State}}']);
  assert.equal(ps.exitCode, 0, explain(ps));
  assert.deepEqual(ps.stdout.trim().split('\n').sort(), ['api running', 'gateway running', 'ledger running', 'orders-db running', 'sessions running']);

  const before = await containerIds();
  const up = await plainCompose(['up', '--detach', '--wait', '--wait-timeout', '240']);
  assert.equal(up.exitCode, 0, `plain docker compose up in ${root} failed (it asks a registry when .env lacks the image choice): ${explain(up)}`);
  assert.doesNotMatch(up.stderr, /Pulling|pull access denied/);
  // Same images and settings as the kit's start: compose had nothing to recreate.
  assert.deepEqual(await containerIds(), before);
});

test('a second start builds no image when no build input changed', async () => {
  const again = await stack.script('start-all');
  assert.equal(again.exitCode, 0, explain(again));
  assert.doesNotMatch(again.stdout + again.stderr, /^build: /m);
});
