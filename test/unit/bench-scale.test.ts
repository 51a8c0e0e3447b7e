// The scale suite's pure parts: the generated overlay, the growth judgement the report makes of its
// figures, the chart it draws, its options, and the chart written beside the session's files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chartSheet, tickStep } from '../../bench/lib/chart.ts';
import { type Session, writeSession } from '../../bench/lib/results.ts';
import { copyNames, envExampleText, overlayText, scaleOverlay } from '../../bench/lib/scale-system.ts';
import { benchOptions, parseSizes } from '../../bench/run.ts';
import { GENERATED_HEALTH_TIMING } from '../../scripts/lib/adopt/compose-file.ts';
import { UsageError } from '../../scripts/lib/errors.ts';
import { benchEvidence, growthEvidence, missingFigure, missingGrowth } from '../../scripts/lib/report/bench-evidence.ts';
import { growthExponent, sizeSubject, subjectSize } from '../../scripts/lib/report/growth.ts';
import { judge } from '../../scripts/lib/report/metrics.ts';

const overlay = { count: 12, repository: 'galaxy-bench/scale-ab12cd', context: './service', probe: './probe' };

test('copy names are zero-padded, distinct and in order', () => {
  assert.deepEqual(copyNames(3), ['scale-01', 'scale-02', 'scale-03']);
  assert.equal(copyNames(50).length, 50);
  assert.equal(new Set(copyNames(99)).size, 99);
  assert.equal(copyNames(99)[98], 'scale-99');
});

