// `make bench` / scripts/bench.sh [--only a,b] [--runs N]: measures this machine on a throwaway
// copy of the stack and writes bench/results/<timestamp>.json and .md. Timing goals are judged in
// the report (`make report`), never here and never in tests.
import { cpus, loadavg, release } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { UsageError } from '../scripts/lib/errors.ts';
import { formatDuration, info } from '../scripts/lib/output.ts';
import { projectRoot } from '../scripts/lib/paths.ts';
import { parseRuns, runsOption } from './lib/options.ts';
import { round } from './lib/stats.ts';
import { type Attachment, type Session, type SuiteResult, renderMarkdown, writeSession } from './lib/results.ts';
import { BenchStack } from './lib/stack.ts';
import type { Suite, SuiteContext } from './lib/suite.ts';
import { childSuite } from './suites/children.ts';
import { clusterSuite } from './suites/cluster.ts';
import { coldSuite } from './suites/cold.ts';
import { freshSuite } from './suites/fresh.ts';
import { healthSuite } from './suites/health.ts';
import { recoverySuite } from './suites/recovery.ts';
import { scaleSuite } from './suites/scale.ts';
import { startSuite } from './suites/start.ts';

/** Run order: a fresh machine (it needs no stack of this host), cold (it builds from nothing), then the suites that reuse the running stack. */
export const SUITES: Suite[] = [
  freshSuite,
  coldSuite,
  startSuite,
  healthSuite,
  recoverySuite,
  childSuite('deploy', 'bench/deploy.ts', 'deploy duration and failed requests during a deploy, next to a plain compose redeploy'),
  childSuite('backup', 'bench/backup.ts', 'backup time next to a plain pg_dump of the same data'),
  childSuite('discovery', 'bench/discovery.ts', 'discovery time on a generated 2,000-file repository'),
  scaleSuite,
  clusterSuite,
];

export const resultsDir = path.join(projectRoot, 'bench', 'results');

/** `make bench`: its options, --help and examples (bench/main.ts runs it with defineCommand). */
export const benchCommand = {
  name: 'bench.sh',
  summary: 'Measure start, health, recovery, deploy, backup, discovery and cost as the system grows on throwaway stacks; figures go to bench/results/.',
  options: {
    only: {
      type: 'string',
      value: 'SUITE,SUITE',
      help: `only these suites: ${SUITES.map((s) => s.name).join(', ')} (${SUITES.filter((s) => s.optIn)
        .map((s) => s.name)
        .join(', ')} only when named)`,
    },
    runs: runsOption,
    'scale-sizes': { type: 'string', value: 'N,N', default: '10,25,50', help: 'scale suite: how many generated services, one system size each' },
    'scale-runs': { type: 'string', value: 'N', default: '3', help: 'scale suite: runs of start and deploy-all at each size (health uses --runs)' },
  },
  examples: [
    'make bench',
    'make bench ARGS="--only deploy"',
    './scripts/bench.sh --only start,health --runs 7',
    'make bench ARGS="--only scale --scale-sizes 10"',
    'make bench ARGS="--only cluster"',
  ],
} as const;

export interface BenchOptions {
  runs: number;
  only: string[];
  scaleSizes: number[];
  scaleRuns: number;
}

/** --scale-sizes: distinct whole numbers from 1 to 99 (the copies' names have two digits), ascending. */
export function parseSizes(value: string): number[] {
  const sizes = value.split(',').map((s) => s.trim());
  if (!sizes.length || sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 99))
    throw new UsageError(`--scale-sizes must be whole numbers from 1 to 99 separated by commas, not '${value}'`);
  return [...new Set(sizes.map(Number))].sort((a, b) => a - b);
}

/** Checks the values of --runs, --only and the scale suite's (the entry point parses them with defineCommand). */
export function benchOptions(values: { runs?: string; only?: string; 'scale-sizes'?: string; 'scale-runs'?: string }): BenchOptions {
  const runs = parseRuns(values.runs ?? runsOption.default);
  const scaleSizes = parseSizes(values['scale-sizes'] ?? '10,25,50');
  const scaleRuns = parseRuns(values['scale-runs'] ?? '3', '--scale-runs');
  const names = SUITES.map((s) => s.name);
  const only = values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : SUITES.filter((s) => !s.optIn).map((s) => s.name);
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length) throw new UsageError(`unknown bench suite ${unknown.join(', ')}: choose from ${names.join(', ')}`);
  return { runs, only, scaleSizes, scaleRuns };
}

/** The machine, and how busy it was: other work on a 2-core host moves every figure. */
async function hostFacts(loadAtStart: number): Promise<Record<string, string | number>> {
  const docker = await $`docker version --format {{.Server.Version}}`.quiet().nothrow().timeout('10s');
  return {
    cpus: cpus().length,
    kernel: release(),
    node: process.version,
    docker: docker.stdout.trim() || 'unknown',
    'load1 at start': round(loadAtStart, 2),
    'load1 at end': round(loadavg()[0], 2),
  };
}

export async function runBench(options: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  info(`bench: ${options.only.join(', ')}; ${options.runs} runs per figure; results in ${path.relative(projectRoot, resultsDir)}/`);
  let stack: BenchStack | undefined;
  const ctx: SuiteContext = {
    runs: options.runs,
    stack: async () => (stack ??= await new BenchStack().init()),
    log: (line) => process.stderr.write(`${line}\n`),
    scale: { sizes: options.scaleSizes, runs: options.scaleRuns },
  };
  const suites: SuiteResult[] = [];
  const attachments: Attachment[] = [];
  try {
    for (const suite of SUITES.filter((s) => options.only.includes(s.name))) {
      info(`bench: ${suite.name}: ${suite.what}`);
      const began = performance.now();
      let result: SuiteResult;
      try {
        const outcome = await suite.run(ctx);
        attachments.push(...(outcome.files ?? []).map((f) => ({ suite: suite.name, ...f })));
        result = outcome.notAvailable
          ? { suite: suite.name, status: 'not available', message: outcome.notAvailable, figures: [], seconds: 0 }
          : { suite: suite.name, status: 'ok', message: outcome.message, figures: outcome.figures, seconds: 0 };
      } catch (err) {
        result = { suite: suite.name, status: 'failed', message: (err as Error).message.split('\n').slice(0, 12).join(' / '), figures: [], seconds: 0 };
      }
      result.seconds = round((performance.now() - began) / 1000, 1);
      info(`bench: ${suite.name}: ${result.status}${result.status === 'ok' ? '' : `: ${result.message}`} (${formatDuration(result.seconds)})`);
      suites.push(result);
    }
  } finally {
    if (stack) {
      info(`bench: removing throwaway stack ${stack.project}`);
      await stack.destroy();
    }
  }
  const session: Session = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), host: await hostFacts(loadAtStart), options, suites };
  const files = writeSession(resultsDir, session, attachments);
  info(`\n${renderMarkdown(session)}`);
  info(`bench: wrote ${path.relative(projectRoot, files.json)} and ${path.relative(projectRoot, files.markdown)}`);
  // A suite that failed makes the run fail; one that is not available here does not.
  return suites.some((s) => s.status === 'failed') ? 1 : 0;
}
