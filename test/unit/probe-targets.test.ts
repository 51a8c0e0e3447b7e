// The availability probes' targets come from the compose model: the system's own published
// services with a health path, never the monitoring stack or an admin UI.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ComposeModel, ServiceModel } from '../../scripts/lib/compose.ts';
import { probeTargets, writeProbeTargets } from '../../scripts/lib/monitoring/probe-targets.ts';

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
  ],
};

test('every published service of the system with a health path is probed inside the network, by name and container port', () => {
  assert.deepEqual(probeTargets(model), [
    { targets: ['http://api:8000/health'], labels: { service: 'api', tier: 'probe' } },
    { targets: ['http://site:8080/healthz'], labels: { service: 'site', tier: 'probe' } },
  ]);
});

test('the targets file is written once and rewritten only when the targets change', () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'probes-')), 'probes-shop');
  assert.equal(writeProbeTargets(model, dir), 2);
  const file = path.join(dir, 'targets.json');
  const first = statSync(file).mtimeMs;
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), probeTargets(model));
  assert.equal(statSync(file).mode & 0o777, 0o644, 'Prometheus runs as nobody');
  writeProbeTargets(model, dir);
  assert.equal(statSync(file).mtimeMs, first, 'unchanged targets: the file is left alone');
  writeProbeTargets({ ...model, services: model.services.slice(1) }, dir);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).length, 1);
});
