// The generated 2,000-file repository (also used by bench/discovery.ts): the inventory is exact and
// skipped folders are not read. Timing is measured by the bench, never asserted here.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, it } from 'node:test';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import { largeRepoFiles, makeRepo } from '../harness/discovery-fixtures.ts';

const files = largeRepoFiles(2000);
const root = makeRepo(files, 'discover-large-');
after(() => rmSync(root, { recursive: true, force: true }));

it('discovery: a 2,000-file repository yields exactly its two services and one dependency', () => {
  assert.ok(Object.keys(files).length >= 2000);
  const inv = scan(root);
  assert.deepEqual(
    inv.services.map((s) => [s.name, s.kind, s.entry, s.ports.map((p) => `${p.port}/${p.source}:${p.env}`), s.health]),
    [
      ['svc-a', 'server', 'svc-a/src/index.js', ['4100/env:A_PORT'], '/health'],
      ['svc-b', 'server', 'svc-b/main.py', ['4200/env:B_PORT'], null],
    ],
  );
  assert.deepEqual(
    inv.dependencies.map((d) => [d.from, d.resolved, d.port, d.env]),
    [['svc-b', 'svc-a', 4100, 'A_URL']],
  );
  assert.deepEqual(
    inv.problems.map((p) => p.rule),
    ['no-health-endpoint'],
  );
  // node_modules, .git, .venv and Markdown are seen or skipped, never read.
  const skippedDirs = Object.keys(files).filter((f) => /(^|\/)(node_modules|\.git|\.venv)\//.test(f)).length;
  const docs = Object.keys(files).filter((f) => f.endsWith('.md')).length;
  assert.equal(inv.stats.read, Object.keys(files).length - skippedDirs - docs);
});
