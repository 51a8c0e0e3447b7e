// The one shape every benchmark figure has, ours and the ones other suites print on stdout.
// Documented in bench/README.md; `normalizeFigure` accepts the small variations child suites may
// print (runs as a count instead of the values, a missing unit) and rejects anything unusable.
import { round, summarize } from './stats.ts';

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
  /** The same thing done the plain way, run in the same session. */
  comparison?: Measurement;
}

export function measurement(name: string, command: string, values: number[], unit: string, note?: string): Measurement {
  const s = summarize(values);
  return { name, command, runs: values.map((v) => round(v)), median: round(s.median), min: round(s.min), max: round(s.max), unit, ...(note ? { note } : {}) };
}

export function runCount(m: Pick<Measurement, 'runs'>): number {
  return Array.isArray(m.runs) ? m.runs.length : m.runs;
}

function asMeasurement(raw: unknown, where: string): Measurement {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: not an object`);
  const r = raw as Record<string, unknown>;
  const name = typeof r.name === 'string' ? r.name : undefined;
  if (!name) throw new Error(`${where}: no "name"`);
  const values = Array.isArray(r.runs) ? r.runs.filter((v): v is number => typeof v === 'number') : undefined;
  const pick = (key: string): number | undefined => (typeof r[key] === 'number' ? (r[key] as number) : undefined);
  // Values alone are enough: the summary is computed here when a child left it out.
  const computed = values?.length ? summarize(values) : undefined;
  const med = pick('median') ?? computed?.median;
  const min = pick('min') ?? computed?.min;
  const max = pick('max') ?? computed?.max;
  if (med === undefined || min === undefined || max === undefined) throw new Error(`${where} (${name}): needs median, min and max, or the run values`);
  return {
    name,
    command: typeof r.command === 'string' ? r.command : '(command not given)',
    runs: values ?? (typeof r.runs === 'number' ? r.runs : 0),
    median: med,
    min,
    max,
    unit: typeof r.unit === 'string' ? r.unit : '',
    ...(typeof r.note === 'string' ? { note: r.note } : {}),
  };
}

export function normalizeFigure(raw: unknown, where: string): Figure {
  const base = asMeasurement(raw, where);
  const comparison = (raw as Record<string, unknown>).comparison;
  if (comparison === undefined || comparison === null) return base;
  // A comparison without its own name is named after the figure it belongs to.
  const named = typeof comparison === 'object' && !('name' in (comparison as object)) ? { ...(comparison as object), name: `${base.name} (comparison)` } : comparison;
  return { ...base, comparison: asMeasurement(named, `${where} comparison`) };
}

/**
 * Reads what a child suite printed: JSON documents (a figure, an array of figures, or an object
 * with a `figures` array), compact or pretty-printed, possibly among progress lines that a shared
 * library wrote to stdout. A document starts on a line beginning with `{` or `[`; lines are added
 * until they parse, so a pretty-printed document is found whole.
 */
export function parseChildOutput(stdout: string, suite: string): Figure[] {
  const fromDocument = (doc: unknown): unknown[] => {
    if (Array.isArray(doc)) return doc;
    if (doc && typeof doc === 'object' && Array.isArray((doc as { figures?: unknown }).figures)) return (doc as { figures: unknown[] }).figures;
    return [doc];
  };
  const tryParse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const items: unknown[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*[[{]/.test(lines[i])) continue;
    for (let j = i; j < lines.length; j++) {
      const doc = tryParse(lines.slice(i, j + 1).join('\n'));
      if (doc !== undefined) {
        items.push(...fromDocument(doc));
        i = j;
        break;
      }
    }
  }
  if (!items.length) throw new Error(`${suite}: printed no JSON figure on stdout`);
  return items.map((item, i) => normalizeFigure(item, `${suite} figure ${i + 1}`));
}
