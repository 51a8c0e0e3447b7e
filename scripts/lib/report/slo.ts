// The report's availability figure, read from Prometheus: every public endpoint's blackbox probes
// (job "blackbox", one every 5 s) over the stack's lifetime, as far back as Prometheus keeps them
// (its oldest sample; 30 days at most, the SLO's window), with the window stated. The queries and
// the arithmetic on their answers are pure and unit-tested (test/unit/report-slo.test.ts).
import type { Query } from '../monitoring/prometheus.ts';

const THIRTY_DAYS = 30 * 24 * 3600;

export interface MeasuredAvailability {
  percent: number;
  probes: number;
  endpoints: number;
  /** Seconds the figure spans, ending now. */
  windowSeconds: number;
  since: Date;
}

/** The window from Prometheus's oldest sample to now, whole seconds, 30 days at most (pure). */
export function availabilityWindow(lowestTimestampSeconds: number, nowSeconds: number): number {
  return Math.max(1, Math.min(THIRTY_DAYS, Math.ceil(nowSeconds - lowestTimestampSeconds)));
}

/** The three queries over `seconds`: successful probes, all probes, probed endpoints. */
export function availabilityQueries(seconds: number): { ok: string; total: string; endpoints: string } {
  const range = `probe_success{job="blackbox"}[${seconds}s]`;
  return { ok: `sum(sum_over_time(${range}))`, total: `sum(count_over_time(${range}))`, endpoints: `count(count_over_time(${range}))` };
}

/** "2 h 13 min", "3 d 4 h": how long the window is, for people. */
export function describeWindow(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  return `${minutes} min ${Math.floor(seconds % 60)} s`;
}

/**
 * Availability from the stack's Prometheus (`query`, monitoring/prometheus.ts); undefined when it
 * does not answer or has no probe yet (the report then samples).
 */
export async function availabilityFromPrometheus(query: Query | undefined): Promise<MeasuredAvailability | undefined> {
  if (!query) return undefined;
  const scalar = async (expr: string) => (await query(expr))[0]?.value;
  try {
    const lowest = await scalar('prometheus_tsdb_lowest_timestamp_seconds');
    if (lowest === undefined) return undefined;
    const now = Date.now() / 1000;
    const seconds = availabilityWindow(lowest, now);
    const q = availabilityQueries(seconds);
    const [ok, total, endpoints] = await Promise.all([scalar(q.ok), scalar(q.total), scalar(q.endpoints)]);
    if (ok === undefined || !total || !endpoints) return undefined;
    return { percent: (100 * ok) / total, probes: total, endpoints, windowSeconds: seconds, since: new Date((now - seconds) * 1000) };
  } catch {
    return undefined;
  }
}