test('the overlay has N copies a stateless service of the kit: built, rolling, health path, own version variable, no host port', () => {
  const services = (JSON.parse(overlayText(overlay).replace(/^#.*\n/, '')) as { services: Record<string, Record<string, unknown>> }).services;
  assert.deepEqual(Object.keys(services), copyNames(12));
  for (const [name, svc] of Object.entries(services)) {
    assert.deepEqual(svc.labels, { 'galaxy.health.path': '/health', 'galaxy.deploy': 'rolling' });
    assert.equal(svc.image, `galaxy-bench/scale-ab12cd:\${${name.toUpperCase().replace('-', '_')}_VERSION:-latest}`);
    assert.deepEqual((svc.build as { context: string }).context, './service');
    assert.deepEqual((svc.build as { additional_contexts: unknown }).additional_contexts, { probe: './probe' });
    assert.equal(svc.ports, undefined);
    assert.equal(svc.read_only, true);
    assert.deepEqual(svc.cap_drop, ['ALL']);
    assert.deepEqual(svc.healthcheck, GENERATED_HEALTH_TIMING, 'the checks adopt writes: what the kit costs at N services');
  }
  // One image for every copy: built once, whatever N is.
  assert.equal(new Set(Object.values(scaleOverlay(overlay).services as Record<string, { image: string }>).map((s) => s.image.split(':')[0])).size, 1);
});

test("the system's .env.example keeps only the kit's image choice lines", () => {
  const text = envExampleText('# x\nIMAGE_SOURCE=auto\nAPI_TOKEN=\nNGINX_IMAGE=nginx:1.26-bookworm\nNODE_IMAGE=node:20\n');
  assert.match(text, /^COMPOSE_PROJECT_NAME=scale$/m);
  assert.match(text, /^IMAGE_SOURCE=auto$/m);
  assert.match(text, /^NGINX_IMAGE=nginx:1\.26-bookworm$/m);
  assert.doesNotMatch(text, /API_TOKEN|NODE_IMAGE/);
});

test('growth exponent: constant 0, linear 1, quadratic 2, a fixed cost plus a small share per service below 1', () => {
  const at = (f: (n: number) => number) => [10, 25, 50].map((n) => ({ n, value: f(n) }));
  assert.ok(Math.abs(growthExponent(at(() => 0.5)) ?? NaN) < 1e-9);
  assert.ok(Math.abs((growthExponent(at((n) => 8 * n)) ?? NaN) - 1) < 1e-9);
  assert.ok(Math.abs((growthExponent(at((n) => 0.1 * n * n)) ?? NaN) - 2) < 1e-9);
  const affine = growthExponent(at((n) => 0.6 + 0.01 * n)) ?? NaN;
  assert.ok(affine > 0 && affine < 0.5, String(affine));
  assert.equal(growthExponent([{ n: 10, value: 1 }]), undefined);
  assert.equal(
    growthExponent([
      { n: 10, value: 1 },
      { n: 10, value: 2 },
    ]),
    undefined,
  );
  assert.equal(
    growthExponent([
      { n: 10, value: 1 },
      { n: 50, value: -0.2 },
    ]),
    undefined,
  );
});

test('sizes as subjects, and the atMost goal (linear allowed, faster not)', () => {
  assert.equal(sizeSubject(50), 'N=50');
  assert.equal(subjectSize('N=50'), 50);
  assert.equal(subjectSize('backend'), undefined);
  assert.equal(subjectSize(undefined), undefined);
  const goal = { metric: 'growth', goal: '≤ 1.1', atMost: 1.1 };
  assert.equal(judge(goal, { value: 1.1, unit: '', source: '' }), 'PASS');
  assert.equal(judge(goal, { value: 1.4, unit: '', source: '' }), 'FAIL');
  assert.equal(judge(goal, undefined), 'NOT MEASURED');
});

function session(medians: Record<number, number>): Session {
  const figures = Object.entries(medians).map(([n, m]) => ({
    id: 'scale.deploy-all' as const,
    subject: `N=${n}`,
    name: `deploy (N=${n})`,
    command: './scripts/deploy.sh --force',
    runs: [m],
    median: m,
    min: m,
    max: m,
    unit: 's',
  }));
  return {
    startedAt: '2026-12-02T11:00:00.000Z',
    finishedAt: '2026-12-02T11:30:00.000Z',
    host: {},
    options: { runs: 5, only: ['scale'] },
    suites: [{ suite: 'scale', status: 'ok', figures, seconds: 1 }],
  };
}

test('the report reads the growth from the newest session: per-size medians, the exponent, one subject on request', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scale-results-'));
  try {
    writeFileSync(path.join(dir, '2026-12-02T11-00-00Z.json'), JSON.stringify(session({ 10: 80, 25: 200, 50: 400 })));
    const used: string[] = [];
    const growth = growthEvidence(dir, 'scale.deploy-all', used);
    assert.equal(growth?.value, 1);
    assert.match(used[0], /growth exponent 1\.00 over the medians N=10: 80 s, N=25: 200 s, N=50: 400 s/);
    assert.equal(benchEvidence(dir, 'scale.deploy-all', true, [], 'N=25')?.value, 200);
    assert.equal(benchEvidence(dir, 'scale.deploy-all', true, [], 'N=99'), undefined);
    // One size only: no growth to judge (NOT MEASURED, never a pass).
    writeFileSync(path.join(dir, '2026-12-02T12-00-00Z.json'), JSON.stringify(session({ 10: 80 })));
    assert.equal(growthEvidence(dir, 'scale.deploy-all', []), undefined);
    assert.match(missingGrowth('scale.deploy-all'), /^no session measured scale\.deploy-all at two sizes or more: run `make bench ARGS="--only scale"`/);
    assert.equal(missingFigure('scale.health', 'N=50'), 'no bench figure scale.health (N=50) yet: run `make bench ARGS="--only scale"`');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the chart: one line and one dot per point of each series, escaped text, round y ticks', () => {
  const svg = chartSheet([
    { title: 'a < b & c', xLabel: 'N', yLabel: 's', series: [{ name: 'x', points: [1, 2, 3].map((x) => ({ x, y: x * 10 })) }] },
    {
      title: 'two',
      xLabel: 'N',
      yLabel: 's',
      series: [
        { name: 'p', points: [{ x: 10, y: 0.5 }] },
        { name: 'q', points: [] },
      ],
    },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="840"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  assert.match(svg, /a &lt; b &amp; c/);
  assert.equal((svg.match(/<g transform=/g) ?? []).length, 2);
  assert.ok(svg.trim().endsWith('</svg>'));
  assert.equal(tickStep(30), 10);
  assert.equal(tickStep(0.9), 0.2);
  assert.equal(tickStep(420), 100);
  assert.equal(tickStep(0), 1);
});

test('scale options: sizes distinct and ascending, bad ones refused as usage errors', () => {
  assert.deepEqual(parseSizes('50, 10,25,10'), [10, 25, 50]);
  for (const bad of ['', '0', '100', 'ten', '10,,25', '-5']) assert.throws(() => parseSizes(bad), UsageError, bad);
  const options = benchOptions({ only: 'scale' });
  assert.deepEqual([options.scaleSizes, options.scaleRuns], [[10, 25, 50], 3]);
  assert.throws(() => benchOptions({ 'scale-runs': '0' }), /--scale-runs must be a whole number/);
});

test("a suite's chart is written beside the session as <timestamp>-<suffix>, named in the json and shown in the md", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scale-session-'));
  try {
    const files = writeSession(dir, session({ 10: 1 }), [{ suite: 'scale', suffix: 'scale.svg', text: '<svg/>\n' }]);
    assert.deepEqual(readdirSync(dir).sort(), ['2026-12-02T11-00-00Z-scale.svg', '2026-12-02T11-00-00Z.json', '2026-12-02T11-00-00Z.md']);
    assert.deepEqual((JSON.parse(readFileSync(files.json, 'utf8')) as Session).suites[0].files, ['2026-12-02T11-00-00Z-scale.svg']);
    assert.match(readFileSync(files.markdown, 'utf8'), /!\[scale\]\(2026-12-02T11-00-00Z-scale\.svg\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
