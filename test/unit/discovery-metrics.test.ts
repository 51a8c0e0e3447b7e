// Discovery's metrics route: what adopt turns into Prometheus's scrape labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMetrics } from '../../scripts/lib/discovery/facts.ts';

test('a metrics route string in any language, /metrics preferred; a library that serves one; else none', () => {
  assert.equal(findMetrics("app.get('/metrics', handler)"), '/metrics');
  assert.equal(findMetrics('@app.route("/api/metrics")\ndef m(): ...'), '/api/metrics');
  assert.equal(findMetrics("r.get('/internal/metrics'); r.get('/metrics')"), '/metrics');
  assert.equal(findMetrics('from prometheus_flask_exporter import PrometheusMetrics\nPrometheusMetrics(app)'), '/metrics');
  assert.equal(findMetrics("const bundle = require('express-prom-bundle');"), '/metrics');
  assert.equal(findMetrics("app.get('/health', ok); const metricsEnabled = true;"), null);
  assert.equal(findMetrics("fetch('/metricsx')"), null);
});
