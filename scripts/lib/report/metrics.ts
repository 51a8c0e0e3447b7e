// The brief's success metrics, each judged only on a figure that was measured: a metric without a
// measurement is NOT MEASURED, never a pass. Pure, so the rule is unit-tested.

export type Verdict = 'PASS' | 'FAIL' | 'NOT MEASURED';

export interface Goal {
  metric: string;
  /** Human form of the goal, e.g. "< 2 min". */
  goal: string;
  /** The value must be below this (seconds, requests...). */
  below?: number;
  /** The value must be at least this (percent...). */
  atLeast?: number;
  /** The value may be this at most (a growth exponent: 1 is linear, and linear is allowed). */
  atMost?: number;
}

export interface Evidence {
  value: number;
  unit: string;
  /** Where and when it was measured, e.g. "bench/results/2026-...json, median of 5 (min 20, max 31)". */
  source: string;
}

export interface MetricRow extends Goal {
  measured?: string;
  source: string;
  verdict: Verdict;
}

export function judge(goal: Goal, evidence: Evidence | undefined): Verdict {
  if (!evidence || !Number.isFinite(evidence.value)) return 'NOT MEASURED';
  if (goal.below !== undefined && !(evidence.value < goal.below)) return 'FAIL';
  if (goal.atLeast !== undefined && !(evidence.value >= goal.atLeast)) return 'FAIL';
  if (goal.atMost !== undefined && !(evidence.value <= goal.atMost)) return 'FAIL';
  return 'PASS';
}

export function formatValue(value: number, unit: string): string {
  if (unit === 's' && value >= 120) return `${(value / 60).toFixed(1)} min`;
  // Percentages are cut, not rounded: 99.95% must not show as a perfect 100.0%.
  if (unit === '%') return `${(Math.floor(value * 100) / 100).toFixed(2)}%`;
  // Counts (requests, services) are whole numbers: "0 requests", not "0.00 requests".
  if (Number.isInteger(value) && !['s', 'ms', 'min'].includes(unit)) return `${value}${unit ? ` ${unit}` : ''}`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;
}

export function metricRow(goal: Goal, evidence: Evidence | undefined, missing: string): MetricRow {
  return {
    ...goal,
    measured: evidence ? formatValue(evidence.value, evidence.unit) : undefined,
    source: evidence ? evidence.source : missing,
    verdict: judge(goal, evidence),
  };
}

/** Converts a figure's unit to seconds when the goal is in seconds (child suites may print ms or min). */
export function toSeconds(value: number, unit: string): number | undefined {
  switch (unit) {
    case 's':
    case 'sec':
    case 'seconds':
      return value;
    case 'ms':
      return value / 1000;
    case 'min':
      return value * 60;
    default:
      return undefined;
  }
}

export interface ProbeRound {
  ok: number;
  total: number;
}

/** Availability in percent over probe rounds; undefined when nothing was probed. */
export function availability(rounds: ProbeRound[]): number | undefined {
  const total = rounds.reduce((sum, r) => sum + r.total, 0);
  if (!total) return undefined;
  return (100 * rounds.reduce((sum, r) => sum + r.ok, 0)) / total;
}

export function summarizeVerdicts(rows: MetricRow[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, 'NOT MEASURED': 0 };
  for (const row of rows) counts[row.verdict]++;
  return counts;
}
