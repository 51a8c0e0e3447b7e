// The report's availability figure, read from Prometheus: every public endpoint's blackbox probes
// (job "blackbox", one every 5 s) over the stack's lifetime: from the first probe Prometheus still
// holds, 30 days at most (the SLO's window), with the window stated. The queries and
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

/** When the oldest probe within 30 days was taken (a 1-minute subquery: one cheap query). */
export const FIRST_PROBE = 'min(min_over_time(timestamp(probe_success{job="blackbox"})[30d:1m]))';
/**
 * The same over the last hour at the probes' own 5 s: a subquery's steps fall on whole minutes, so
 * before the first whole minute after the first probe the query above finds none (a stack started
 * seconds ago), though Prometheus holds probes.
 */
export const FIRST_PROBE_RECENT = 'min(min_over_time(timestamp(probe_success{job="blackbox"})[1h:5s]))';

/** The window from the first probe to now, whole seconds, 30 days at most (pure). */
export function availabilityWindow(firstProbeSeconds: number, nowSeconds: number): number {
  return Math.max(1, Math.min(THIRTY_DAYS, Math.ceil(nowSeconds - firstProbeSeconds)));
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
    // The first probe Prometheus still holds (to the minute): the window is the probes' own
    // lifetime, not the age of Prometheus's volume, which may predate them.
    const first = (await scalar(FIRST_PROBE)) ?? (await scalar(FIRST_PROBE_RECENT));
    if (first === undefined) return undefined;
    const now = Date.now() / 1000;
    const seconds = availabilityWindow(first, now);
    const q = availabilityQueries(seconds);
    const [ok, total, endpoints] = await Promise.all([scalar(q.ok), scalar(q.total), scalar(q.endpoints)]);
    if (ok === undefined || !total || !endpoints) return undefined;
    return { percent: (100 * ok) / total, probes: total, endpoints, windowSeconds: seconds, since: new Date((now - seconds) * 1000) };
  } catch {
    return undefined;
  }
}
