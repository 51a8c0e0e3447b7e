import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceModel } from '../../scripts/lib/compose.ts';
import { orderByDependencies } from '../../scripts/lib/compose.ts';
import { sharedBuilds } from '../../scripts/lib/deploy/command.ts';
import { deployWaves, planDeploy } from '../../scripts/lib/deploy/plan.ts';

const svc = (name: string, deploy: string, over: Partial<ServiceModel> = {}): ServiceModel => ({
  name,
  ports: [],
  labels: {},
  dependsOn: [],
  hasHealthcheck: true,
  deploy,
  build: true,
  profiles: [],
  ...over,
});
const port = [{ hostIp: '127.0.0.1', published: 3000, target: 3000 }];
const services = orderByDependencies([
  svc('frontend', 'rolling', { dependsOn: ['backend'], ports: port, labels: { 'galaxy.proxy.upstreams': 'backend' } }),
  svc('edge', 'rolling', { dependsOn: ['frontend'], build: false, labels: { 'galaxy.proxy.upstreams': ' frontend , backend-admin' } }),
  svc('backend', 'rolling', { dependsOn: ['postgres', 'memory-api', 'experience-api'], ports: port }),
  svc('experience-api', 'rolling', { dependsOn: ['memory-api'] }),
  svc('memory-api', 'recreate'),
  svc('postgres', 'recreate', { build: false }),
]);

test('without a service: every stateless built service, dependencies first', () => {
  assert.deepEqual(
    planDeploy(services).map((s) => s.service),
    ['experience-api', 'backend', 'frontend'],
  );
});

test('the proxies in front of a service are the ones whose galaxy.proxy.upstreams names it', () => {
  assert.deepEqual(planDeploy(services, 'frontend')[0].proxies, ['edge']);
  assert.deepEqual(planDeploy(services, 'backend')[0].proxies, ['frontend']);
});

test('services publishing host ports are swapped in two hops, the others in one', () => {
  assert.deepEqual(planDeploy(services, 'backend'), [{ service: 'backend', strategy: 'rolling', hops: 2, replicas: 1, proxies: ['frontend'] }]);
  assert.deepEqual(planDeploy(services, 'experience-api'), [{ service: 'experience-api', strategy: 'rolling', hops: 1, replicas: 1, proxies: [] }]);
});

test('a single-writer service is recreated; unknown and not-built services are refused', () => {
  assert.deepEqual(planDeploy(services, 'memory-api'), [{ service: 'memory-api', strategy: 'recreate', hops: 1, replicas: 1, proxies: [] }]);
  assert.throws(() => planDeploy(services, 'nope'), /unknown service 'nope'/);
  assert.throws(() => planDeploy(services, 'postgres'), /does not build/);
});

const waveNames = (waves: ReturnType<typeof deployWaves>) => waves.map((w) => w.map((s) => s.service));

test('deploy waves: a service moves after the planned services it depends on', () => {
  assert.deepEqual(waveNames(deployWaves(planDeploy(services), services, 8)), [['experience-api'], ['backend'], ['frontend']]);
});

test('deploy waves: independent services move together, at most `limit` at once, in the given order', () => {
  const flat = orderByDependencies(['a', 'b', 'c', 'd', 'e'].map((n) => svc(n, 'rolling')));
  assert.deepEqual(waveNames(deployWaves(planDeploy(flat), flat, 2)), [['a', 'b'], ['c', 'd'], ['e']]);
  assert.deepEqual(waveNames(deployWaves(planDeploy(flat), flat, 8)), [['a', 'b', 'c', 'd', 'e']]);
});

test('deploy waves: a proxy moves after its upstreams even without depends_on; unplanned dependencies do not hold it back', () => {
  const model = orderByDependencies([
    svc('proxy', 'rolling', { labels: { 'galaxy.proxy.upstreams': 'app' } }),
    svc('app', 'rolling', { dependsOn: ['db'] }),
    svc('db', 'recreate', { build: false }),
    svc('worker', 'rolling', { dependsOn: ['db'] }),
  ]);
  assert.deepEqual(waveNames(deployWaves(planDeploy(model), model, 8)), [['app', 'worker'], ['proxy']]);
});

test('deploy waves: a proxy label that closes a cycle with depends_on still puts the two in different waves', () => {
  const model = [svc('gate', 'rolling', { labels: { 'galaxy.proxy.upstreams': 'app' } }), svc('app', 'rolling', { dependsOn: ['gate'] })];
  const waves = waveNames(deployWaves(planDeploy(model), model, 8));
  assert.equal(waves.length, 2);
  assert.deepEqual(waves.flat().sort(), ['app', 'gate']);
});

test('services naming the same image with the same build section are built once; a different build or image is its own build', () => {
  const build = { context: '/src/app', dockerfile: 'Dockerfile' };
  const model = {
    project: 'p',
    services: [
      svc('api', 'rolling', { build: true, buildSpec: build, image: 'shop/app:latest' }),
      svc('worker', 'rolling', { build: true, buildSpec: build, image: 'shop/app:v1' }),
      svc('beat', 'rolling', { build: true, buildSpec: { ...build, args: { ROLE: 'beat' } }, image: 'shop/app:latest' }),
      svc('web', 'rolling', { build: true, buildSpec: build, image: 'shop/web:latest' }),
      svc('jobs', 'rolling', { build: true, buildSpec: build, image: 'shop/app:latest' }),
    ],
  };
  const shared = sharedBuilds({ model }, ['api', 'worker', 'beat', 'web', 'jobs'], 'abc123');
  assert.deepEqual(
    [...shared],
    [
      ['worker', 'api'],
      ['jobs', 'api'],
    ],
  );
  assert.deepEqual([...sharedBuilds({ model }, ['web'], 'abc123')], []);
});
