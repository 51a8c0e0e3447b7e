// The report's availability from Prometheus: the window (the stack's lifetime, 30 days at most),
// the queries over it, reading their answers, and saying the window for people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samples } from '../../scripts/lib/monitoring/prometheus.ts';
import {
  FIRST_PROBE,
  FIRST_PROBE_RECENT,
  availabilityFromPrometheus,
  availabilityQueries,
  availabilityWindow,
  describeWindow,
} from '../../scripts/lib/report/slo.ts';

test('the window runs from the oldest sample to now, whole seconds, at most 30 days', () => {
  assert.equal(availabilityWindow(1000, 8200.2), 7201);
  assert.equal(availabilityWindow(0, 90 * 86400), 30 * 86400);
  assert.equal(availabilityWindow(500, 500), 1, 'never an empty range');
});

test('the queries count the blackbox probes over the window', () => {
  assert.deepEqual(availabilityQueries(7201), {
    ok: 'sum(sum_over_time(probe_success{job="blackbox"}[7201s]))',
    total: 'sum(count_over_time(probe_success{job="blackbox"}[7201s]))',
    endpoints: 'count(count_over_time(probe_success{job="blackbox"}[7201s]))',
  });
});

test('samples are read from an instant-query answer; an error or empty result is none', () => {
  assert.deepEqual(samples({ status: 'success', data: { resultType: 'vector', result: [{ metric: { service: 'api' }, value: [1, '1438'] }] } }), [
    { labels: { service: 'api' }, value: 1438 },
  ]);
  assert.deepEqual(samples({ status: 'success', data: { resultType: 'vector', result: [] } }), []);
  assert.deepEqual(samples({ status: 'error' }), []);
  assert.deepEqual(samples(null), []);
});

test('the window is said the way people say it', () => {
  assert.equal(describeWindow(95), '1 min 35 s');
  assert.equal(describeWindow(7980), '2 h 13 min');
  assert.equal(describeWindow(3 * 86400 + 4 * 3600 + 59), '3 d 4 h');
});

test('a stack started less than a whole minute ago: the first probe is found at the probes own 5 s step', async () => {
  const now = Date.now() / 1000;
  const answers: Record<string, number | undefined> = {
    [FIRST_PROBE]: undefined,
    [FIRST_PROBE_RECENT]: now - 40,
  };
  const asked: string[] = [];
  const query = async (expr: string) => {
    asked.push(expr);
    const value = expr in answers ? answers[expr] : expr.startsWith('count(') ? 4 : expr.startsWith('sum(sum_') ? 30 : 32;
    return value === undefined ? [] : [{ labels: {}, value }];
  };
  const measured = await availabilityFromPrometheus(query);
  assert.deepEqual(asked.slice(0, 2), [FIRST_PROBE, FIRST_PROBE_RECENT]);
  assert.equal(measured?.endpoints, 4);
  assert.equal(measured?.probes, 32);
  assert.ok(measured && measured.windowSeconds >= 40 && measured.windowSeconds <= 42, String(measured?.windowSeconds));
});
