// The bench result file (bench/results/<timestamp>.json): its shape, written by bench/lib/results.ts,
// and how the report reads it: figures by id (figures.ts), never by matching names. Files written
// before figures had ids stay readable through the exact former names the schema lists.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type FigureId, idOf } from './figures.ts';

export interface Measurement {
  name: string;
  /** The command line that produced the values, as a person would type it. */
  command: string;
  /** Every individual value, in run order (a bare count when a child suite printed only that). */
  runs: number[] | number;
  median: number;
  min: number;
  max: number;
  unit: string;
  note?: string;
}

export interface Figure extends Measurement {
  /** The schema id (scripts/lib/report/figures.ts); absent only in files written before ids. */
  id?: FigureId;
  /** For a per-subject figure: the service or category it measures. */
  subject?: string;
  /** The same thing done the plain way, run in the same session. */
  comparison?: Measurement;
}

export type SuiteStatus = 'ok' | 'not available' | 'failed';

export interface SuiteResult {
  suite: string;
  status: SuiteStatus;
  /** Why a suite is not available or failed; definitions a figure depends on when ok. */
  message?: string;
  figures: Figure[];
  seconds: number;
  /** Files the suite wrote beside the session's json (a chart), by name in the same folder. */
  files?: string[];
}

export interface Session {
  startedAt: string;
  finishedAt: string;
  host: Record<string, string | number>;
  options: { runs: number; only: string[]; scaleSizes?: number[]; scaleRuns?: number };
  suites: SuiteResult[];
}

export function runCount(m: Pick<Measurement, 'runs'>): number {
  return Array.isArray(m.runs) ? m.runs.length : m.runs;
}

/** Session files, newest first (names are UTC timestamps, so they sort in time order). */
function sessionFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^\d{4}-\d\d-\d\dT[\d-]+Z\.json$/.test(n))
      .sort()
      .reverse()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** The newest session file in a folder, or undefined when there is none. */
export function newestSession(dir: string): { file: string; session: Session } | undefined {
  const file = sessionFiles(dir)[0];
  return file ? { file, session: JSON.parse(readFileSync(file, 'utf8')) as Session } : undefined;
}

/**
 * The figures with this id from the newest session that measured it (one per subject for a
 * per-subject figure): a partial run must not hide older figures.
 */
export function newestFigures(dir: string, id: FigureId): { figures: Figure[]; file: string; at: string } | undefined {
  for (const file of sessionFiles(dir)) {
    const session = JSON.parse(readFileSync(file, 'utf8')) as Session;
    const figures = session.suites.filter((s) => s.status === 'ok').flatMap((s) => s.figures.filter((f) => idOf(f) === id));
    if (figures.length) return { figures, file, at: session.finishedAt };
  }
  return undefined;
}
