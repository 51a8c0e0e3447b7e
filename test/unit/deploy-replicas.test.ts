import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type ServiceModel, parseComposeConfig } from '../../scripts/lib/compose.ts';
import { REPLICAS_FILE, composeFiles } from '../../scripts/lib/docker/client.ts';
import { composeScaleRefusal, replicaEntries, replicasFileText, scaleMove, syncReplicasFile } from '../../scripts/lib/deploy/replicas.ts';

const svc = (name: string, over: Partial<ServiceModel> = {}): ServiceModel => ({
  name,
  ports: [],
  labels: {},
  dependsOn: [],
  hasHealthcheck: true,
  deploy: 'rolling',
  build: true,
  profiles: [],
  ...over,
});
const services = [
  svc('edge', { ports: [{ hostIp: '127.0.0.1', published: 8080, target: 8080 }], labels: { 'galaxy.proxy.upstreams': 'api' } }),
  svc('api', { ports: [{ hostIp: '127.0.0.1', published: 3000, target: 3000 }] }),
  svc('worker'),
  svc('db', { deploy: 'recreate' }),
];
const env = (values: Record<string, string>) => (name: string) => values[name];

test('compose mode scales a stateless service; a single writer, an unproxied host port and zero are refused', () => {
  assert.equal(composeScaleRefusal(services, 'api', 3), undefined, 'behind the edge: its replicas give the port up');
  assert.equal(composeScaleRefusal(services, 'worker', 5), undefined);
  assert.equal(composeScaleRefusal(services, 'db', 1), undefined, 'one is always allowed');
  assert.match(composeScaleRefusal(services, 'db', 2) ?? '', /stop-then-start \(galaxy.deploy=recreate\): it must never run twice/);
  assert.match(composeScaleRefusal(services, 'edge', 2) ?? '', /publishes host port 8080 and no proxy forwards to it/);
  assert.match(composeScaleRefusal(services, 'api', 0) ?? '', /at least one container/);
  assert.match(composeScaleRefusal(services, 'nope', 2) ?? '', /not a service of the compose files/);
});

test('.env counts become entries for every service that does not run one, with the port its health answers on', () => {
  assert.deepEqual(replicaEntries(services, env({ API_REPLICAS: '3', WORKER_REPLICAS: '1', EDGE_REPLICAS: '1' })), [
    { service: 'api', count: 3, healthPort: 3000 },
  ]);
  // Once the file is in the model the ports are gone and the label names the port.
  const scaled = [...services.filter((s) => s.name !== 'api'), svc('api', { healthPort: 3000, replicas: 3 })];
  assert.deepEqual(replicaEntries(scaled, env({ API_REPLICAS: '2', WORKER_REPLICAS: '4' })), [
    { service: 'api', count: 2, healthPort: 3000 },
    { service: 'worker', count: 4 },
  ]);
  assert.throws(() => replicaEntries(services, env({ DB_REPLICAS: '2' })), /\.env has DB_REPLICAS=2, but db is replaced stop-then-start .*: set it to 1/);
  assert.throws(() => replicaEntries(services, env({ API_REPLICAS: 'three' })), /API_REPLICAS=three: give a whole number/);
});

test('the replicas file scales each entry, drops its host ports and keeps its port in a label', () => {
  assert.equal(replicasFileText([]), undefined);
  const text = replicasFileText([
    { service: 'api', count: 3, healthPort: 3000 },
    { service: 'worker', count: 2 },
  ]);
  assert.equal(
    text?.split('\n').slice(1).join('\n'),
    [
      'services:',
      '  "api":',
      '    scale: 3',
      '    ports: !reset []',
      '    labels:',
      '      galaxy.health.port: "3000"',
      '  "worker":',
      '    scale: 2',
      '    ports: !reset []',
      '',
    ].join('\n'),
  );
});

test('compose reports a scale as the model replicas', () => {
  const config = (service: object) => JSON.stringify({ name: 'p', services: { api: service } });
  assert.equal(parseComposeConfig(config({ scale: 3 })).services[0].replicas, 3);
  assert.equal(parseComposeConfig(config({ deploy: { replicas: 2 } })).services[0].replicas, 2);
  assert.equal(parseComposeConfig(config({ scale: 1 })).services[0].replicas, undefined);
  assert.equal(parseComposeConfig(config({})).services[0].replicas, undefined);
});

test('the file follows .env: written, left alone when unchanged, removed at one, named in COMPOSE_FILE', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'replicas-'));
  writeFileSync(path.join(root, 'docker-compose.yml'), 'services: {}\n');
  const envPath = path.join(root, '.env');
  writeFileSync(envPath, 'COMPOSE_FILE=docker-compose.yml\n');
  const where = { root, env: envPath };
  assert.equal(syncReplicasFile(services, env({ API_REPLICAS: '2' }), 'default', where), true);
  assert.match(readFileSync(path.join(root, REPLICAS_FILE), 'utf8'), /scale: 2/);
  assert.match(readFileSync(envPath, 'utf8'), new RegExp(`COMPOSE_FILE=docker-compose.yml:${REPLICAS_FILE}`));
  assert.deepEqual(
    composeFiles('default', root, 'compose', envPath).map((f) => path.basename(f)),
    ['docker-compose.yml', REPLICAS_FILE],
  );
  assert.deepEqual(
    composeFiles('default', root, 'swarm', envPath).map((f) => path.basename(f)),
    ['docker-compose.yml'],
    'swarm mode reads the counts from .env itself',
  );
  assert.equal(syncReplicasFile(services, env({ API_REPLICAS: '2' }), 'default', where), false);
  assert.equal(syncReplicasFile(services, env({ API_REPLICAS: '1' }), 'default', where), true);
  assert.equal(existsSync(path.join(root, REPLICAS_FILE)), false);
  assert.match(readFileSync(envPath, 'utf8'), /COMPOSE_FILE=docker-compose.yml\n/);
});

test('make scale adds containers only to an unchanged config; any other move replaces the set, saying why', () => {
  assert.deepEqual(scaleMove({ was: 2, running: 2, replicas: 4, ported: true }), { add: true });
  assert.deepEqual(scaleMove({ was: 1, running: 1, replicas: 3, ported: true }), { add: false, why: 'its replicas give up its host ports' });
  assert.deepEqual(scaleMove({ was: 3, running: 3, replicas: 1, ported: true }), { add: false, why: 'it takes its host ports back' });
  assert.deepEqual(scaleMove({ was: 1, running: 1, replicas: 3, ported: false }), { add: false, why: 'its compose config changes (the replicas file)' });
  assert.deepEqual(scaleMove({ was: 4, running: 4, replicas: 2, ported: false }), { add: false, why: 'fewer replicas' });
  assert.deepEqual(scaleMove({ was: 3, running: 2, replicas: 3, ported: false }), { add: false, why: '2 run where 3 should' });
  assert.deepEqual(scaleMove({ was: 3, running: 2, replicas: 4, ported: false }), { add: false, why: '2 run where 3 should' });
});
