// Summary statistics for repeated measurements. The median, not the mean, because one slow run
// (a cold page cache, a GC pause) should not move the headline figure; min and max show the spread.

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function median(values: number[]): number {
  if (!values.length) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(values: number[]): Summary {
  if (!values.length) throw new Error('summary of no values');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Rounds for display and storage: three significant decimals are more than the timers resolve. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
