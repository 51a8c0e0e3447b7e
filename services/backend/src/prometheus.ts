// GET /api/status/charts: asks Prometheus the fixed queries of charts.ts with the admin
// credentials from the backend's environment, so the browser never holds them and never chooses
// a query. One answer is kept for CACHE_MS (every open status page polls; Prometheus is asked at
// most once per period), and concurrent callers share the one request in flight.
import {
  ALERTS_PATH,
  AVAILABILITY_EXPR,
  RUNNING_EXPR,
  SERIES_QUERIES,
  buildServices,
  chartRange,
  firingAlerts,
  instantQueryPath,
  alignMatrix,
  rangeQueryPath,
  vectorByService,
  type FiringAlert,
  type MatrixRow,
  type PromAlert,
  type SeriesKey,
  type ServiceCharts,
  type VectorRow,
} from './charts.js';

export const CACHE_MS = 5000;

export interface PrometheusSettings {
  url: string;
  user: string;
  password: string;
}

export interface ChartsReport {
  /** ok; unavailable (asked, no usable answer: `error` says why); not-configured (no PROMETHEUS_URL). */
  prometheus: { status: 'ok' | 'unavailable' | 'not-configured'; error?: string };
  checkedAt: string;
  range: { start: string; end: string; stepSeconds: number };
  series: Array<{ key: SeriesKey; title: string; unit: string }>;
  services: ServiceCharts[];
  alerts: FiringAlert[];
}

type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

export class PrometheusCharts {
  private cached?: { at: number; report: ChartsReport };
  private inFlight?: Promise<ChartsReport>;

  constructor(
    private readonly settings: PrometheusSettings | undefined,
    private readonly timeoutMs: number,
    private readonly fetchImpl: FetchLike = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  async report(): Promise<ChartsReport> {
    const at = this.now();
    if (this.cached && at - this.cached.at < CACHE_MS) return this.cached.report;
    this.inFlight ??= this.ask(at).finally(() => (this.inFlight = undefined));
    const report = await this.inFlight;
    this.cached = { at, report };
    return report;
  }

  private async ask(at: number): Promise<ChartsReport> {
    const range = chartRange(at);
    const base: ChartsReport = {
      prometheus: { status: 'ok' },
      checkedAt: new Date(at).toISOString(),
      range: { start: new Date(range.start * 1000).toISOString(), end: new Date(range.end * 1000).toISOString(), stepSeconds: range.step },
      series: SERIES_QUERIES.map(({ key, title, unit }) => ({ key, title, unit })),
      services: [],
      alerts: [],
    };
    if (!this.settings) return { ...base, prometheus: { status: 'not-configured', error: 'PROMETHEUS_URL is not set' } };
    try {
      const [matrices, availability, running, alerts] = await Promise.all([
        Promise.all(SERIES_QUERIES.map(async (q) => [q.key, alignMatrix(await this.get<MatrixRow[]>(rangeQueryPath(q.expr, range)), range)] as const)),
        this.get<VectorRow[]>(instantQueryPath(AVAILABILITY_EXPR, range.end)),
        this.get<VectorRow[]>(instantQueryPath(RUNNING_EXPR, range.end)),
        this.get<{ alerts: PromAlert[] }>(ALERTS_PATH),
      ]);
      return {
        ...base,
        services: buildServices(Object.fromEntries(matrices) as Parameters<typeof buildServices>[0], vectorByService(availability), vectorByService(running)),
        alerts: firingAlerts(alerts.alerts ?? []),
      };
    } catch (err) {
      return { ...base, prometheus: { status: 'unavailable', error: (err as Error).message } };
    }
  }

  /** One API call; any answer but a successful JSON one is an error naming what went wrong. */
  private async get<T>(pathAndQuery: string): Promise<T> {
    const { url, user, password } = this.settings!;
    let res: Response;
    try {
      res = await this.fetchImpl(`${url}${pathAndQuery}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new Error(`Prometheus not reachable at ${url}: ${e.name === 'TimeoutError' ? `timeout after ${this.timeoutMs} ms` : (e.cause?.code ?? e.message)}`);
    }
    if (res.status === 401) throw new Error('Prometheus refused the admin credentials (HTTP 401): ADMIN_USER / ADMIN_PASSWORD differ from .env');
    const body = (await res.json().catch(() => undefined)) as { status?: string; data?: { result?: unknown } | unknown; error?: string } | undefined;
    if (!res.ok || body?.status !== 'success') throw new Error(`Prometheus answered HTTP ${res.status}${body?.error ? `: ${body.error}` : ''}`);
    const data = body.data as { result?: unknown };
    return (pathAndQuery.startsWith('/api/v1/query') ? data.result : data) as T;
  }
}
