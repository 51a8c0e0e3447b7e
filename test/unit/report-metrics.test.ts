import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availability, formatValue, judge, metricRow, summarizeVerdicts, toSeconds } from '../../scripts/lib/report/metrics.ts';
import { makeTargets, renderReport } from '../../scripts/lib/report/render.ts';

const startup = { metric: 'startup', goal: '< 2 min', below: 120 };

test('no measurement is NOT MEASURED, never a pass', () => {
  assert.equal(judge(startup, undefined), 'NOT MEASURED');
  assert.equal(judge(startup, { value: Number.NaN, unit: 's', source: 'x' }), 'NOT MEASURED');
  const row = metricRow(startup, undefined, 'run make bench');
  assert.equal(row.verdict, 'NOT MEASURED');
  assert.equal(row.measured, undefined);
  assert.equal(row.source, 'run make bench');
});

test('below and at-least goals pass and fail at their bounds', () => {
  assert.equal(judge(startup, { value: 119.9, unit: 's', source: 'b' }), 'PASS');
  assert.equal(judge(startup, { value: 120, unit: 's', source: 'b' }), 'FAIL');
  const avail = { metric: 'availability', goal: '≥ 99.9%', atLeast: 99.9 };
  assert.equal(judge(avail, { value: 99.9, unit: '%', source: 's' }), 'PASS');
  assert.equal(judge(avail, { value: 99.5, unit: '%', source: 's' }), 'FAIL');
});

test('units: figures in ms or min become seconds, unknown units are not guessed', () => {
  assert.equal(toSeconds(1500, 'ms'), 1.5);
  assert.equal(toSeconds(2, 'min'), 120);
  assert.equal(toSeconds(3, 's'), 3);
  assert.equal(toSeconds(3, 'requests'), undefined);
  assert.equal(formatValue(150, 's'), '2.5 min');
  assert.equal(formatValue(99.95, '%'), '99.95%');
  assert.equal(formatValue(12.34, 's'), '12.3 s');
  assert.equal(formatValue(0, 'requests'), '0 requests');
  assert.equal(formatValue(12, 'of 12'), '12 of 12');
  assert.equal(formatValue(2, 's'), '2.00 s');
});

test('availability is the share of 2xx probes over all rounds', () => {
  assert.equal(
    availability([
      { ok: 4, total: 4 },
      { ok: 3, total: 4 },
    ]),
    87.5,
  );
  assert.equal(availability([]), undefined);
});

test('make targets come from `target: ## text` lines only', () => {
  const makefile = 'x ?=\n.PHONY: start\nstart: deps ## Start the stack\n$(TSX): package-lock.json\nhelp: ## Show help\ninternal:\n';
  assert.deepEqual(makeTargets(makefile), [
    { command: 'make start', description: 'Start the stack' },
    { command: 'make help', description: 'Show help' },
  ]);
});

test('the report shows every service, each verdict with its source, and the counts', () => {
  const metrics = [
    metricRow(startup, { value: 30, unit: 's', source: 'bench/results/a.json' }, ''),
    metricRow({ metric: 'deploy', goal: '< 5 min', below: 300 }, undefined, 'no deploy figure'),
  ];
  const text = renderReport({
    generatedAt: '2026-11-26T01:00:00Z',
    project: 'galaxy',
    mode: 'default',
    imageMode: 'offline stand-in',
    services: [
      { service: 'backend', url: 'http://127.0.0.1:3000/', state: 'running', health: 'healthy', latencyMs: 4, httpStatus: 200, ok: true },
      { service: 'postgres', url: '(internal network only)', state: 'exited', health: 'none', ok: false },
    ],
    monitoring: [],
    metrics,
    commands: [{ command: 'make start', description: 'Start' }],
    benchLines: ['warm start: median 30 s'],
    availabilityNote: 'note',
  });
  assert.match(text, /Services: 1 of 2 healthy\. Success metrics: 1 pass, 0 fail, 1 not measured/);
  assert.match(text, /\| backend \| http:\/\/127\.0\.0\.1:3000\/ \| running \| ✅ healthy \| 4 ms \(HTTP 200\) \|/);
  assert.match(text, /\| postgres \| \(internal network only\) \| exited \| ❌ none \| - \|/);
  assert.match(text, /\| startup \| < 2 min \| 30\.0 s \| ✅ PASS \| bench\/results\/a\.json \|/);
  assert.match(text, /\| deploy \| < 5 min \| - \| ⚪ NOT MEASURED \| no deploy figure \|/);
  assert.match(text, /the `monitoring` profile is not running/);
  assert.deepEqual(summarizeVerdicts(metrics), { PASS: 1, FAIL: 0, 'NOT MEASURED': 1 });
});
