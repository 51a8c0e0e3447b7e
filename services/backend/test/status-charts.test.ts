// The status page's charts: which queries are asked (only the fixed ones, over a bounded range),
// how answers become per-service lines, the cache, and what the page gets when Prometheus is away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ALERTS_PATH,
  AVAILABILITY_EXPR,
  RANGE_SECONDS,
  RUNNING_EXPR,
  SERIES_QUERIES,
  STEP_SECONDS,
  alignMatrix,
  buildServices,
  chartRange,
  firingAlerts,
  instantQueryPath,
  rangeQueryPath,
} from '../src/charts.js';
import { CACHE_MS, PrometheusCharts } from '../src/prometheus.js';
import { loadConfig, describeConfig } from '../src/config.js';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 17); // 17 s past a step boundary

test('the range is the last hour on the 30 s grid: at most 121 points, the same for every caller in a step', () => {
  const r = chartRange(NOW);
  assert.equal(r.end % STEP_SECONDS, 0);
  assert.equal(r.end, Math.floor(NOW / 1000) - 17);
  assert.equal(r.end - r.start, RANGE_SECONDS);
  assert.deepEqual(chartRange(NOW + 12_000), r);
  const path = rangeQueryPath('up', r);
  const q = new URL(path, 'http://x').searchParams;
  assert.equal(new URL(path, 'http://x').pathname, '/api/v1/query_range');
  assert.deepEqual([q.get('query'), q.get('start'), q.get('end'), q.get('step')], ['up', String(r.start), String(r.end), '30']);
  assert.equal(new URL(instantQueryPath(AVAILABILITY_EXPR, r.end), 'http://x').searchParams.get('query'), AVAILABILITY_EXPR);
});

test('every query gives one line per service and counts real requests only', () => {
  assert.deepEqual(
    SERIES_QUERIES.map((q) => q.key),
    ['requests', 'errors', 'latency', 'cpu', 'memory'],
  );
  for (const q of SERIES_QUERIES) {
    assert.match(q.expr, /by \(service(, le)?\)/, q.key);
    if (q.expr.includes('http_request')) assert.ok(q.expr.includes('route!~"/health|/metrics"'), q.key);
  }
  assert.match(RUNNING_EXPR, /by \(service\)/);
});

test('the Grafana status dashboard shows exactly the queries the page asks', () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../../monitoring/grafana/dashboards/status.json', import.meta.url), 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  for (const expr of [...SERIES_QUERIES.map((q) => q.expr), AVAILABILITY_EXPR, RUNNING_EXPR]) assert.ok(exprs.includes(expr), `status.json lacks ${expr}`);
});

test('a matrix becomes one array per service on the grid: NaN and missing points are gaps, stray points dropped', () => {
  const r = { start: 1000, end: 1120, step: 30 }; // 5 points
  const lines = alignMatrix(
    [
      {
        metric: { service: 'api' },
        values: [
          [1000, '1'],
          [1030, 'NaN'],
          [1090, '2.5'],
          [1500, '9'],
        ],
      },
      { metric: {}, values: [[1000, '7']] },
      { metric: { service: 'db' }, values: [[1120, '+Inf']] },
    ],
    r,
  );
  assert.deepEqual(Object.fromEntries(lines), { api: [1, null, null, 2.5, null], db: [null, null, null, null, null] });
});

test('the services are the union of what Prometheus knows, sorted; running and availability when known', () => {
  const empty = new Map<string, Array<number | null>>();
  const services = buildServices(
    { requests: new Map([['web', [1, 2]]]), errors: empty, latency: empty, cpu: new Map([['db', [0.1, 0.2]]]), memory: empty },
    new Map([['web', 0.999]]),
    new Map<string, number | null>([
      ['db', 0],
      ['web', 1],
      ['cache', 1],
    ]),
  );
  assert.deepEqual(
    services.map((s) => [s.name, s.running, s.availability24h, s.series.requests, s.series.cpu]),
    [
      ['cache', true, null, null, null],
      ['db', false, null, null, [0.1, 0.2]],
      ['web', true, 0.999, [1, 2], null],
    ],
  );
});

test('only firing alerts are shown, oldest first, with their service and summary', () => {
  const alerts = firingAlerts([
    {
      labels: { alertname: 'B', service: 'web', severity: 'critical' },
      annotations: { summary: 'web is down' },
      state: 'firing',
      activeAt: '2026-12-02T08:00:10Z',
    },
    { labels: { alertname: 'P' }, state: 'pending', activeAt: '2026-12-02T07:00:00Z' },
    { labels: { alertname: 'A' }, state: 'firing', activeAt: '2026-12-02T07:59:00Z' },
  ]);
  assert.deepEqual(
    alerts.map((a) => [a.name, a.service, a.summary]),
    [
      ['A', null, null],
      ['B', 'web', 'web is down'],
    ],
  );
});

