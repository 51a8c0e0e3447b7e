// What a suite is: a name, one line saying what it measures, and a body that returns figures.
// Suites share one lazily started BenchStack so a full run builds and starts it once.
import type { Figure } from './figure.ts';
import type { BenchStack } from './stack.ts';

export interface SuiteContext {
  runs: number;
  /** The shared throwaway stack, created on first use (not started: suites start it as they need). */
  stack: () => Promise<BenchStack>;
  /** Progress on stderr; stdout stays free for the summary. */
  log: (line: string) => void;
  /** The scale suite's service counts (ascending) and its runs of start and deploy-all at each. */
  scale: { sizes: number[]; runs: number };
}

export interface SuiteOutcome {
  figures: Figure[];
  /** Definitions the figures depend on, printed under the table. */
  message?: string;
  /** Set when the suite cannot run here at all (a missing part of the kit, not a failure). */
  notAvailable?: string;
  /** Files written beside the session's json and md as `<timestamp>-<suffix>` (a chart). */
  files?: Array<{ suffix: string; text: string }>;
}

export interface Suite {
  name: string;
  what: string;
  /** Run only when named (--only), for this reason: make bench without --only leaves it out. */
  optIn?: string;
  run: (ctx: SuiteContext) => Promise<SuiteOutcome>;
}

/** Runs `body` n times; the body returns one value per run. */
export async function repeat(n: number, body: (run: number) => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(await body(i));
  return values;
}
