// Building and reading bench figures. Their shape and ids are the report's contract
// (scripts/lib/report/bench-results.ts, figures.ts): a suite makes a figure with `figure(id, ...)`,
// which takes its name and unit from the schema. `normalizeFigure` accepts the small variations child
// suites may print (runs as a count instead of the values) and rejects anything unusable.
import { type Figure, type Measurement, runCount } from '../../scripts/lib/report/bench-results.ts';
import { FIGURES, type FigureId, figureName, isFigureId } from '../../scripts/lib/report/figures.ts';
import { round, summarize } from './stats.ts';

export type { Figure, Measurement };
export { runCount };

/** A measurement without an id: a comparison, run the plain way next to a figure. */
export function measurement(name: string, command: string, values: number[], unit: string, note?: string): Measurement {
  const s = summarize(values);
  return { name, command, runs: values.map((v) => round(v)), median: round(s.median), min: round(s.min), max: round(s.max), unit, ...(note ? { note } : {}) };
}

/**
 * The figure with this id: name and unit from the schema. The id is written out literally at each
 * call (`figure('start.warm', ...)`) so a test can find the one producer of every id.
 */
export function figure(id: FigureId, command: string, values: number[], extra: { subject?: string; note?: string; comparison?: Measurement } = {}): Figure {
  const spec = FIGURES[id];
  if ('perSubject' in spec && spec.perSubject && !extra.subject) throw new Error(`figure ${id} is measured per subject: name one`);
  return {
    id,
    ...(extra.subject ? { subject: extra.subject } : {}),
    ...measurement(figureName(id, extra.subject), command, values, spec.unit, extra.note),
    ...(extra.comparison ? { comparison: extra.comparison } : {}),
  };
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
  const r = raw as Record<string, unknown>;
  // Figures are read by id: one a child printed without a known id could never be found.
  if (!isFigureId(r.id))
    throw new Error(`${where} (${base.name}): ${r.id === undefined ? 'no "id"' : `unknown id "${String(r.id)}"`}: use one of scripts/lib/report/figures.ts`);
  const withId: Figure = { id: r.id, ...(typeof r.subject === 'string' ? { subject: r.subject } : {}), ...base };
  const comparison = r.comparison;
  if (comparison === undefined || comparison === null) return withId;
  // A comparison without its own name is named after the figure it belongs to.
  const named =
    typeof comparison === 'object' && !('name' in (comparison as object)) ? { ...(comparison as object), name: `${base.name} (comparison)` } : comparison;
  return { ...withId, comparison: asMeasurement(named, `${where} comparison`) };
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
