// Cost as the system grows: a system of N copies of one small stateless service (N from
// --scale-sizes, default 10, 25, 50; bench/lib/scale-system.ts), run by the kit through GALAXY_ROOT
// in a folder of its own. At each N: `start-all.sh` next to plain `docker compose up --wait` on the
// same files, `health-check.sh` as a whole process next to `docker compose ps`, and `deploy.sh
// --force` of every stateless service. Figures per N; a table on stderr and a chart (SVG) beside
// the session's files. How they grow is judged by the report (scripts/lib/report/growth.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { docker } from '../../scripts/lib/docker/client.ts';
import { sizeSubject } from '../../scripts/lib/report/growth.ts';
import { type ScriptResult, TestStack, explain } from '../../test/harness/stack.ts';
import { chartSheet } from '../lib/chart.ts';
import { figure, measurement } from '../lib/figure.ts';
import { writeOverlay, writeScaleSystem } from '../lib/scale-system.ts';
import { timed } from '../lib/stack.ts';
import { median } from '../lib/stats.ts';
import { type Suite, type SuiteContext, repeat } from '../lib/suite.ts';

interface SizeResult {
  n: number;
  start: number[];
  plain: number[];
  health: number[];
  ps: number[];
  deploy: number[];
}

function ok(what: string, result: ScriptResult): ScriptResult {
  if (result.exitCode !== 0) throw new Error(`${what} failed: ${explain(result)}`);
  return result;
}

async function measureSize(ctx: SuiteContext, stack: TestStack, n: number): Promise<SizeResult> {
  const script = async (name: string, args: string[] = [], timeout = '1800s') =>
    ok(`scripts/${name}.sh ${args.join(' ')}`, await stack.script(name, args, {}, timeout));
  const plain = async (args: string[]) => ok(`docker compose ${args.join(' ')}`, await stack.compose(args));
  ctx.log(`bench: scale N=${n}: first start (builds the copies' one image when its inputs changed; not timed)`);
  await script('start-all');
  // Start and deploy-all replace every container of the system each run (at N = 50 a deploy-all is
  // minutes on 2 cores), so they take --scale-runs (3 by default) where health takes --runs.
  const start: number[] = [];
  const plainStart: number[] = [];
  for (let run = 0; run < ctx.scale.runs; run++) {
    // Paired, as in the start suite: ours, then plain compose on the same files, images and data.
    await script('stop-all');
    start.push((await timed(() => script('start-all'))).seconds);
    await plain(['down', '--timeout', '20', '--remove-orphans']);
    plainStart.push((await timed(() => plain(['up', '--detach', '--wait', '--wait-timeout', '280']))).seconds);
    ctx.log(`bench: scale N=${n} start run ${run + 1}: ${start[run].toFixed(2)}s, plain ${plainStart[run].toFixed(2)}s`);
  }
  const health = await repeat(ctx.runs, async () => (await timed(() => script('health-check', ['--json'], '120s'))).seconds);
  const ps = await repeat(ctx.runs, async () => (await timed(() => plain(['ps', '--all', '--format', 'json']))).seconds);
  const deploy = await repeat(ctx.scale.runs, async (run) => {
    const { seconds } = await timed(() => script('deploy', ['--force']));
    ctx.log(`bench: scale N=${n} deploy-all run ${run + 1}: ${seconds.toFixed(1)}s`);
    return seconds;
  });
  return { n, start, plain: plainStart, health, ps, deploy };
}

/** The table printed at the end: one row per N, medians. */
function table(results: SizeResult[]): string {
  const cell = (v: number[]) => median(v).toFixed(2).padStart(9);
  return [
    '    N  start (s)  plain (s)  over (s)  health (s)  ps (s)  deploy-all (s)',
    ...results.map(
      (r) =>
        `${String(r.n).padStart(5)} ${cell(r.start)}  ${cell(r.plain)} ${cell(r.start.map((t, i) => t - r.plain[i]))} ${cell(r.health)}  ${median(r.ps).toFixed(2).padStart(6)}  ${cell(r.deploy).padStart(14)}`,
    ),
  ].join('\n');
}

