// The status page as people see it: a throwaway stack (monitoring profile, as make start runs it),
// the page opened through the edge in Debian's chromium driven by puppeteer-core (no browser
// download), screenshots in test/output/status-page/: healthy, one service stopped, Prometheus
// stopped. Checks what is drawn (sparklines with points, states, alerts, availability), that the
// browser only ever talks to the edge and never sees the admin credentials, and that the Grafana
// status dashboard's queries answer on the live Prometheus. Every wait is bounded and ends on
// what the page shows, not on a sleep; traffic goes to 127.0.0.1 only.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { TestStack, explain } from '../harness/stack.ts';
import { adminHeadersOf, getJsonWith, waitFor } from '../helpers/live-monitoring.ts';
import { dashboardQueries, dashboardsDir, root } from '../helpers/monitoring.ts';

const OUT = path.join(root, 'test', 'output', 'status-page');
const CHROMIUM = [process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const SERIES = ['requests', 'errors', 'latency', 'cpu', 'memory'];
const STOPPED = 'experience-api';

/** What the page shows, read from its DOM (the attributes status.js writes for this purpose). */
interface Shown {
  overall: string;
  health: Record<string, string>;
  chartState: Record<string, string>;
  points: Record<string, Record<string, number>>;
  availability: Record<string, string>;
  alerts: Array<{ name: string; service: string }>;
  note: { text: string; banner: boolean };
}

const shown = (page: Page): Promise<Shown> =>
  page.evaluate(() => {
    const rows = (sel: string) => [...document.querySelectorAll<HTMLTableRowElement>(sel)];
    const points: Record<string, Record<string, number>> = {};
    for (const svg of document.querySelectorAll('svg.spark')) {
      const service = svg.getAttribute('data-service')!;
      // Points actually drawn: every polyline's pairs plus the lone dots.
      const drawn = [...svg.querySelectorAll('polyline')].reduce((n, l) => n + (l.getAttribute('points') ?? '').trim().split(/\s+/).length, 0);
      (points[service] ??= {})[svg.getAttribute('data-series')!] = drawn + svg.querySelectorAll('circle').length;
    }
    const note = document.getElementById('charts-note')!;
    return {
      overall: document.getElementById('overall')?.textContent ?? '',
      health: Object.fromEntries(rows('#services tr[data-service]').map((r) => [r.dataset.service!, r.dataset.state!])),
      chartState: Object.fromEntries(rows('#chart-rows tr[data-service]').map((r) => [r.dataset.service!, r.dataset.state!])),
      points,
      availability: Object.fromEntries(
        rows('#chart-rows tr[data-service]').map((r) => [r.dataset.service!, r.querySelector('.availability')?.textContent ?? '']),
      ),
      alerts: [...document.querySelectorAll<HTMLLIElement>('#alerts li[data-alert]')].map((li) => ({
        name: li.dataset.alert!,
        service: li.dataset.service ?? '',
      })),
      note: { text: note.textContent ?? '', banner: note.classList.contains('banner') },
    };
  });

const stack = new TestStack();
let browser: Browser | undefined;
let page: Page;
const requested: string[] = [];
const pageErrors: string[] = [];
let chartBodies = '';

describe('status page in a headless browser', { timeout: 30 * 60_000 }, () => {
  before(async () => {
    if (!CHROMIUM) throw new Error('chromium is not installed: apt-get install chromium (.ci/run installs it)');
    mkdirSync(OUT, { recursive: true });
    await stack.init();
    const started = await stack.script('start-all');
    assert.equal(started.exitCode, 0, explain(started));
    // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    page = await browser.newPage();
    // tsx compiles this file with esbuild's keepNames, which wraps named inner functions in a
    // `__name(fn, "name")` call; a function handed to page.evaluate runs in the page, which has none.
    await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
    await page.setViewport({ width: 1600, height: 1000 });
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    page.on('response', async (r) => {
      if (r.url().includes('/api/status/charts')) chartBodies += await r.text().catch(() => '');
    });
    await page.goto(stack.url('FRONTEND_PORT', '/status.html'), { waitUntil: 'domcontentloaded' });
  });

  after(async () => {
    await browser?.close();
    await stack.destroy();
  });

  test('healthy: every service with CPU and memory sparklines, the backend with all five, availability and alerts shown', async () => {
    let last: Shown | undefined;
    const seen = await waitFor('sparklines with points for every service', 300_000, 2_000, async () => {
      last = await shown(page);
      const services = Object.keys(last.health);
      const drawn = (s: string, k: string) => (last!.points[s]?.[k] ?? 0) >= 2;
      const ready =
        last.overall === 'ok' &&
        services.length >= 5 &&
        services.every((s) => drawn(s, 'cpu') && drawn(s, 'memory')) &&
        SERIES.every((k) => drawn('backend', k)) &&
        /%/.test(last.availability.backend ?? '');
      return ready ? last : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\nshown: ${JSON.stringify(last, null, 1)}`));
    await page.screenshot({ path: path.join(OUT, 'healthy.png'), fullPage: true });
    assert.equal(seen.note.banner, false, seen.note.text);
    for (const state of Object.values(seen.health)) assert.equal(state, 'ok');
    assert.ok(
      Object.keys(seen.chartState).length > Object.keys(seen.health).length,
      `the charts list what Prometheus knows (the monitoring services too): ${Object.keys(seen.chartState).join(', ')}`,
    );
    assert.ok(await page.$('#alerts li'), 'the alerts list shows alerts or "none firing"');
    assert.deepEqual(pageErrors, []);
  });

  test('the browser talks to the edge only and never receives the admin credentials', () => {
    const origin = new URL(stack.url('FRONTEND_PORT', '/')).origin;
    assert.deepEqual(
      // data: URLs (the page's empty favicon) are not requests to anyone.
      requested.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin),
      [],
    );
    assert.ok(chartBodies.length > 0, 'the page read /api/status/charts');
    for (const secret of [stack.envValue('ADMIN_PASSWORD'), Buffer.from(`admin:${stack.envValue('ADMIN_PASSWORD')}`).toString('base64')])
      assert.ok(!chartBodies.includes(secret), 'a chart answer holds the admin password');
  });

  test('the Grafana status dashboard queries answer on the live Prometheus, with a line per service', async () => {
    const prom = stack.url('PROMETHEUS_PORT', '');
    const headers = adminHeadersOf(stack.envFile);
    for (const q of dashboardQueries(path.join(dashboardsDir, 'status.json'))) {
      const body = await getJsonWith<{ status: string; data: { result: Array<{ metric: Record<string, string> }> } }>(
        `${prom}/api/v1/query?query=${encodeURIComponent(q.expr)}`,
        headers,
      );
      assert.equal(body.status, 'success', q.expr);
      // Alerts firing may be none on a healthy stack; every other panel has a line per service.
      if (!q.expr.startsWith('ALERTS')) assert.ok(body.data.result.length > 0 && body.data.result.every((r) => r.metric.service), `${q.panel}: ${q.expr}`);
    }
  });

  test(`one service stopped (${STOPPED}): marked down in health and charts, its alert listed, availability shown`, async () => {
    const stopped = await stack.compose(['stop', STOPPED]);
    assert.equal(stopped.exitCode, 0, explain(stopped));
    let last: Shown | undefined;
    // TargetDown and ContainerNotRunning fire after their `for: 1m` (rules/availability.yml).
    const seen = await waitFor(`${STOPPED} down and alerting on the page`, 300_000, 2_000, async () => {
      last = await shown(page);
      const ready = last.health[STOPPED] === 'down' && last.chartState[STOPPED] === 'down' && last.alerts.some((a) => a.service === STOPPED);
      return ready ? last : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\nshown: ${JSON.stringify(last, null, 1)}`));
    await page.screenshot({ path: path.join(OUT, 'one-stopped.png'), fullPage: true });
    assert.equal(seen.overall, 'degraded', 'a non-critical service down degrades the whole');
    assert.match(seen.availability[STOPPED], /^\d+\.\d\d %$/);
    assert.equal(seen.health.backend, 'ok');
  });

  test('Prometheus stopped: the page says the charts are unavailable and still shows service health', async () => {
    const stopped = await stack.compose(['stop', 'prometheus']);
    assert.equal(stopped.exitCode, 0, explain(stopped));
    let last: Shown | undefined;
    const seen = await waitFor('the charts-unavailable banner', 120_000, 2_000, async () => {
      last = await shown(page);
      return last.note.banner ? last : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\nshown: ${JSON.stringify(last, null, 1)}`));
    await page.screenshot({ path: path.join(OUT, 'prometheus-down.png'), fullPage: true });
    assert.match(seen.note.text, /^Charts unavailable: Prometheus not reachable at http:\/\/prometheus:9090/);
    assert.deepEqual(seen.chartState, {});
    assert.equal(seen.health.backend, 'ok');
    assert.equal(seen.health[STOPPED], 'down');
    assert.deepEqual(pageErrors, []);
  });
});
