// Every metric name a dashboard (or an alert rule) queries must be one the stack exposes:
// docs/DEVELOPING.md's contract plus monitoring/exposed-metrics.txt. A renamed metric
// otherwise shows up as an empty panel or an alert that can never fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  dashboardQueries,
  dashboardsDir,
  knownMetricNames,
  listYaml,
  monitoringDir,
  parseDevelopingMetrics,
  parseExposedMetrics,
  promqlMetricNames,
  readRules,
  root,
  rulesDir,
} from '../helpers/monitoring.ts';

const dashboards = fs
  .readdirSync(dashboardsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => path.join(dashboardsDir, f));

test('the metric-name extractor finds metrics and ignores functions, labels, keywords and variables', () => {
  assert.deepEqual(
    [
      ...promqlMetricNames(
        'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service", route!~"/health|/metrics"}[$__rate_interval])))',
      ),
    ],
    ['http_request_duration_seconds_bucket'],
  );
  assert.deepEqual([...promqlMetricNames('sum(a_total) / on (job) group_left(instance) b_info and ignoring(x) c offset 5m > bool 1e3')].sort(), [
    'a_total',
    'b_info',
    'c',
  ]);
  assert.deepEqual(
    [...promqlMetricNames('time() - galaxy_backup_last_success_timestamp_seconds > 26 * 3600')],
    ['galaxy_backup_last_success_timestamp_seconds'],
  );
  assert.deepEqual([...promqlMetricNames('node_load1 / count(node_cpu_seconds_total{mode="idle"}) or vector(0)')].sort(), [
    'node_cpu_seconds_total',
    'node_load1',
  ]);
});

test('DEVELOPING.md metric contract parses, with the histogram family expanded', () => {
  const names = parseDevelopingMetrics(fs.readFileSync(path.join(root, 'docs', 'DEVELOPING.md'), 'utf8'));
  for (const n of [
    'http_requests_total',
    'http_request_duration_seconds_bucket',
    'http_request_duration_seconds_sum',
    'http_request_duration_seconds_count',
    'galaxy_container_health',
    'galaxy_watcher_restarts_total',
    'galaxy_backup_last_success_timestamp_seconds',
    'process_start_time_seconds',
  ]) {
    assert.ok(names.has(n), `${n} missing from the parsed contract: ${[...names].join(', ')}`);
  }
  assert.ok(!names.has('service'), 'label names must not be taken for metrics');
});

test('exposed-metrics.txt is well-formed and does not repeat names', () => {
  const list = parseExposedMetrics(fs.readFileSync(path.join(monitoringDir, 'exposed-metrics.txt'), 'utf8'));
  assert.ok(list.length >= 20, `only ${list.length} names`);
  const seen = new Set<string>();
  for (const m of list) {
    assert.ok(!seen.has(m.name), `${m.name} listed twice`);
    seen.add(m.name);
  }
  assert.throws(() => parseExposedMetrics('pg_up postgres-exporter sometimes\n'), /line 1/);
});

test("there are the four dashboards: overview, datastores, host, status (the status page's queries)", () => {
  assert.deepEqual(
    dashboards.map((f) => path.basename(f)),
    ['datastores.json', 'host.json', 'overview.json', 'status.json'],
  );
});

for (const file of dashboards) {
  const name = path.basename(file);

  test(`${name}: every queried metric is exposed by the stack`, () => {
    const known = knownMetricNames();
    const queries = dashboardQueries(file);
    // status.json is exactly the status page's 8 queries (services/backend/src/charts.ts); the others have more.
    assert.ok(queries.length >= 8, `${name} has only ${queries.length} queries`);
    const unknown: string[] = [];
    for (const q of queries) {
      const names = promqlMetricNames(q.expr);
      assert.ok(names.size > 0, `${q.panel}: no metric found in "${q.expr}"`);
      for (const n of names) if (!known.has(n)) unknown.push(`${q.panel}: ${n}`);
    }
    assert.deepEqual(unknown, [], 'metric names not in docs/DEVELOPING.md nor monitoring/exposed-metrics.txt');
  });

  test(`${name}: well-formed for provisioning (uid, provisioned datasource, unique ids, no overlap)`, () => {
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.match(d.uid, /^galaxy-[a-z-]+$/);
    assert.equal(typeof d.title, 'string');
    assert.equal(d.editable, false, 'provisioned dashboards are edited in git, not the UI');
    const ids = new Set<number>();
    const cells = new Set<string>();
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
      ids.add(p.id);
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${p.title}: gridPos out of the 24-column grid`);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`);
          cells.add(`${i},${j}`);
        }
      if (p.type === 'row') continue;
      assert.equal(p.datasource?.uid, 'prometheus', `${p.title}: datasource must be the provisioned uid`);
      assert.ok(p.targets?.length > 0, `${p.title}: no query`);
      for (const t of p.targets) assert.equal(t.datasource?.uid, 'prometheus');
    }
  });
}

test('dashboard uids are unique and match the provisioned datasource uid', () => {
  const uids = dashboards.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).uid);
  assert.equal(new Set(uids).size, uids.length);
  const ds = YAML.parse(fs.readFileSync(path.join(monitoringDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'));
  assert.equal(ds.datasources[0].uid, 'prometheus');
  assert.equal(ds.datasources[0].url, 'http://prometheus:9090');
});

test('the overview covers up/health, request rate, error rate, p95 latency and restarts', () => {
  const exprs = dashboardQueries(path.join(dashboardsDir, 'overview.json'))
    .map((q) => q.expr)
    .join('\n');
  for (const needle of [
    'up{',
    'galaxy_container_health',
    'rate(http_requests_total',
    'status=~"5.."',
    'histogram_quantile(0.95',
    'galaxy_container_restart_count',
  ]) {
    assert.ok(exprs.includes(needle), `overview has no query with ${needle}`);
  }
});

test('every alert rule uses only exposed metric names', () => {
  const known = knownMetricNames();
  const unknown: string[] = [];
  for (const file of listYaml(rulesDir)) {
    for (const r of readRules(file)) {
      for (const n of promqlMetricNames(r.expr)) if (!known.has(n)) unknown.push(`${r.alert}: ${n}`);
    }
  }
  assert.deepEqual(unknown, []);
});
