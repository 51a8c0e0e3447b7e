import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceModel } from '../../scripts/lib/compose.ts';
import { orderByDependencies } from '../../scripts/lib/compose.ts';
import { planDeploy } from '../../scripts/lib/deploy/plan.ts';

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
  assert.deepEqual(planDeploy(services, 'backend'), [{ service: 'backend', strategy: 'rolling', hops: 2, proxies: ['frontend'] }]);
  assert.deepEqual(planDeploy(services, 'experience-api'), [{ service: 'experience-api', strategy: 'rolling', hops: 1, proxies: [] }]);
});

test('a single-writer service is recreated; unknown and not-built services are refused', () => {
  assert.deepEqual(planDeploy(services, 'memory-api'), [{ service: 'memory-api', strategy: 'recreate', hops: 1, proxies: [] }]);
  assert.throws(() => planDeploy(services, 'nope'), /unknown service 'nope'/);
  assert.throws(() => planDeploy(services, 'postgres'), /does not build/);
});
