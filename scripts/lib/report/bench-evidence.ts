// Bench figures as evidence for the report's goals, read by id from bench/results (never by
// matching names): the newest session that measured the id, its worst subject for a per-subject
// figure, in seconds when the goal is in seconds.
import path from 'node:path';
import { projectRoot } from '../paths.ts';
import { newestFigures, runCount } from './bench-results.ts';
import { FIGURES, type FigureId } from './figures.ts';
import { growthExponent, subjectSize } from './growth.ts';
import { type Evidence, toSeconds } from './metrics.ts';

/**
 * The evidence for `id`, with a line describing the figure added to `used`; undefined when none was
 * measured. With `subject`, that subject's figure only (health at N=50), else the worst subject.
 */
export function benchEvidence(resultsDir: string, id: FigureId, seconds: boolean, used: string[], subject?: string): Evidence | undefined {
  const found = newestFigures(resultsDir, id);
  const figures = found?.figures.filter((f) => subject === undefined || f.subject === subject);
  if (!found || !figures?.length) return undefined;
  const { file, at } = found;
  const figure = figures.reduce((worst, f) => (f.median > worst.median ? f : worst));
  const value = seconds ? toSeconds(figure.median, figure.unit) : figure.median;
  if (value === undefined) return undefined;
  const rel = path.relative(projectRoot, file);
  used.push(
    `${figure.name} [${id}]: median ${figure.median} ${figure.unit} (min ${figure.min}, max ${figure.max}, ${runCount(figure)} runs), \`${figure.command}\`` +
      (figure.comparison ? `; comparison ${figure.comparison.name}: median ${figure.comparison.median} ${figure.comparison.unit}` : '') +
      ` (${rel})` +
      (figure.note ? `. Note: ${figure.note}` : ''),
  );
  return {
    value,
    unit: seconds ? 's' : figure.unit,
    source: `${rel} (bench of ${at.slice(0, 16).replace('T', ' ')} UTC), median of ${runCount(figure)}, max ${figure.max} ${figure.unit}`,
  };
}

/**
 * How a per-size figure (the scale suite's, subject `N=<count>`) grows with N: the exponent of a
 * power fit through its medians (growth.ts), from the newest session that measured it; undefined
 * with fewer than two sizes.
 */
export function growthEvidence(resultsDir: string, id: FigureId, used: string[]): Evidence | undefined {
  const found = newestFigures(resultsDir, id);
  const points = (found?.figures ?? []).flatMap((f) => {
    const n = subjectSize(f.subject);
    return n === undefined ? [] : [{ n, value: f.median }];
  });
  const exponent = growthExponent(points);
  if (!found || exponent === undefined) return undefined;
  const rel = path.relative(projectRoot, found.file);
  const sizes = points
    .sort((a, b) => a.n - b.n)
    .map((p) => `N=${p.n}: ${p.value} ${found.figures[0].unit}`)
    .join(', ');
  used.push(`${FIGURES[id].meaning} [${id}], growth exponent ${exponent.toFixed(2)} over the medians ${sizes} (${rel})`);
  return { value: Math.round(exponent * 100) / 100, unit: '', source: `${rel}: exponent k of median ≈ c·N^k over ${sizes}` };
}

/**
 * A figure against its comparison measured in the same session (both medians, the same machine
 * and load): `ours / theirs` for a cost (2 is twice as long), or with `speed` their time over
 * ours as a percentage (the share of the comparison's speed reached); undefined without one.
 */
export function comparisonEvidence(resultsDir: string, id: FigureId, used: string[], speed = false): Evidence | undefined {
  const found = newestFigures(resultsDir, id);
  const figure = found?.figures.find((f) => f.comparison !== undefined);
  const theirs = figure?.comparison;
  if (!found || !figure || !theirs) return undefined;
  // Both in seconds when they are times, so ms against s still compares; other units only alike.
  const [a, b] = [toSeconds(figure.median, figure.unit), toSeconds(theirs.median, theirs.unit)];
  const [mine, other] = a !== undefined && b !== undefined ? [a, b] : figure.unit === theirs.unit ? [figure.median, theirs.median] : [];
  if (mine === undefined || other === undefined || !(mine > 0) || !(other > 0)) return undefined;
  const ratio = speed ? (other / mine) * 100 : mine / other;
  const rel = path.relative(projectRoot, found.file);
  const pair = `${figure.median} ${figure.unit} against ${theirs.median} ${theirs.unit} (${theirs.name})`;
  used.push(`${figure.name} [${id}] against its comparison, same session: medians ${pair} (${rel})`);
  return { value: Math.round(ratio * 100) / 100, unit: speed ? '%' : '×', source: `${rel}: medians of the same session, ${pair}` };
}

/** What the report says for a figure never measured (of one subject): the bench suite that produces it (its file's name). */
export function missingFigure(id: FigureId, subject?: string): string {
  return `no bench figure ${id}${subject ? ` (${subject})` : ''} yet: run \`make bench ARGS="--only ${path.basename(FIGURES[id].producer, '.ts')}"\``;
}

/** What the report says for a growth it cannot judge: the newest session measured fewer than two sizes. */
export function missingGrowth(id: FigureId): string {
  return `no session measured ${id} at two sizes or more: run \`make bench ARGS="--only ${path.basename(FIGURES[id].producer, '.ts')}"\` (sizes 10,25,50)`;
}
