// Bench figures as evidence for the report's goals, read by id from bench/results (never by
// matching names): the newest session that measured the id, its worst subject for a per-subject
// figure, in seconds when the goal is in seconds.
import path from 'node:path';
import { projectRoot } from '../paths.ts';
import { newestFigures, runCount } from './bench-results.ts';
import { FIGURES, type FigureId } from './figures.ts';
import { type Evidence, toSeconds } from './metrics.ts';

/** The evidence for `id`, with a line describing the figure added to `used`; undefined when none was measured. */
export function benchEvidence(resultsDir: string, id: FigureId, seconds: boolean, used: string[]): Evidence | undefined {
  const found = newestFigures(resultsDir, id);
  if (!found) return undefined;
  const { file, at } = found;
  const figure = found.figures.reduce((worst, f) => (f.median > worst.median ? f : worst));
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

/** What the report says for a figure never measured: the bench suite that produces it (its file's name). */
export function missingFigure(id: FigureId): string {
  return `no bench figure ${id} yet: run \`make bench ARGS="--only ${path.basename(FIGURES[id].producer, '.ts')}"\``;
}
