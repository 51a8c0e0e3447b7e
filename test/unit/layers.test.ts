// The layers hold (rules: test/lib/layers.ts): scripts/ never imports the bench or the tests (so
// never the harness, test/harness/); scripts/lib never reaches up into an entry point; the harness
// and the bench build only on scripts/lib; discovery keeps to its own folder; the Docker client stays at the bottom. Read from the import
// lines themselves; `make test`'s checks apply the same rules to dpdm's resolved graph.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { layerViolation, layerViolations } from '../lib/layers.ts';
import { tsFiles } from '../lib/source-files.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Relative import targets of a file, resolved to paths under the project root. */
export function relativeImports(file: string, source: string): string[] {
  const specs = [
    ...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm),
    ...source.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specs.map((spec) => path.relative(root, path.resolve(path.dirname(file), spec)));
}

test('the import reader sees static, re-exported and dynamic relative imports', () => {
  const file = path.join(root, 'scripts/lib/x/a.ts');
  const src =
    "import { a } from './b.ts';\nexport { c } from '../c.ts';\nimport type { D } from '../../../bench/d.ts';\nconst m = await import('./e.ts');\nimport { $ } from 'zx';\n";
  assert.deepEqual(relativeImports(file, src), ['scripts/lib/x/b.ts', 'scripts/lib/c.ts', 'bench/d.ts', 'scripts/lib/x/e.ts']);
});

test('the rules: scripts/ never imports bench/, test/ or the harness; the harness and bench/ build on scripts/lib', () => {
  assert.match(layerViolation('scripts/report.ts', 'bench/lib/results.ts') ?? '', /scripts\/ never imports bench\//);
  assert.match(layerViolation('scripts/report.ts', 'test/harness/stack.ts') ?? '', /scripts\/ never imports the harness/);
  assert.match(layerViolation('scripts/lib/report/x.ts', 'test/lib/counts.ts') ?? '', /scripts\/ never imports test\//);
  assert.match(layerViolation('scripts/lib/deploy/plan.ts', 'scripts/deploy.ts') ?? '', /never imports an entry point/);
  assert.match(layerViolation('scripts/lib/discovery/a.ts', 'scripts/lib/paths.ts') ?? '', /discovery imports nothing/);
  assert.match(layerViolation('test/harness/stack.ts', 'test/lib/counts.ts') ?? '', /the harness imports only/);
  assert.match(layerViolation('test/harness/stack.ts', 'bench/lib/stack.ts') ?? '', /the harness imports only/);
  assert.match(layerViolation('bench/deploy.ts', 'test/integration/helpers/backup.ts') ?? '', /bench\/ imports only/);
  const allowed = [
    ['test/harness/selfheal.ts', 'scripts/lib/paths.ts'],
    ['bench/lib/stack.ts', 'test/harness/stack.ts'],
    ['bench/lib/figure.ts', 'scripts/lib/report/figures.ts'],
    ['test/unit/x.test.ts', 'bench/lib/figure.ts'],
    ['test/integration/x.test.ts', 'test/harness/load.ts'],
    ['scripts/report.ts', 'node_modules/zx/build/index.cjs'],
    ['scripts/report.ts', 'node:path'],
  ];
  for (const [from, to] of allowed) assert.equal(layerViolation(from, to), undefined, `${from} -> ${to}`);
});

test('every import in scripts/, bench/ and test/ keeps to the layers', () => {
  const graph = Object.fromEntries(
    ['scripts', 'bench', 'test']
      .flatMap((dir) => tsFiles(path.join(root, dir)))
      .map((file) => [path.relative(root, file), relativeImports(file, readFileSync(file, 'utf8'))]),
  );
  assert.deepEqual(layerViolations(graph), []);
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
