// The status page's pictures: a fixed set of Prometheus queries (never one the caller writes),
// their URLs over a bounded range, and the answers turned into per-service value arrays. Pure:
// the HTTP calls and the cache are in prometheus.ts. monitoring/grafana/dashboards/status.json
// shows the same query texts (test/status-charts.test.ts keeps the two equal).

/** The page shows the last hour, one point every 30 s: at most 121 points per line. */
export const RANGE_SECONDS = 3600;
export const STEP_SECONDS = 30;

// /health and /metrics are hit every few seconds by Docker and Prometheus: counting them would
// hide the real requests (the same filter as the overview dashboard and the alert rules).
const REAL = 'route!~"/health|/metrics"';

export type SeriesKey = 'requests' | 'errors' | 'latency' | 'cpu' | 'memory';

export interface SeriesQuery {
  key: SeriesKey;
  title: string;
  unit: 'req/s' | 'ratio' | 's' | 'cores' | 'bytes';
  expr: string;
}

/** One line per service for each; `sum by (service)` joins the containers of a rolling deploy. */
export const SERIES_QUERIES: readonly SeriesQuery[] = [
  { key: 'requests', title: 'Request rate', unit: 'req/s', expr: `sum by (service) (rate(http_requests_total{${REAL}}[1m]))` },
  {
    key: 'errors',
    title: 'Error rate (5xx share)',
    unit: 'ratio',
    // 0/0 would be NaN (a gap) on a quiet service: with no traffic the share is 0, and a service
    // that never answered a 5xx (no such series) reads 0 too, through the `or`.
    expr:
      `(sum by (service) (rate(http_requests_total{status=~"5..", ${REAL}}[1m])) / (sum by (service) (rate(http_requests_total{${REAL}}[1m])) > 0))` +
      ` or (sum by (service) (rate(http_requests_total{${REAL}}[1m])) * 0)`,
  },
  {
    key: 'latency',
    title: 'Latency p95',
    unit: 's',
    expr: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${REAL}}[1m])))`,
  },
  { key: 'cpu', title: 'CPU', unit: 'cores', expr: 'sum by (service) (rate(galaxy_container_cpu_seconds_total[1m]))' },
  { key: 'memory', title: 'Memory', unit: 'bytes', expr: 'sum by (service) (galaxy_container_memory_bytes)' },
];

/** Instant queries: the 24 h availability (rules/slo.yml) and whether a service's containers run (the watcher). */
export const AVAILABILITY_EXPR = 'service:probe_availability:ratio_24h';
export const RUNNING_EXPR = 'max by (service) (galaxy_container_running)';

export interface Range {
  start: number;
  end: number;
  step: number;
}

/** The last hour up to `nowMs`, its ends on the step grid so every cache period asks the same points. */
export function chartRange(nowMs: number): Range {
  const end = Math.floor(nowMs / 1000 / STEP_SECONDS) * STEP_SECONDS;
  return { start: end - RANGE_SECONDS, end, step: STEP_SECONDS };
}

/** The Prometheus API paths (with query string) the route asks, and nothing else. */
export function rangeQueryPath(expr: string, range: Range): string {
  const q = new URLSearchParams({ query: expr, start: String(range.start), end: String(range.end), step: String(range.step) });
  return `/api/v1/query_range?${q}`;
}

export function instantQueryPath(expr: string, timeSeconds: number): string {
  return `/api/v1/query?${new URLSearchParams({ query: expr, time: String(timeSeconds) })}`;
}

export const ALERTS_PATH = '/api/v1/alerts';

type Sample = [number, string];
export interface MatrixRow {
  metric: Record<string, string>;
  values: Sample[];
}
export interface VectorRow {
  metric: Record<string, string>;
  value: Sample;
}
export interface PromAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  state: string;
  activeAt?: string;
}

const finite = (text: string): number | null => {
  const v = Number(text);
  return Number.isFinite(v) ? v : null; // NaN (no requests to take a quantile of), ±Inf: a gap
};

/** A matrix as one array per service on the range's grid: null where Prometheus has no point. */
export function alignMatrix(rows: MatrixRow[], range: Range): Map<string, Array<number | null>> {
  const points = Math.round((range.end - range.start) / range.step) + 1;
  const out = new Map<string, Array<number | null>>();
  for (const row of rows) {
    const service = row.metric.service;
    if (!service) continue;
    const values = out.get(service) ?? new Array<number | null>(points).fill(null);
    for (const [t, v] of row.values) {
      const i = Math.round((t - range.start) / range.step);
      if (i >= 0 && i < points) values[i] = finite(v);
    }
    out.set(service, values);
  }
  return out;
}

export function vectorByService(rows: VectorRow[]): Map<string, number | null> {
  return new Map(rows.filter((r) => r.metric.service).map((r) => [r.metric.service, finite(r.value[1])]));
}

export interface ServiceCharts {
  name: string;
  /** false: the watcher sees its containers stopped; null: the watcher has no container of that name. */
  running: boolean | null;
  /** Share of successful probes over 24 h (0..1), or null when the service is not probed. */
  availability24h: number | null;
  series: Record<SeriesKey, Array<number | null> | null>;
}

export interface FiringAlert {
  name: string;
  service: string | null;
  severity: string | null;
  summary: string | null;
  activeAt: string | null;
}

/**
 * The services are whatever Prometheus has series for (the watcher names every container of the
 * project, the scraped services label their own), sorted by name: no list of names here.
 */
export function buildServices(
  matrices: Record<SeriesKey, Map<string, Array<number | null>>>,
  availability: Map<string, number | null>,
  running: Map<string, number | null>,
): ServiceCharts[] {
  const names = new Set<string>([...availability.keys(), ...running.keys()]);
  for (const m of Object.values(matrices)) for (const name of m.keys()) names.add(name);
  return [...names].sort().map((name) => {
    const up = running.get(name);
    return {
      name,
      running: up === undefined || up === null ? null : up > 0,
      availability24h: availability.get(name) ?? null,
      series: Object.fromEntries(SERIES_QUERIES.map((q) => [q.key, matrices[q.key].get(name) ?? null])) as ServiceCharts['series'],
    };
  });
}

/** Firing alerts only (pending ones have not met their `for:` yet), oldest first. */
export function firingAlerts(alerts: PromAlert[]): FiringAlert[] {
  return alerts
    .filter((a) => a.state === 'firing')
    .map((a) => ({
      name: a.labels.alertname ?? 'unnamed',
      service: a.labels.service ?? null,
      severity: a.labels.severity ?? null,
      summary: a.annotations?.summary ?? null,
      activeAt: a.activeAt ?? null,
    }))
    .sort((a, b) => (a.activeAt ?? '').localeCompare(b.activeAt ?? '') || a.name.localeCompare(b.name));
}