type Call = { url: string; headers: Record<string, string> };
function fakePrometheus(calls: Call[], answer: (url: URL) => Response | Promise<Response> = okAnswer) {
  return async (url: string, init: { headers: Record<string, string> }) => {
    calls.push({ url, headers: init.headers });
    return answer(new URL(url));
  };
}
function okAnswer(url: URL): Response {
  const json = (data: unknown) => new Response(JSON.stringify({ status: 'success', data }), { status: 200 });
  if (url.pathname === ALERTS_PATH) return json({ alerts: [{ labels: { alertname: 'TargetDown', service: 'web' }, state: 'firing', activeAt: 'x' }] });
  const query = url.searchParams.get('query');
  if (url.pathname === '/api/v1/query')
    return json({ resultType: 'vector', result: [{ metric: { service: 'web' }, value: [0, query === AVAILABILITY_EXPR ? '0.98' : '1'] }] });
  const start = Number(url.searchParams.get('start'));
  return json({
    resultType: 'matrix',
    result: [
      {
        metric: { service: 'web' },
        values: [
          [start, '1'],
          [start + 30, '2'],
        ],
      },
    ],
  });
}

const settings = { url: 'http://prom:9090', user: 'ops', password: 'pw' };

test('Prometheus is asked the fixed queries with the admin credentials, and the answer is cached for a few seconds', async () => {
  const calls: Call[] = [];
  let now = NOW;
  const charts = new PrometheusCharts(settings, 500, fakePrometheus(calls), () => now);
  const [first, concurrent] = await Promise.all([charts.report(), charts.report()]);
  assert.equal(first, concurrent, 'callers at the same time share one round of queries');
  assert.equal(calls.length, SERIES_QUERIES.length + 3);
  for (const c of calls) {
    assert.equal(c.headers.authorization, `Basic ${Buffer.from('ops:pw').toString('base64')}`);
    const u = new URL(c.url);
    assert.equal(u.origin, 'http://prom:9090');
    const q = u.searchParams.get('query');
    if (u.pathname === '/api/v1/query_range') assert.ok(SERIES_QUERIES.some((s) => s.expr === q));
    else if (u.pathname === '/api/v1/query') assert.ok([AVAILABILITY_EXPR, RUNNING_EXPR].includes(q ?? ''));
    else assert.equal(u.pathname, ALERTS_PATH);
  }
  assert.equal(first.prometheus.status, 'ok');
  const web = first.services.find((s) => s.name === 'web')!;
  assert.equal(web.availability24h, 0.98);
  assert.equal(web.running, true);
  assert.deepEqual(web.series.cpu?.slice(0, 3), [1, 2, null]);
  assert.equal(web.series.cpu?.length, RANGE_SECONDS / STEP_SECONDS + 1);
  assert.deepEqual(
    first.alerts.map((a) => a.name),
    ['TargetDown'],
  );
  now += CACHE_MS - 1;
  await charts.report();
  assert.equal(calls.length, SERIES_QUERIES.length + 3, 'within the cache period: no new query');
  now += 2;
  await charts.report();
  assert.equal(calls.length, 2 * (SERIES_QUERIES.length + 3));
});

test('Prometheus away, refusing or not configured: the report says so instead of failing', async () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
  const down = await new PrometheusCharts(settings, 500, async () => Promise.reject(refused)).report();
  assert.deepEqual(down.prometheus, { status: 'unavailable', error: 'Prometheus not reachable at http://prom:9090: ENOTFOUND' });
  assert.deepEqual([down.services, down.alerts], [[], []]);
  const denied = await new PrometheusCharts(
    settings,
    500,
    fakePrometheus([], () => new Response('Unauthorized', { status: 401 })),
  ).report();
  assert.match(denied.prometheus.error ?? '', /HTTP 401/);
  const bad = await new PrometheusCharts(
    settings,
    500,
    fakePrometheus([], () => new Response(JSON.stringify({ status: 'error', error: 'parse error' }), { status: 400 })),
  ).report();
  assert.equal(bad.prometheus.error, 'Prometheus answered HTTP 400: parse error');
  const none = await new PrometheusCharts(undefined, 500).report();
  assert.equal(none.prometheus.status, 'not-configured');
  assert.equal(none.series.length, SERIES_QUERIES.length);
});

test('PROMETHEUS_URL needs the admin password, which the start-up log never shows', () => {
  const base = { DATABASE_URL: 'postgres://u:p@db/x', API_TOKEN: 'a'.repeat(32) };
  assert.equal(loadConfig(base).prometheus, undefined);
  assert.throws(() => loadConfig({ ...base, PROMETHEUS_URL: 'http://prometheus:9090' }), /ADMIN_PASSWORD is empty/);
  const cfg = loadConfig({ ...base, PROMETHEUS_URL: 'http://prometheus:9090/', ADMIN_PASSWORD: 'secret-pw' });
  assert.deepEqual(cfg.prometheus, { url: 'http://prometheus:9090', user: 'admin', password: 'secret-pw' });
  assert.ok(!JSON.stringify(describeConfig(cfg)).includes('secret-pw'));
});
