// Discovery quality and time: `tsx bench/discovery.ts [--runs N]`.
// Scores the tool against every hand-written truth file in test/fixtures/discovery (recall and
// precision for services, ports, dependencies and problems; the table goes to stderr), then times
// scans of a generated 2,000-file repository (median/min/max of N scans, default 5, in ms) next to
// a plain `grep -rlE` for listen calls. Figures are JSON on stdout; no goal is judged here.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { scoreCases } from '../scripts/lib/discovery/cases.ts';
import { scan } from '../scripts/lib/discovery/inventory.ts';
import { addScores, CATEGORIES, precision, recall, scoreTable } from '../scripts/lib/discovery/score.ts';
import { projectRoot } from '../scripts/lib/paths.ts';
import { defineCommand } from '../scripts/lib/command/define.ts';
import { largeRepoFiles, makeRepo } from '../test/harness/discovery-fixtures.ts';
import { figure, measurement } from './lib/figure.ts';
import { parseRuns, runsOption } from './lib/options.ts';

const discoveryBench = {
  name: 'bench/discovery.ts',
  summary: 'Discovery quality against the hand-written truth files, and the scan time of a generated 2,000-file repository.',
  options: { runs: runsOption },
  examples: ['tsx bench/discovery.ts --runs 5'],
};

await defineCommand(discoveryBench, {
  validate: (parsed) => parseRuns(parsed.values.runs),
  run: async (runs) => {
    const cases = scoreCases(path.join(projectRoot, 'test', 'fixtures', 'discovery'));
    process.stderr.write(`discovery scored against ${cases.length} truth files (test/fixtures/discovery):\n${scoreTable(cases)}\n`);
    const total = addScores(cases.map((c) => c.score));
    const quality = CATEGORIES.flatMap((c) => [
      figure('discovery.recall', 'tsx bench/discovery.ts (scoreCases over test/fixtures/discovery)', [recall(total[c]) * 100], {
        subject: c,
        note: `${total[c].tp} found of ${total[c].tp + total[c].fn} in ${cases.length} truth files`,
      }),
      figure('discovery.precision', 'tsx bench/discovery.ts (scoreCases over test/fixtures/discovery)', [precision(total[c]) * 100], {
        subject: c,
        note: `${total[c].tp} right of ${total[c].tp + total[c].fp} reported`,
      }),
    ]);
    const files = largeRepoFiles(2000);
    const root = makeRepo(files, 'discover-bench-');
    try {
      const times: number[] = [];
      const greps: number[] = [];
      let services = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const inv = scan(root);
        times.push(performance.now() - t0);
        services = inv.services.length;
        const g0 = performance.now();
        spawnSync(
          'grep',
          ['-rlE', '--exclude-dir=node_modules', '--exclude-dir=.git', '--exclude-dir=.venv', 'listen\\(|createServer|HTTPServer|app\\.run', root],
          { stdio: 'ignore' },
        );
        greps.push(performance.now() - g0);
        process.stderr.write(`discovery run ${i + 1}/${runs}: ${Math.round(times[i])} ms, ${services} services\n`);
      }
      const note = `${Object.keys(files).length} files generated (${services} services found); includes node_modules, .git and a virtual environment that are skipped`;
      const scanFigure = figure('discovery.scan', 'tsx bench/discovery.ts (scan(root) in-process)', times, {
        note,
        comparison: measurement(
          'grep -rlE for listen calls (no ports, no dependencies)',
          "grep -rlE 'listen\\(|createServer|HTTPServer|app\\.run' <repo>",
          greps,
          'ms',
        ),
      });
      process.stdout.write(`${JSON.stringify([...quality, scanFigure])}\n`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
