// Status page: polls /api/status every 2 s (each service's state as colour and text) and
// /api/status/charts every 10 s (the backend's fixed Prometheus queries: one-hour sparklines per
// service, alerts firing now, 24 h availability). The page never talks to Prometheus itself.
import { formatAvailability, formatValue, latestValue, sparklineGeometry } from './sparkline.js';

const STATES = ['ok', 'degraded', 'down'];
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 1800; // shorter than the interval so polls never pile up
const CHARTS_INTERVAL_MS = 10000; // the backend caches the answer for 5 s; a point is 30 s apart
const CHARTS_TIMEOUT_MS = 8000;
const SPARK = { width: 120, height: 32 };
const SVG = 'http://www.w3.org/2000/svg';

let health; // the last /api/status report, or undefined while the backend does not answer
let charts; // the last /api/status/charts report (undefined until the first answer)

function badge(state, text) {
  const span = document.createElement('span');
  const known = STATES.includes(state) ? state : 'unknown';
  span.className = 'badge ' + known;
  span.textContent = text || known;
  return span;
}

function cell(content) {
  const td = document.createElement('td');
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  return td;
}

function svgElement(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  return el;
}

function sparkline(service, series, values) {
  const wrap = document.createElement('div');
  wrap.className = 'spark-cell';
  const latest = latestValue(values || []);
  const label = `${service} ${series.title.toLowerCase()}, last hour: ${formatValue(series.unit, latest)}`;
  const svg = svgElement('svg', {
    class: 'spark', viewBox: `0 0 ${SPARK.width} ${SPARK.height}`, width: SPARK.width, height: SPARK.height,
    role: 'img', 'aria-label': label, 'data-service': service, 'data-series': series.key,
  });
  const geometry = sparklineGeometry(values || [], SPARK.width, SPARK.height);
  svg.setAttribute('data-points', String(geometry.points));
  for (const points of geometry.segments) svg.appendChild(svgElement('polyline', { points }));
  for (const [cx, cy] of geometry.dots) svg.appendChild(svgElement('circle', { cx, cy, r: 1.5 }));
  const title = svgElement('title', {});
  title.textContent = label;
  svg.appendChild(title);
  const text = document.createElement('span');
  text.className = 'latest';
  text.textContent = formatValue(series.unit, latest);
  wrap.append(svg, text);
  return wrap;
}

/** A service's state: the direct health check when the backend probes it, else the watcher's view. */
function stateOf(service) {
  const checked = health && health.services.find((s) => s.name === service.name);
  if (checked && checked.status === 'down') return ['down', 'down'];
  if (service.running === false) return ['down', 'stopped'];
  if (checked) return [checked.status, checked.status];
  return service.running === true ? ['ok', 'running'] : ['unknown', 'unknown'];
}

function renderHealth(report) {
  const overall = document.getElementById('overall');
  overall.replaceWith(Object.assign(badge(report.status), { id: 'overall' }));
  document.getElementById('checked').textContent =
    'checked ' + new Date(report.checkedAt).toLocaleTimeString() + (report.version ? ' - backend ' + report.version : '');
  const rows = report.services.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.service = s.name;
    tr.dataset.state = s.status;
    const detail = s.error || (s.httpStatus ? 'HTTP ' + s.httpStatus : '') || s.kind;
    tr.append(cell(s.name + (s.critical ? ' *' : '')), cell(badge(s.status)),
      cell(typeof s.latencyMs === 'number' ? s.latencyMs.toFixed(1) + ' ms' : '-'), cell(detail));
    return tr;
  });
  document.getElementById('services').replaceChildren(...rows);
}

function renderUnreachable(message) {
  const overall = document.getElementById('overall');
  overall.replaceWith(Object.assign(badge('down'), { id: 'overall' }));
  document.getElementById('checked').textContent = 'backend unreachable at ' + new Date().toLocaleTimeString() + ': ' + message;
  const tr = document.createElement('tr');
  tr.dataset.service = 'backend';
  tr.dataset.state = 'down';
  tr.append(cell('backend'), cell(badge('down')), cell('-'), cell(message));
  document.getElementById('services').replaceChildren(tr);
}

function renderAlerts(alerts) {
  const items = alerts.map((a) => {
    const li = document.createElement('li');
    li.dataset.alert = a.name;
    if (a.service) li.dataset.service = a.service;
    li.append(badge(a.severity === 'critical' ? 'down' : 'degraded', a.severity || 'alert'),
      ` ${a.name}${a.service ? ' (' + a.service + ')' : ''}: ${a.summary || ''}`);
    if (a.activeAt) li.append(Object.assign(document.createElement('span'), { className: 'muted', textContent: ' since ' + new Date(a.activeAt).toLocaleTimeString() }));
    return li;
  });
  if (!items.length) items.push(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'none firing' }));
  document.getElementById('alerts').replaceChildren(...items);
}

function renderCharts() {
  const note = document.getElementById('charts-note');
  const head = document.getElementById('chart-head');
  const body = document.getElementById('chart-rows');
  if (!charts) return; // the first answer is on its way: the page's "loading" texts stay
  if (charts.prometheus.status !== 'ok') {
    const why = charts.prometheus.error || charts.prometheus.status;
    note.className = 'banner';
    note.textContent = `Charts unavailable: ${why}. Service health above is checked directly and stays current.`;
    document.getElementById('alerts').replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'unknown (no Prometheus answer)' }));
    body.replaceChildren();
    return;
  }
  note.className = 'muted';
  note.textContent = `From Prometheus, ${new Date(charts.range.start).toLocaleTimeString()} to ${new Date(charts.range.end).toLocaleTimeString()}, ` +
    `one point every ${charts.range.stepSeconds} s; checked ${new Date(charts.checkedAt).toLocaleTimeString()}.`;
  renderAlerts(charts.alerts);
  const titles = ['Service', 'State', ...charts.series.map((s) => s.title), 'Availability 24 h'];
  head.replaceChildren(...titles.map((t) => Object.assign(document.createElement('th'), { textContent: t })));
  body.replaceChildren(...charts.services.map((service) => {
    const tr = document.createElement('tr');
    const [state, text] = stateOf(service);
    tr.dataset.service = service.name;
    tr.dataset.state = state;
    tr.append(cell(service.name), cell(badge(state, text)),
      ...charts.series.map((series) => cell(sparkline(service.name, series, service.series[series.key]))));
    const availability = cell(formatAvailability(service.availability24h));
    availability.className = 'availability';
    tr.append(availability);
    return tr;
  }));
}

async function poll() {
  try {
    const res = await fetch('/api/status', { signal: AbortSignal.timeout(TIMEOUT_MS), cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    health = await res.json();
    renderHealth(health);
  } catch (err) {
    health = undefined;
    renderUnreachable(err.name === 'TimeoutError' ? 'timeout' : err.message);
  } finally {
    renderCharts();
    setTimeout(poll, INTERVAL_MS);
  }
}

async function pollCharts() {
  try {
    const res = await fetch('/api/status/charts', { signal: AbortSignal.timeout(CHARTS_TIMEOUT_MS), cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    charts = await res.json();
  } catch (err) {
    charts = { prometheus: { status: 'unavailable', error: 'the backend did not answer (' + (err.name === 'TimeoutError' ? 'timeout' : err.message) + ')' } };
  } finally {
    renderCharts();
    setTimeout(pollCharts, CHARTS_INTERVAL_MS);
  }
}

poll();
pollCharts();
