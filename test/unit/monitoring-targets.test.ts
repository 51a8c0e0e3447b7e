// Prometheus's probe and scrape targets come from the compose model: the system's own public
// services with a health path, the services labelled with a metrics path; never the monitoring
// stack or an admin UI.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ComposeModel, ServiceModel } from '../../scripts/lib/compose.ts';
import { PROBE_TARGETS_FILE, SCRAPE_TARGETS_FILE, probeTargets, scrapeTargets, writeMonitoringTargets } from '../../scripts/lib/monitoring/targets.ts';

const svc = (name: string, extra: Partial<ServiceModel> = {}): ServiceModel => ({
  name,
  ports: [{ hostIp: '127.0.0.1', published: 18000, target: 8000 }],
  labels: {},
  dependsOn: [],
  hasHealthcheck: true,
  healthPath: '/health',
  build: true,
  profiles: [],
  ...extra,
});

const model: ComposeModel = {
  project: 'shop',
  services: [
    svc('api'),
    svc('site', { ports: [{ hostIp: '0.0.0.0', published: 80, target: 8080 }], healthPath: '/healthz' }),
    svc('db', { ports: [], healthPath: undefined }),
    svc('worker', { ports: [] }),
    svc('queue', { healthPath: undefined }),
    svc('prometheus', { profiles: ['monitoring'], healthPath: '/-/ready' }),
    svc('watcher', { labels: { 'galaxy.admin-auth': 'basic' } }),
    // Behind a proxy that publishes (an adopted front): public, probed on its labelled port.
    svc('front', {
      ports: [{ hostIp: '127.0.0.1', published: 18100, target: 8100 }],
      healthPath: '/front/health',
      labels: { 'galaxy.proxy.upstreams': 'notes, inner' },
    }),
    svc('notes', { ports: [], healthPort: 5000, metrics: { path: '/metrics' } }),
    // Behind the front too, but no port known: nothing to address.
    svc('inner', { ports: [] }),
    // A proxy nobody reaches from the host: what it forwards to is not public.
    svc('hidden-proxy', { ports: [], healthPath: undefined, labels: { 'galaxy.proxy.upstreams': 'private' } }),
    svc('private', { ports: [], healthPort: 7000 }),
    svc('stats', { healthPath: undefined, metrics: { path: '/internal/metrics', port: 9400 } }),
    svc('exporter', { profiles: ['monitoring'], metrics: { path: '/metrics' } }),
  ],
};

test('every public service of the system with a health path is probed inside the network, by name and container port', () => {
  assert.deepEqual(probeTargets(model), [
    { targets: ['http://api:8000/health'], labels: { service: 'api', tier: 'probe' } },
    { targets: ['http://site:8080/healthz'], labels: { service: 'site', tier: 'probe' } },
    { targets: ['http://front:8100/front/health'], labels: { service: 'front', tier: 'probe' } },
    { targets: ['http://notes:5000/health'], labels: { service: 'notes', tier: 'probe' } },
  ]);
});

test('every service of the system labelled with a metrics path is scraped on its metrics, health or published port', () => {
  assert.deepEqual(scrapeTargets(model), [
    { targets: ['notes:5000'], labels: { service: 'notes', tier: 'app', __metrics_path__: '/metrics' } },
    { targets: ['stats:9400'], labels: { service: 'stats', tier: 'app', __metrics_path__: '/internal/metrics' } },
  ]);
});

test('the target files are written once and rewritten only when the targets change', () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'targets-')), 'targets-shop');
  assert.deepEqual(writeMonitoringTargets(model, dir), { probes: 4, scrapes: 2 });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, SCRAPE_TARGETS_FILE), 'utf8')), scrapeTargets(model));
  const file = path.join(dir, PROBE_TARGETS_FILE);
  const first = statSync(file).mtimeMs;
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), probeTargets(model));
  assert.equal(statSync(file).mode & 0o777, 0o644, 'Prometheus runs as nobody');
  writeMonitoringTargets(model, dir);
  assert.equal(statSync(file).mtimeMs, first, 'unchanged targets: the file is left alone');
  writeMonitoringTargets({ ...model, services: model.services.slice(1) }, dir);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).length, 3);
});

test('while a compose start runs the probe file is empty and the scrape file is written; the end of the start writes the probes', () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'targets-')), 'targets-shop');
  assert.deepEqual(writeMonitoringTargets(model, dir, false, false), { probes: 0, scrapes: 2 });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, PROBE_TARGETS_FILE), 'utf8')), []);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, SCRAPE_TARGETS_FILE), 'utf8')), scrapeTargets(model));
  assert.deepEqual(writeMonitoringTargets(model, dir), { probes: 4, scrapes: 2 });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, PROBE_TARGETS_FILE), 'utf8')), probeTargets(model));
});
