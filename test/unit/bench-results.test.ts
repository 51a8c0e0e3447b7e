import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { figure, measurement } from '../../bench/lib/figure.ts';
import { type Session, renderMarkdown, stamp, writeSession } from '../../bench/lib/results.ts';
import { benchCommand, benchOptions } from '../../bench/run.ts';
import { parseCommand } from '../../scripts/lib/command/define.ts';

/** `make bench ARGS=...` as the command parses and checks it. */
function parseBenchArgs(argv: string[]) {
  const parsed = parseCommand(benchCommand, argv);
  if ('help' in parsed) throw new Error('help');
  return benchOptions(parsed.values);
}
import { newestFigures, newestSession } from '../../scripts/lib/report/bench-results.ts';

function session(startedAt: string, median: number): Session {
  return {
    startedAt,
    finishedAt: startedAt,
    host: { cpus: 2 },
    options: { runs: 3, only: ['start', 'backup'] },
    suites: [
      {
        suite: 'start',
        status: 'ok',
        message: 'warm = images kept',
        seconds: 1,
        figures: [
          figure('start.warm', './scripts/start-all.sh', [median, median + 2, median - 1], {
            comparison: measurement('plain', 'docker compose up --wait', [5, 6, 7], 's'),
          }),
        ],
      },
      { suite: 'backup', status: 'not available', message: 'bench/backup.ts does not exist', seconds: 0, figures: [] },
    ],
  };
}

test('stamp is file-name safe and sorts in time order', () => {
  assert.equal(stamp(new Date('2026-11-25T23:05:09.123Z')), '2026-11-25T23-05-09Z');
});

test('markdown has one row per figure with median, range, run count, comparison and command, and a not-available row', () => {
  const md = renderMarkdown(session('2026-11-25T23:00:00.000Z', 30));
  assert.match(
    md,
    /\| start \| warm start to all healthy \| 30\.0 s \(29\.0–32\.0, n=3\) \| 6\.00 s \(5\.00–7\.00, n=3\): plain, `docker compose up --wait` \| `\.\/scripts\/start-all\.sh` \|/,
  );
  assert.match(md, /\| backup \| not available \| - \| - \| bench\/backup\.ts does not exist \|/);
  assert.match(md, /- \*\*start\*\*: warm = images kept/);
});

test('writeSession writes JSON and markdown with no temp file left; newest session and figure are found', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
  writeSession(dir, session('2026-11-25T22:00:00.000Z', 40));
  const second = session('2026-11-25T23:00:00.000Z', 30);
  second.suites = [{ suite: 'health', status: 'ok', seconds: 1, figures: [figure('health.command', 'h', [1, 2, 3])] }];
  const files = writeSession(dir, second);
  assert.ok(existsSync(files.json) && existsSync(files.markdown));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.tmp')),
    [],
  );
  assert.equal(newestSession(dir)?.session.startedAt, '2026-11-25T23:00:00.000Z');
  // The newer session lacks the start figure: the older one still answers, with its file.
  const found = newestFigures(dir, 'start.warm');
  assert.deepEqual(
    found?.figures.map((f) => f.median),
    [40],
  );
  assert.match(found?.file ?? '', /2026-11-25T22-00-00Z\.json$/);
  assert.equal(newestFigures(dir, 'cold.start'), undefined);
  writeFileSync(path.join(dir, 'notes.json'), '{}');
  const written = JSON.parse(readFileSync(files.json, 'utf8'));
  assert.equal(written.suites[0].suite, 'health');
  assert.equal(written.suites[0].figures[0].id, 'health.command');
});

test('no results folder means no session, not a crash', () => {
  assert.equal(newestSession('/nonexistent/bench/results'), undefined);
  assert.equal(newestFigures('/nonexistent/bench/results', 'start.warm'), undefined);
});

test('bench arguments: defaults, --only, --runs and refusals', () => {
  assert.equal(parseBenchArgs([]).runs, 5);
  assert.ok(parseBenchArgs([]).only.includes('discovery'));
  assert.deepEqual(parseBenchArgs(['--only', 'health,start', '--runs', '7']), { runs: 7, only: ['health', 'start'], scaleSizes: [10, 25, 50], scaleRuns: 3 });
  assert.deepEqual(parseBenchArgs(['--only', 'scale', '--scale-sizes', '25,10', '--scale-runs', '2']).scaleSizes, [10, 25]);
  assert.throws(() => parseBenchArgs(['--only', 'warp']), /unknown bench suite warp: choose from fresh, cold, start/);
  assert.throws(() => parseBenchArgs(['--runs', '0']), /--runs must be a whole number/);
  assert.throws(() => parseBenchArgs(['--fast']), /usage: bench\.sh/);
});