function chart(results: SizeResult[]): string {
  const series = (name: string, pick: (r: SizeResult) => number[]) => ({ name, points: results.map((r) => ({ x: r.n, y: median(pick(r)) })) });
  const xLabel = 'N generated stateless services';
  return chartSheet([
    {
      title: 'Start and deploy-all as the system grows (median)',
      xLabel,
      yLabel: 'seconds',
      series: [series('make start', (r) => r.start), series('plain compose up --wait', (r) => r.plain), series('deploy-all', (r) => r.deploy)],
    },
    {
      title: 'Health check as the system grows (median)',
      xLabel,
      yLabel: 'seconds',
      series: [series('health-check.sh', (r) => r.health), series('plain compose ps', (r) => r.ps)],
    },
  ]);
}

export const scaleSuite: Suite = {
  name: 'scale',
  what: 'start, health check and deploy-all of a system of N generated stateless services',
  async run(ctx) {
    const root = mkdtempSync(path.join(tmpdir(), 'galaxy-scale-'));
    const stack = new TestStack(root);
    // One repository for this run's copies: every tag in it is this run's, removed at the end.
    const repository = `galaxy-bench/${stack.project.replace(/^galaxy-test-/, 'scale-')}`;
    const results: SizeResult[] = [];
    try {
      writeScaleSystem(root);
      // deploy.sh tags its builds with the system's git commit: the folder is a repository.
      await $({ cwd: root, quiet: true })`git init -q && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm scale`;
      await stack.init();
      for (const n of ctx.scale.sizes) {
        writeOverlay(root, n, repository);
        results.push(await measureSize(ctx, stack, n));
      }
    } finally {
      ctx.log(`bench: scale: removing ${stack.project} and the images of ${repository}`);
      await stack.destroy();
      const images = (await docker(['image', 'ls', '--quiet', repository]).nothrow()).stdout.split('\n').filter(Boolean);
      if (images.length) await docker(['image', 'rm', '--force', ...new Set(images)], '120s').nothrow();
      rmSync(root, { recursive: true, force: true });
    }
    ctx.log(`bench: scale: medians\n${table(results)}`);
    const heavy = `${ctx.scale.runs} runs at each N (--scale-runs)`;
    return {
      message:
        `a system of N copies of bench/fixtures/scale-service (nginx, no host port, labels galaxy.deploy=rolling and galaxy.health.path), layered as docker-compose.adopted.yml on an empty base in a folder of its own (GALAXY_ROOT). ` +
        `start = stop-all.sh, then start-all.sh timed until all healthy; plain = docker compose down, then up --detach --wait on the same files, right after ours in each run. ` +
        `deploy-all = deploy.sh --force: every copy built (one image, cached) and replaced, independent copies side by side in waves of up to 4 per CPU core.`,
      figures: results.flatMap((r) => {
        const subject = sizeSubject(r.n);
        return [
          figure('scale.start', './scripts/stop-all.sh; ./scripts/start-all.sh', r.start, {
            subject,
            note: heavy,
            comparison: measurement('plain compose up --wait', 'docker compose down; docker compose up --detach --wait  (same files, images)', r.plain, 's'),
          }),
          figure(
            'scale.over-plain',
            'start-all.sh − plain compose up --wait of the same run',
            r.start.map((t, i) => t - r.plain[i]),
            { subject, note: heavy },
          ),
          figure('scale.health', './scripts/health-check.sh --json', r.health, {
            subject,
            comparison: measurement('plain compose ps', 'docker compose ps --all --format json', r.ps, 's'),
          }),
          figure('scale.deploy-all', './scripts/deploy.sh --force', r.deploy, { subject, note: heavy }),
        ];
      }),
      files: results.length ? [{ suffix: 'scale.svg', text: chart(results) }] : [],
    };
  },
};
