import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUCKETS, Metrics } from '../src/metrics.js';

test('histogram buckets are the contract ones, cumulative, with +Inf = count', () => {
  const m = new Metrics('backend', '1.0.0', 1700000000.5);
  m.observeRequest('GET', '/api/notes', 200, 0.004);
  m.observeRequest('GET', '/api/notes', 200, 0.3);
  m.observeRequest('GET', '/api/notes', 503, 12);
  const text = m.render();
  const bucket = (le: string) =>
    new RegExp(`^http_request_duration_seconds_bucket\\{service="backend",method="GET",route="/api/notes",le="${le.replace('+', '\\+')}"\\} (\\d+)$`, 'm').exec(
      text,
    )?.[1];
  assert.deepEqual([...BUCKETS], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  assert.equal(bucket('0.005'), '1');
  assert.equal(bucket('0.25'), '1');
  assert.equal(bucket('0.5'), '2');
  assert.equal(bucket('10'), '2');
  assert.equal(bucket('+Inf'), '3');
  assert.match(text, /^http_request_duration_seconds_count\{service="backend",method="GET",route="\/api\/notes"\} 3$/m);
  assert.match(text, /^http_requests_total\{service="backend",method="GET",route="\/api\/notes",status="503"\} 1$/m);
  assert.match(text, /^galaxy_service_info\{service="backend",version="1.0.0"\} 1$/m);
  assert.match(text, /^process_start_time_seconds 1700000000.500$/m);
});

test('dependency gauge flips and label values are escaped', () => {
  const m = new Metrics('back"end', 'v\\1');
  m.setDependency('redis', true);
  m.setDependency('redis', false);
  m.setDependency('postgres', true);
  const text = m.render();
  assert.match(text, /^galaxy_dependency_up\{dependency="redis"\} 0$/m);
  assert.match(text, /^galaxy_dependency_up\{dependency="postgres"\} 1$/m);
  assert.ok(text.includes('galaxy_service_info{service="back\\"end",version="v\\\\1"} 1'));
  assert.ok(text.endsWith('\n'));
});

test('every sample line is name{labels} value or name value', () => {
  const m = new Metrics('backend', '1');
  m.observeRequest('POST', '/api/chat', 200, 0.02);
  for (const line of m
    .render()
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))) {
    assert.match(line, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/, line);
  }
});
