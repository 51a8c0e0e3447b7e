// Every bench figure has one id in the schema (scripts/lib/report/figures.ts) and exactly one
// producer, found by reading the bench's sources; the report reads figures by id, also from result
// files written before ids existed.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { SUITES } from '../../bench/run.ts';
import { benchEvidence, comparisonEvidence, missingFigure } from '../../scripts/lib/report/bench-evidence.ts';
import { FIGURES, type FigureId, idOf } from '../../scripts/lib/report/figures.ts';
import { tsFiles } from '../lib/source-files.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const ids = Object.keys(FIGURES) as FigureId[];

/** id -> the files that call figure('<id>', ...); bench/lib/figure.ts defines it and is left out. */
function producers(): { byId: Map<string, Set<string>>; unnamed: string[] } {
  const byId = new Map<string, Set<string>>();
  const unnamed: string[] = [];
  for (const file of tsFiles(path.join(root, 'bench')).filter((f) => !f.endsWith(path.join('lib', 'figure.ts')))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const source = readFileSync(file, 'utf8');
    const calls = [...source.matchAll(/\bfigure\(\s*([^,)]*)/g)].map((m) => m[1].trim());
    for (const arg of calls) {
      const literal = /^'([^']+)'$/.exec(arg)?.[1];
      if (!literal) unnamed.push(`${rel}: figure(${arg}, ...)`);
      else byId.set(literal, (byId.get(literal) ?? new Set()).add(rel));
    }
  }
  return { byId, unnamed };
}

test('every figure id has exactly one producer, the one the schema names, and every call names its id literally', () => {
  const { byId, unnamed } = producers();
  assert.deepEqual(unnamed, [], 'an id passed as a variable cannot be traced to its producer');
  assert.deepEqual(
    [...byId.keys()].filter((id) => !ids.includes(id as FigureId)),
    [],
    'ids produced but not in the schema',
  );
  for (const id of ids) {
    assert.deepEqual([...(byId.get(id) ?? [])], [FIGURES[id].producer], `producers of ${id}`);
  }
});

test('each producer is a bench suite (its file name is the suite name), so a missing figure names the suite to run', () => {
  const suites = SUITES.map((s) => s.name);
  for (const id of ids) assert.ok(suites.includes(path.basename(FIGURES[id].producer, '.ts')), `${id}: ${FIGURES[id].producer}`);
  assert.equal(missingFigure('recovery.hang'), 'no bench figure recovery.hang yet: run `make bench ARGS="--only recovery"`');
});

test('a former name belongs to one id only, and no id reads a figure by a pattern', () => {
  const former = ids.flatMap((id) => ('formerNames' in FIGURES[id] ? [...(FIGURES[id] as { formerNames: readonly string[] }).formerNames] : []));
  assert.equal(new Set(former).size, former.length);
  assert.equal(idOf({ name: 'recovery after a crash' }), 'recovery.crash');
  // Before ids, deploy.ts printed a crash figure too; the report's crash goal is the recovery suite's alone.
  assert.equal(idOf({ name: 'backend recovery from a crash' }), undefined);
  assert.equal(idOf({ id: 'deploy.duration', name: 'anything' }), 'deploy.duration');
});

test('the report reads its figures by id from the committed result files, written before ids', () => {
  // The files of 2026-11-26 only (written before figures had ids): newer committed runs would answer first.
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
  const results = path.join(root, 'bench', 'results');
  for (const file of readdirSync(results).filter((f) => f.startsWith('2026-11-26'))) copyFileSync(path.join(results, file), path.join(dir, file));
  const read = (id: FigureId, seconds = true) => {
    const used: string[] = [];
    const evidence = benchEvidence(dir, id, seconds, used);
    return { evidence, line: used[0] ?? '' };
  };
  // The newest file with a crash figure is deploy-only (01-37-11Z): its 'backend recovery from a
  // crash' is not the recovery suite's figure, so the answer comes from the recovery run before it.
  const crash = read('recovery.crash');
  assert.match(crash.evidence?.source ?? '', /2026-11-26T01-31-50Z\.json/);
  assert.match(crash.line, /^recovery after a crash \[recovery\.crash\]/);
  const failed = read('deploy.failed-requests', false);
  assert.match(failed.line, /^deploy backend: failed requests \[deploy\.failed-requests\]/);
  assert.equal(failed.evidence?.unit, 'requests');
  assert.match(read('deploy.duration').line, /^deploy backend: duration \[deploy\.duration\]/);
  assert.match(read('start.warm').evidence?.source ?? '', /2026-11-26T00-08-27Z\.json/);
  assert.match(read('cold.start').line, /^cold start to all healthy/);
  assert.ok(read('recovery.hang').evidence);
});

test('scripts/ reads bench results only through the schema: no figure name, pattern or bench/ import in report.ts', () => {
  const report = readFileSync(path.join(root, 'scripts', 'report.ts'), 'utf8');
  assert.doesNotMatch(report, /bench\/lib|newestFigure\(|RegExp|\/[^/\n]*\.\*[^/\n]*\/i?/);
  for (const id of ['start.warm', 'cold.start', 'recovery.crash', 'recovery.hang', 'deploy.duration', 'deploy.failed-requests'])
    assert.ok(report.includes(`'${id}'`), id);
});

test('a figure against its comparison of the same session: a cost as a ratio, a speed as a share', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'compare-results-'));
  const one = (id: FigureId, ours: [number, string], theirs: [number, string]) => ({
    id,
    name: id,
    command: 'ours',
    runs: [ours[0]],
    median: ours[0],
    min: ours[0],
    max: ours[0],
    unit: ours[1],
    comparison: { name: 'plain', command: 'plain', runs: [theirs[0]], median: theirs[0], min: theirs[0], max: theirs[0], unit: theirs[1] },
  });
  const session = {
    startedAt: '2026-12-03T10:00:00.000Z',
    finishedAt: '2026-12-03T10:30:00.000Z',
    host: {},
    options: { runs: 5, only: ['health', 'backup'] },
    suites: [
      { suite: 'health', status: 'ok', seconds: 1, figures: [one('health.command', [600, 'ms'], [0.4, 's'])] },
      { suite: 'backup', status: 'ok', seconds: 1, figures: [one('backup.duration', [20, 's'], [19, 's'])] },
    ],
  };
  writeFileSync(path.join(dir, '2026-12-03T10-00-00Z.json'), JSON.stringify(session));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const used: string[] = [];
  assert.deepEqual([comparisonEvidence(dir, 'health.command', used)?.value, comparisonEvidence(dir, 'backup.duration', used, true)?.value], [1.5, 95]);
  assert.match(used[0], /600 ms against 0\.4 s \(plain\)/);
  assert.equal(comparisonEvidence(dir, 'start.warm', []), undefined, 'never measured: no evidence');
});
