// The layers hold: shared logic (scripts/lib) never reaches up into an entry point, the bench or
// the tests, discovery keeps to its own folder, and the Docker client stays at the bottom. Read
// from the import lines themselves.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative import targets of a file, resolved to paths under the project root. */
export function relativeImports(file: string, source: string): string[] {
  const specs = [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm), ...source.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return specs.map((spec) => path.relative(root, path.resolve(path.dirname(file), spec)));
}

test('the import reader sees static, re-exported and dynamic relative imports', () => {
  const file = path.join(root, 'scripts/lib/x/a.ts');
  const src = "import { a } from './b.ts';\nexport { c } from '../c.ts';\nimport type { D } from '../../../bench/d.ts';\nconst m = await import('./e.ts');\nimport { $ } from 'zx';\n";
  assert.deepEqual(relativeImports(file, src), ['scripts/lib/x/b.ts', 'scripts/lib/c.ts', 'bench/d.ts', 'scripts/lib/x/e.ts']);
});

test('no scripts/lib module imports an entry point, the bench or a test', () => {
  const bad = tsFiles(path.join(root, 'scripts/lib')).flatMap((file) =>
    relativeImports(file, readFileSync(file, 'utf8'))
      .filter((target) => !target.startsWith(`scripts${path.sep}lib${path.sep}`))
      .map((target) => `${path.relative(root, file)} -> ${target}`),
  );
  assert.deepEqual(bad, []);
});

test('discovery imports nothing from outside its folder', () => {
  const dir = path.join(root, 'scripts/lib/discovery');
  const bad = tsFiles(dir).flatMap((file) =>
    relativeImports(file, readFileSync(file, 'utf8'))
      .filter((target) => !target.startsWith(path.relative(root, dir) + path.sep))
      .map((target) => `${path.relative(root, file)} -> ${target}`),
  );
  assert.deepEqual(bad, []);
});

test('the Docker client (scripts/lib/docker/) sits at the bottom: it imports only errors, output and paths', () => {
  const dir = path.join(root, 'scripts/lib/docker');
  const below = ['errors.ts', 'output.ts', 'paths.ts'].map((f) => path.join('scripts', 'lib', f));
  const bad = tsFiles(dir).flatMap((file) =>
    relativeImports(file, readFileSync(file, 'utf8'))
      .filter((target) => !target.startsWith(path.relative(root, dir) + path.sep) && !below.includes(target))
      .map((target) => `${path.relative(root, file)} -> ${target}`),
  );
  assert.deepEqual(bad, []);
});
