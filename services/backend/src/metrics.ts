// A hand-written registry instead of prom-client: we expose five fixed series (names set by
// docs/DEVELOPING.md), and ~100 lines we can read beat a dependency with its own default metrics
// whose names would leak into dashboards.

export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  counts: number[]; // per bucket, non-cumulative; cumulated at render time
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
}

const SEP = '\u0000';

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly dependencies = new Map<string, number>();

  constructor(
    readonly service: string,
    readonly version: string,
    readonly startTimeSeconds: number = Date.now() / 1000,
  ) {}

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const reqKey = [method, route, String(status)].join(SEP);
    this.requests.set(reqKey, (this.requests.get(reqKey) ?? 0) + 1);
    const histKey = [method, route].join(SEP);
    let h = this.durations.get(histKey);
    if (!h) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(histKey, h);
    }
    const idx = BUCKETS.findIndex((b) => seconds <= b);
    if (idx >= 0) h.counts[idx] += 1;
    h.sum += seconds;
    h.count += 1;
  }

  setDependency(name: string, up: boolean): void {
    this.dependencies.set(name, up ? 1 : 0);
  }

  render(): string {
    const svc = this.service;
    const out: string[] = ['# HELP http_requests_total HTTP requests handled, by route and status.', '# TYPE http_requests_total counter'];
    for (const [key, n] of [...this.requests].sort()) {
      const [method, route, status] = key.split(SEP);
      out.push(`http_requests_total${labels({ service: svc, method, route, status })} ${n}`);
    }
    out.push('# HELP http_request_duration_seconds HTTP request latency.');
    out.push('# TYPE http_request_duration_seconds histogram');
    for (const [key, h] of [...this.durations].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [method, route] = key.split(SEP);
      const base = { service: svc, method, route };
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += h.counts[i];
        out.push(`http_request_duration_seconds_bucket${labels({ ...base, le: String(bound) })} ${cumulative}`);
      });
      out.push(`http_request_duration_seconds_bucket${labels({ ...base, le: '+Inf' })} ${h.count}`);
      out.push(`http_request_duration_seconds_sum${labels(base)} ${h.sum}`);
      out.push(`http_request_duration_seconds_count${labels(base)} ${h.count}`);
    }
    out.push('# HELP galaxy_service_info Service identity; value is always 1.');
    out.push('# TYPE galaxy_service_info gauge');
    out.push(`galaxy_service_info${labels({ service: svc, version: this.version })} 1`);
    out.push('# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.');
    out.push('# TYPE process_start_time_seconds gauge');
    out.push(`process_start_time_seconds ${this.startTimeSeconds.toFixed(3)}`);
    out.push('# HELP galaxy_dependency_up Whether the last check of a dependency succeeded (1) or not (0).');
    out.push('# TYPE galaxy_dependency_up gauge');
    for (const [dep, v] of [...this.dependencies].sort()) {
      out.push(`galaxy_dependency_up${labels({ dependency: dep })} ${v}`);
    }
    return `${out.join('\n')}\n`;
  }
}
