// The scorer that judges discovery against the hand-written truth files: what counts as found,
// as wrong and as missed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scoreCases } from '../../scripts/lib/discovery/cases.ts';
import { addScores, CATEGORIES, precision, recall, scoreInventory, scoreTable, type Truth } from '../../scripts/lib/discovery/score.ts';
import type { Dependency, Inventory, Problem, Service } from '../../scripts/lib/discovery/types.ts';
import { inventory as emptyInventory } from '../helpers/inventory.ts';

const row = (name: string, kind: Service['kind'], ports: number[], dir = name): Service => ({
  name,
  kind,
  language: 'node',
  framework: null,
  entry: `${dir}/index.js`,
  dir,
  bind: null,
  start: null,
  ports: ports.map((port) => ({ port, source: 'literal', file: `${dir}/index.js`, line: 1 })),
  dependencies: { declared: [], imported: [] },
  env: [],
  health: null,
  reason: '',
  status: 'not probed',
  files: [],
});
const dep = (from: string, host: string, resolved: string | null): Dependency => ({
  from,
  file: 'x.js',
  line: 1,
  target: `${host}:1`,
  scheme: null,
  host,
  port: 1,
  kind: 'internal',
  resolved,
  name: resolved,
});
const prob = (rule: string, file: string): Problem => ({ rule, severity: 'high', file, line: 1, service: null, message: '', fix: '' });
const inventory = (services: Service[], dependencies: Dependency[], problems: Problem[]): Inventory =>
  emptyInventory(services, { dependencies, problems, copies: [{ dir: 'backup/api', entry: 'backup/api/index.js', of: 'notes-api' }] });

const truth: Truth = {
  services: [
    { name: 'notes-api', aka: ['api'], ports: [4000] },
    { name: 'web', ports: [80, 443] },
  ],
  copies: ['backup/api'],
  dependencies: [
    { from: 'web', to: 'notes-api' },
    { from: 'notes-api', to: 'db' },
  ],
  problems: [
    { rule: 'port-conflict', file: ['a.js', 'b.js'] },
    { rule: 'debug-mode', file: 'Dockerfile' },
  ],
};

describe('discovery scorer', () => {
  it('counts a second row for one service, a wrong port and a copy listed as a service as false positives', () => {
    const s = scoreInventory(
      inventory(
        [
          row('api', 'server', [4000, 9229]),
          row('api (Dockerfile)', 'container', []),
          row('web', 'compose', [80]),
          row('start.sh', 'script', []),
          row('old', 'server', [1], 'ARCHIVE/old'),
        ],
        [],
        [],
      ),
      truth,
    );
    // Found: notes-api, web and the marked copy; wrong: the Dockerfile row and the archived one.
    assert.deepEqual(
      [s.services, s.ports],
      [
        { tp: 3, fp: 2, fn: 0 },
        { tp: 2, fp: 1, fn: 1 },
      ],
    );
    assert.ok(s.misses.includes('port missed: web:443') && s.misses.includes('port not in truth: notes-api:9229'));
  });

  it('matches dependency edges by alias, resolved name or host, once per edge', () => {
    const s = scoreInventory(
      inventory([], [dep('web', 'api', 'notes-api'), dep('web', 'api', 'notes-api'), dep('api', 'db', null), dep('web', 'example.org', null)], []),
      truth,
    );
    assert.deepEqual(s.dependencies, { tp: 2, fp: 1, fn: 0 });
  });

  it('scores problems by rule and file and leaves advice rules out', () => {
    const s = scoreInventory(
      inventory([], [], [prob('port-conflict', 'b.js'), prob('port-conflict', 'b.js'), prob('no-health-endpoint', 'a.js'), prob('debug-mode', 'compose.yml')]),
      truth,
    );
    assert.deepEqual(s.problems, { tp: 1, fp: 1, fn: 1 });
  });

  it('recall and precision are 1 when there is nothing to find or claim; the table ends with the totals', () => {
    assert.equal(recall({ tp: 0, fp: 3, fn: 0 }), 1);
    assert.equal(precision({ tp: 1, fp: 3, fn: 0 }), 0.25);
    const one = scoreInventory(inventory([row('web', 'server', [80, 443])], [], []), truth);
    assert.equal(addScores([one, one]).services.fn, 2);
    assert.equal(scoreInventory({ ...inventory([], [], []), copies: [] }, truth).misses[0], 'copy not marked: backup/api');
    const table = scoreTable([{ name: 'case-a', score: one }]).split('\n');
    assert.match(table[0], /^case\s+services R\s+services P\s+ports R/);
    assert.match(table[2], /^all\s+66\.7 %\s+100\.0 %/);
  });
});

describe('discovery against the hand-written truth files (test/fixtures/discovery)', () => {
  it('meets the goals: services and ports >= 95 % recall, dependencies and problems >= 95 % precision', () => {
    const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'discovery');
    const cases = scoreCases(fixtures);
    assert.ok(cases.length >= 8, `only ${cases.length} scored cases`);
    const total = addScores(cases.map((c) => c.score));
    const misses = cases.flatMap((c) => c.score.misses.map((m) => `${c.name}: ${m}`));
    const got = Object.fromEntries(CATEGORIES.map((c) => [c, { recall: recall(total[c]), precision: precision(total[c]) }]));
    for (const [category, measure] of [
      ['services', 'recall'],
      ['ports', 'recall'],
      ['dependencies', 'precision'],
      ['problems', 'precision'],
    ] as const) {
      assert.ok(
        got[category][measure] >= 0.95,
        `${category} ${measure} ${(got[category][measure] * 100).toFixed(1)} %:\n${misses.join('\n')}\n${scoreTable(cases)}`,
      );
    }
  });
});
