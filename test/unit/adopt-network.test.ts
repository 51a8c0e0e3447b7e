// How adopted services are reached: the forwarder in front of a 127.0.0.1 bind, and the networks
// (their own and the base's monitoring ones, where Prometheus scrapes and probes) with the scrape
// labels, and the logging that reaches the base's log store.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { GENERATED_HEALTH_TIMING, renderComposeFile } from '../../scripts/lib/adopt/compose-file.ts';
import { planAdoption } from '../../scripts/lib/adopt/plan.ts';
import { renderEntrypoint } from '../../scripts/lib/adopt/render.ts';
import { readBaseSystem } from '../../scripts/lib/adopt/base-system.ts';
import { NO_BASE, inventory, opts, port, row, tree } from '../helpers/inventory.ts';

test('a literal 127.0.0.1 bind: the generated entry point forwards every IPv4 address of the container, then runs the command', () => {
  const bind = { address: '127.0.0.1', source: 'literal' as const, file: 'a/s.js', line: 9 };
  const [a] = planAdoption(inventory([row({ name: 'a', dir: 'a', ports: [port(4000)], bind })]), tree({}), opts).services;
  assert.equal(a.forward, 4000);
  // Run with stand-ins for hostname and socat: one forwarder per IPv4
  // address (one per network, the kit's public one among them), then the service's own command.
  const dir = mkdtempSync(path.join(tmpdir(), 'adopt-entry-'));
  writeFileSync(path.join(dir, 'hostname'), '#!/bin/sh\necho "172.29.0.5 172.30.0.11 fd00::5"\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'socat'), `#!/bin/sh\necho "$*" >> ${dir}/forwarders\n`, { mode: 0o755 });
  writeFileSync(path.join(dir, 'entrypoint.sh'), renderEntrypoint(a));
  const run = spawnSync('sh', [path.join(dir, 'entrypoint.sh'), 'sh', '-c', 'wait; echo started'], {
    env: { PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  assert.equal(run.stdout.trim(), 'started', run.stderr);
  const forwarders = readFileSync(path.join(dir, 'forwarders'), 'utf8').trim().split('\n').sort();
  assert.deepEqual(forwarders, [
    'TCP-LISTEN:4000,bind=172.29.0.5,backlog=511,fork,reuseaddr TCP:127.0.0.1:4000',
    'TCP-LISTEN:4000,bind=172.30.0.11,backlog=511,fork,reuseaddr TCP:127.0.0.1:4000',
  ]);
});

test('monitoring: a metrics route in the code becomes the scrape labels (and a line in the plan); every service joins the networks Prometheus and the prober share, and logs to the store', () => {
  const inv = inventory([
    row({ name: 'api', dir: 'api', ports: [port(4100)], health: '/health', metrics: '/metrics' }),
    row({ name: 'web', dir: 'web', ports: [port(5000)] }),
  ]);
  const plan = planAdoption(inv, tree({}), opts);
  const [api, web] = plan.services;
  assert.equal(api.labels['galaxy.metrics.path'], '/metrics');
  assert.equal(api.labels['galaxy.metrics.port'], '4100');
  assert.ok(api.notes.includes('Prometheus scrapes /metrics on port 4100'), api.notes.join('\n'));
  assert.equal(web.labels['galaxy.metrics.path'], undefined);
  // The kit's own compose file is the base here: its public network, its log store's route.
  const base = readBaseSystem(readFileSync(path.join(import.meta.dirname, '../../docker-compose.yml'), 'utf8'));
  const compose = renderComposeFile(plan.services, { projectRoot: '/p', src: '/p/src', probe: '/kit/services/probe', base });
  assert.match(compose, /^networks:\n {2}adopted: \{\}\n {2}public: \{\}$/m);
  for (const name of ['api', 'web', 'adopted-front']) {
    const block = compose.slice(compose.indexOf(`  ${name}:`));
    assert.match(block, /networks:\n\s+- adopted\n\s+- public\n/, name);
    assert.match(block, /logging:\n\s+driver: syslog\n\s+options:\n\s+syslog-address: udp:\/\/127\.0\.0\.1:\$\{LOG_PORT:-5514\}\n/, name);
  }
  // A base without them: the adopted network only, and Docker's own log with a size bound.
  const alone = renderComposeFile(plan.services, { projectRoot: '/p', src: '/p/src', probe: '/kit/services/probe', base: NO_BASE });
  assert.match(alone, /^networks:\n {2}adopted: \{\}\n(?! {2}public)/m);
  assert.doesNotMatch(alone, /public|syslog/);
  assert.match(alone, /driver: json-file\n\s+options:\n\s+max-size: 10m/);
});

test('the base system: its store logging and the networks its prometheus and prober share, read from the text (merge keys, label lists, uninterpolated)', () => {
  const text = `
x-svc: &svc
  logging: { driver: syslog, options: { syslog-address: "udp://127.0.0.1:\${LOGS:-1}", tag: x } }
services:
  db: { <<: *svc, networks: [data] }
  prom: { <<: *svc, networks: { data: {}, mon: {}, web: {} }, labels: [galaxy.role=prometheus] }
  probe: { image: p, networks: [web, mon], labels: { galaxy.role: prober } }
`;
  assert.deepEqual(readBaseSystem(text), {
    logging: { driver: 'syslog', options: { 'syslog-address': 'udp://127.0.0.1:${LOGS:-1}', tag: 'x' } },
    monitoringNetworks: ['mon', 'web'],
  });
  // Logs sent to another machine are not the store's; no prober: no monitoring network to join.
  const other = text.replace('127.0.0.1', 'logs.example').replace('galaxy.role: prober', 'x: y');
  assert.deepEqual(readBaseSystem(other), { monitoringNetworks: [] });
  assert.deepEqual(readBaseSystem(undefined), { monitoringNetworks: [] });
  // Both on the default network (no networks: key) share it.
  assert.deepEqual(readBaseSystem('services:\n  a: { labels: { galaxy.role: prometheus } }\n  b: { labels: { galaxy.role: prober } }\n').monitoringNetworks, [
    'default',
  ]);
});

test("a generated service's checks keep the kit's own pace: docker-compose.yml's x-health-timing interval, every second while starting", () => {
  const kit = parse(readFileSync(path.join(import.meta.dirname, '../../docker-compose.yml'), 'utf8')) as { 'x-health-timing': Record<string, unknown> };
  assert.equal(GENERATED_HEALTH_TIMING.interval, kit['x-health-timing'].interval);
  assert.equal(GENERATED_HEALTH_TIMING.start_interval, kit['x-health-timing'].start_interval);
  const plan = planAdoption(inventory([row({ name: 'api', dir: 'api', ports: [port(4100)], health: '/health' })]), tree({}), opts);
  const compose = parse(renderComposeFile(plan.services, { projectRoot: '/p', src: '/p/src', probe: '/kit/services/probe', base: NO_BASE })) as {
    services: Record<string, { healthcheck: Record<string, unknown> }>;
  };
  assert.deepEqual({ ...compose.services.api.healthcheck, test: undefined }, { ...GENERATED_HEALTH_TIMING, test: undefined });
});
