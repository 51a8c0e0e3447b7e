// The entry points run as bundles (scripts/lib/build/): which bundles exist, where they go, and
// when run.sh rebuilds them (stale.sh, run here by bash against a throwaway tree).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { $ } from 'zx';
import { bundlePath, entryPoints } from '../../scripts/lib/build/entries.ts';
import { localEngineSocket } from '../../scripts/lib/docker/engine-api.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

test('every scripts/*.ts and bench/main.ts is bundled, two folders below the kit like its source', () => {
  const entries = entryPoints(root);
  assert.ok(entries.includes('scripts/health.ts') && entries.includes('bench/main.ts'));
  assert.equal(entries.length, readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.ts')).length + 1);
  assert.equal(bundlePath('scripts/health.ts'), 'scripts/health.mjs');
  assert.throws(() => bundlePath('bench/suites/health.ts'), /not one folder below the kit/);
});

/** A kit tree with one source file and a build stamp `age` seconds older than the source. */
function tree(): { dir: string; stale: () => Promise<string | undefined>; touch: (file: string, secondsFromNow: number) => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'build-stale-'));
  for (const folder of ['scripts/lib', 'bench/results', 'test/harness']) mkdirSync(path.join(dir, folder), { recursive: true });
  for (const file of ['scripts/health.ts', 'scripts/lib/health.ts', 'tsconfig.json', 'package.json']) writeFileSync(path.join(dir, file), '');
  const touch = (file: string, secondsFromNow: number) => {
    const when = new Date(Date.now() + secondsFromNow * 1000);
    utimesSync(path.join(dir, file), when, when);
  };
  const stale = async () => {
    const out = await $({ nothrow: true, quiet: true })`bash -c ${'source "$1" && build_stale "$2"'} _ ${path.join(root, 'scripts/lib/build/stale.sh')} ${dir}`;
    return out.exitCode === 0 ? out.stdout.trim() : undefined;
  };
  return { dir, stale, touch };
}

test('the build is stale with no stamp, current after it, stale again when a source changes', async () => {
  const { dir, stale, touch } = tree();
  assert.equal(await stale(), 'no build yet');
  mkdirSync(path.join(dir, '.build'));
  writeFileSync(path.join(dir, '.build/.stamp'), '');
  // Every source and folder older than the stamp: current.
  for (const entry of [
    'scripts',
    'scripts/lib',
    'scripts/health.ts',
    'scripts/lib/health.ts',
    'bench',
    'bench/results',
    'test/harness',
    'tsconfig.json',
    'package.json',
  ])
    touch(entry, -60);
  assert.equal(await stale(), undefined);
  touch('scripts/lib/health.ts', 5);
  assert.equal(await stale(), 'scripts/lib/health.ts changed');
  touch('scripts/lib/health.ts', -60);
  touch('package.json', 5);
  assert.equal(await stale(), 'package.json changed');
});

test('a removed source (its folder changes) makes it stale; the bench writing its results does not', async () => {
  const { dir, stale, touch } = tree();
  mkdirSync(path.join(dir, '.build'));
  writeFileSync(path.join(dir, '.build/.stamp'), '');
  for (const entry of ['scripts', 'scripts/lib', 'scripts/health.ts', 'scripts/lib/health.ts', 'bench', 'test/harness', 'tsconfig.json', 'package.json'])
    touch(entry, -60);
  writeFileSync(path.join(dir, 'bench/results/run.json'), '{}');
  touch('bench/results', 5);
  assert.equal(await stale(), undefined, 'bench/results is not a source');
  touch('scripts/lib', 5);
  assert.equal(await stale(), 'scripts/lib changed');
});

test('the engine socket is used only where the CLI would use it', () => {
  assert.equal(localEngineSocket({}, undefined), '/var/run/docker.sock');
  assert.equal(localEngineSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, undefined), '/run/user/1000/docker.sock');
  assert.equal(localEngineSocket({ DOCKER_HOST: 'tcp://10.0.0.5:2376' }, undefined), undefined);
  assert.equal(localEngineSocket({ DOCKER_HOST: 'ssh://me@host' }, undefined), undefined);
  assert.equal(localEngineSocket({ DOCKER_CONTEXT: 'remote' }, undefined), undefined);
  assert.equal(localEngineSocket({ DOCKER_CONTEXT: 'default' }, undefined), '/var/run/docker.sock');
  assert.equal(localEngineSocket({}, '{"currentContext": "rootless"}'), undefined);
  assert.equal(localEngineSocket({}, '{"currentContext": "default", "auths": {}}'), '/var/run/docker.sock');
  assert.equal(localEngineSocket({}, '{not json'), undefined);
});

test("the scripts import zx's core, not its index (which loads every extra package on each start)", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
    });
  const offenders = files(path.join(root, 'scripts')).filter((f) => /from 'zx'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    offenders.map((f) => path.relative(root, f)),
    [],
  );
});
