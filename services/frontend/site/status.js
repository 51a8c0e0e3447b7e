// Status page: polls /api/status every 2 s and shows each service's state as colour and text.
'use strict';

const STATES = ['ok', 'degraded', 'down'];
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 1800; // shorter than the interval so polls never pile up

function badge(state) {
  const span = document.createElement('span');
  const known = STATES.includes(state) ? state : 'unknown';
  span.className = 'badge ' + known;
  span.textContent = known;
  return span;
}

function cell(content) {
  const td = document.createElement('td');
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  return td;
}

function render(report) {
  const overall = document.getElementById('overall');
  overall.replaceWith(Object.assign(badge(report.status), { id: 'overall' }));
  document.getElementById('checked').textContent =
    'checked ' + new Date(report.checkedAt).toLocaleTimeString() + (report.version ? ' - backend ' + report.version : '');
  const rows = report.services.map((s) => {
    const tr = document.createElement('tr');
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
  tr.append(cell('backend'), cell(badge('down')), cell('-'), cell(message));
  document.getElementById('services').replaceChildren(tr);
}

async function poll() {
  try {
    const res = await fetch('/api/status', { signal: AbortSignal.timeout(TIMEOUT_MS), cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
  } catch (err) {
    renderUnreachable(err.name === 'TimeoutError' ? 'timeout' : err.message);
  } finally {
    setTimeout(poll, INTERVAL_MS);
  }
}

poll();
