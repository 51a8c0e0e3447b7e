// Swarm mode's decisions: the stack file made from compose config, the settings read from .env,
// the cluster's node plan and the health verdict per service.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicesWithLiveTasks } from '../../scripts/lib/docker/swarm-stack.ts';
import { clusterNames, nodePlan } from '../../scripts/lib/swarm/cluster.ts';
import { scaleRefusal } from '../../scripts/lib/swarm/deploy-stack.ts';
import { judgeSwarmService } from '../../scripts/lib/swarm/health.ts';
import { registryReference } from '../../scripts/lib/swarm/registry.ts';
import { externalRegistry, replicaCounts, replicasVariable } from '../../scripts/lib/swarm/settings.ts';
import { durationSeconds } from '../../scripts/lib/duration.ts';
import { type ComposeConfig, holdsLocalState, stackFile } from '../../scripts/lib/swarm/stack-file.ts';

type Obj = Record<string, unknown>;

const config: ComposeConfig = {
  name: 'shop',
  services: {
    api: {
      image: 'shop/api:latest',
      build: { context: '/src/api' },
      depends_on: { db: { condition: 'service_healthy' } },
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      command: null,
      ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 3000, published: '3000', protocol: 'tcp' }],
      tmpfs: ['/tmp'],
      healthcheck: { interval: '5s', start_interval: '1s', retries: 2 },
      deploy: { resources: { limits: { cpus: 0.5, memory: '536870912', pids: 256 } } },
      labels: { 'galaxy.deploy': 'rolling' },
    },
    web: { image: 'shop/web:latest', tmpfs: ['/etc/nginx/conf.d:uid=101,gid=101'], networks: { public: null } },
    db: {
      image: 'postgres:17',
      volumes: [{ type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data' }],
      labels: { 'galaxy.backup': 'postgres' },
    },
    watcher: { image: 'shop/watcher:latest', labels: { 'galaxy.swarm.skip': 'Swarm heals by itself' } },
  },
  networks: { public: { name: 'shop_public', ipam: {} }, data: { name: 'shop_data', internal: true } },
  volumes: { 'db-data': { name: 'shop_db-data' } },
};
const defaults = {
  update_config: { order: 'start-first', failure_action: 'rollback' },
  rollback_config: { order: 'start-first' },
  restart_policy: { condition: 'any' },
};
const pushed = { api: '127.0.0.1:5000/shop/api@sha256:aa', web: '127.0.0.1:5000/shop/web@sha256:bb', db: '127.0.0.1:5000/postgres@sha256:cc' };
const made = stackFile({ config, pushedImages: pushed, replicas: { api: 3, db: 2 } }, defaults);
const service = (name: string) => (made.stack.services as Record<string, Obj>)[name];
const deploy = (name: string) => service(name).deploy as Obj;

test('a service labelled galaxy.swarm.skip is left out, with its reason', () => {
  assert.equal(service('watcher'), undefined);
  assert.deepEqual(made.skipped, { watcher: 'Swarm heals by itself' });
});

test('settings Swarm has no use for are dropped; unknown ones are named in a note', () => {
  for (const key of ['build', 'depends_on', 'restart', 'security_opt', 'command']) assert.equal(key in service('api'), false, key);
  assert.ok(made.notes.some((n) => n.includes('security_opt') && n.includes('api')));
  assert.equal('start_interval' in (service('api').healthcheck as Obj), false);
});

test("without start_interval a task is ready only at its first check: x-swarm's health_interval bounds the interval", () => {
  const checks = (healthcheck: Obj, health_interval?: string) =>
    (
      stackFile(
        { config: { ...config, services: { api: { ...config.services.api, healthcheck } } }, pushedImages: pushed, replicas: {} },
        { ...defaults, health_interval },
      ).stack.services as Record<string, Obj>
    ).api.healthcheck;
  assert.deepEqual(checks({ interval: '30s', start_interval: '1s', retries: 3 }, '10s'), { interval: '10s', retries: 3 });
  assert.deepEqual(checks({ interval: '1m30s', start_interval: '1s' }, '10s'), { interval: '10s' });
  assert.deepEqual(checks({ retries: 3 }, '10s'), { retries: 3, interval: '10s' }, "no interval: Docker's 30 s, bounded too");
  assert.deepEqual(checks({ interval: '3s', start_interval: '1s' }, '10s'), { interval: '3s' }, 'a faster check keeps its pace');
  assert.deepEqual(checks({ interval: '30s', start_interval: '1s' }), { interval: '30s' }, 'no bound set: as compose says');
  assert.deepEqual(checks({ disable: true }, '10s'), { disable: true }, 'a disabled check stays off');
  assert.throws(() => checks({ interval: '30s' }, 'soon'), /x-swarm has health_interval: soon: give a duration such as 10s/);
});

test('durationSeconds reads the Go durations compose config prints', () => {
  assert.equal(durationSeconds('1m30s'), 90);
  assert.equal(durationSeconds('500ms'), 0.5);
  assert.equal(durationSeconds('1h'), 3600);
  for (const bad of ['', '10', 's', '10s ', '10x', '-5s']) assert.equal(durationSeconds(bad), undefined, bad);
});

test('ports are published in host mode (no routing mesh), without a host address', () => {
  assert.deepEqual(service('api').ports, [{ mode: 'host', target: 3000, published: 3000, protocol: 'tcp' }]);
});

test('a stateless service runs its pushed image, with the replicas .env asks for, spread one per node when it publishes a port', () => {
  assert.equal(service('api').image, pushed.api);
  assert.equal(deploy('api').replicas, 3);
  assert.equal(deploy('api').endpoint_mode, 'dnsrr');
  assert.deepEqual(deploy('api').placement, { constraints: [], max_replicas_per_node: 1 });
  // A host-mode port has room for one task per node: the new one cannot start beside the old one.
  assert.equal((deploy('api').update_config as Obj).order, 'stop-first');
  assert.equal((deploy('api').update_config as Obj).failure_action, 'rollback');
});

test('a service with a volume stays on the manager, with one replica, updated stop-first, from its local image', () => {
  assert.equal(holdsLocalState(config.services.db), true);
  assert.equal(service('db').image, 'postgres:17');
  assert.equal(deploy('db').replicas, 1);
  assert.deepEqual((deploy('db').placement as Obj).constraints, ['node.role == manager']);
  assert.equal((deploy('db').update_config as Obj).order, 'stop-first');
  assert.ok(made.notes.some((n) => n.startsWith('db: holds local state')));
});

test('a stateless service without ports may run anywhere and is updated start-first', () => {
  assert.deepEqual((deploy('web').placement as Obj).constraints, []);
  assert.equal((deploy('web').update_config as Obj).order, 'start-first');
  // A tmpfs becomes a mount; its uid option has no Swarm equivalent (the image's folder decides).
  assert.deepEqual(service('web').volumes, [{ type: 'tmpfs', target: '/etc/nginx/conf.d' }]);
});

test('resources become strings, networks overlays, and the compose service name a container label', () => {
  assert.deepEqual((deploy('api').resources as Obj).limits, { cpus: '0.5', memory: '536870912', pids: 256 });
  assert.deepEqual(made.stack.networks, {
    public: { name: 'shop_public', driver: 'overlay', attachable: true },
    data: { name: 'shop_data', internal: true, driver: 'overlay', attachable: true },
  });
  assert.equal((service('api').labels as Obj)['com.docker.compose.service'], 'api');
});

test("a service's own placement constraints are kept", () => {
  const own = {
    ...config,
    services: { ...config.services, db: { ...config.services.db, deploy: { placement: { constraints: ['node.labels.disk == ssd'] } } } },
  };
  const db = (stackFile({ config: own, pushedImages: {}, replicas: {} }, defaults).stack.services as Record<string, Obj>).db;
  assert.deepEqual(((db.deploy as Obj).placement as Obj).constraints, ['node.labels.disk == ssd', 'node.role == manager']);
});

test('without a registry every service runs on the manager from its local image', () => {
  const local = stackFile({ config, pushedImages: {}, replicas: {} }, defaults);
  const api = (local.stack.services as Record<string, Obj>).api;
  assert.equal(api.image, 'shop/api:latest');
  assert.deepEqual(((api.deploy as Obj).placement as Obj).constraints, ['node.role == manager']);
});

test('replica counts come from <SERVICE>_REPLICAS and are checked', () => {
  assert.equal(replicasVariable('experience-api'), 'EXPERIENCE_API_REPLICAS');
  const env: Record<string, string> = { BACKEND_REPLICAS: '3' };
  assert.deepEqual(
    replicaCounts(['backend', 'frontend'], (n) => env[n]),
    { backend: 3 },
  );
  assert.throws(() => replicaCounts(['backend'], () => 'three'), /BACKEND_REPLICAS=three: give a whole number/);
  assert.throws(() => replicaCounts(['backend'], () => '99'), /from 0 to 50/);
});

test('the node plan adds the missing node containers and removes extra ones (this host is node 1)', () => {
  assert.deepEqual(nodePlan([], 'galaxy', 3), { add: ['galaxy-node-2', 'galaxy-node-3'], remove: [] });
  assert.deepEqual(nodePlan(['galaxy-node-2', 'galaxy-node-3', 'galaxy-node-4'], 'galaxy', 2), {
    add: [],
    remove: ['galaxy-node-3', 'galaxy-node-4'],
  });
  assert.equal(clusterNames('shop').network, 'shop-cluster');
  assert.equal(registryReference('shop/api', '127.0.0.1:5000'), '127.0.0.1:5000/shop/api:latest');
  assert.equal(registryReference('shop/api:2', 'registry.test:5000/team'), 'registry.test:5000/team/shop/api:2');
});

test('health: healthy only with every desired replica running; the nodes of running tasks are listed', () => {
  const tasks = [
    { service: 'api', node: 'n2', state: 'Running 1 minute ago', error: '' },
    { service: 'api', node: 'n1', state: 'Running 2 minutes ago', error: '' },
    { service: 'api', node: 'n3', state: 'Starting 3 seconds ago', error: '' },
  ];
  const svc = { name: 'shop_api', service: 'api', running: 2, desired: 3, image: 'x' };
  assert.deepEqual(judgeSwarmService('api', svc, tasks), {
    service: 'api',
    state: 'degraded',
    health: 'unhealthy',
    replicas: { running: 2, desired: 3 },
    nodes: ['n1', 'n2'],
    ok: false,
  });
  assert.equal(judgeSwarmService('api', { ...svc, running: 3 }, tasks).ok, true);
  assert.equal(judgeSwarmService('api', undefined, []).state, 'missing');
  assert.equal(judgeSwarmService('api', { ...svc, running: 0 }, []).state, 'down');
});

test('scale: refused for a service with local state, one left out of swarm mode, or more port holders than nodes', () => {
  assert.equal(scaleRefusal('web', config, 5, 3), undefined);
  assert.equal(scaleRefusal('api', config, 3, 3), undefined);
  assert.match(scaleRefusal('api', config, 4, 3) ?? '', /publishes a port.*the swarm has 3 node\(s\): at most 3 replicas/);
  assert.match(scaleRefusal('db', config, 2, 3) ?? '', /db keeps local state/);
  assert.equal(scaleRefusal('db', config, 1, 3), undefined);
  assert.match(scaleRefusal('watcher', config, 2, 3) ?? '', /does not run in swarm mode/);
  assert.match(scaleRefusal('nope', config, 2, 3) ?? '', /not a service of the compose files/);
});

test('an auto-scaled service with a port spreads even at one replica, and make scale stays under its max', () => {
  const scaled: ComposeConfig = {
    ...config,
    services: { ...config.services, api: { ...config.services.api, labels: { 'galaxy.autoscale.max': '3', 'galaxy.autoscale.min': '1' } } },
  };
  const one = stackFile({ config: scaled, pushedImages: pushed, replicas: { api: 1 } }, defaults);
  const placement = ((one.stack.services as Record<string, Obj>).api.deploy as Obj).placement as Obj;
  assert.deepEqual(placement, { constraints: [], max_replicas_per_node: 1 });
  // Without a policy, one replica with a port stays on the manager, where 127.0.0.1 reaches it.
  const plain = stackFile({ config, pushedImages: pushed, replicas: { api: 1 } }, defaults);
  assert.deepEqual((((plain.stack.services as Record<string, Obj>).api.deploy as Obj).placement as Obj).constraints, ['node.role == manager']);
  // The policy is the service's, not its containers': make scale changes the floor, and a changed
  // container label would replace every task.
  const api = (one.stack.services as Record<string, Obj>).api;
  assert.equal((api.labels as Obj)['galaxy.autoscale.min'], undefined);
  assert.equal(((api.deploy as Obj).labels as Obj)['galaxy.autoscale.min'], '1');
  assert.match(scaleRefusal('api', scaled, 4, 9) ?? '', /auto-scaled up to 3 replicas \(galaxy\.autoscale\.max\), and API_REPLICAS is its floor/);
  assert.equal(scaleRefusal('api', scaled, 2, 9), undefined);
});

test('a kit-built service on the manager runs its local image by id, so a rebuild under the same tag rolls it', () => {
  const made2 = stackFile({ config, pushedImages: {}, localImages: { api: 'sha256:1234' }, replicas: {} }, defaults);
  assert.equal((made2.stack.services as Record<string, Obj>).api.image, 'sha256:1234');
  assert.equal((made2.stack.services as Record<string, Obj>).web.image, 'shop/web:latest');
});

test('REGISTRY: an external registry as host[:port][/path]; anything else is refused with the form to use', () => {
  const read = (value?: string) => () => value;
  assert.equal(externalRegistry(read(undefined)), undefined);
  assert.equal(externalRegistry(read('registry.test:5000/team')), 'registry.test:5000/team');
  assert.equal(externalRegistry(read('registry.test')), 'registry.test');
  for (const bad of ['https://registry.test', 'registry.test:5000/', 'Registry.Test', 'a b', 'registry.test/team;rm'])
    assert.throws(() => externalRegistry(read(bad)), /give a registry as <host>\[:<port>\]\[\/<path>\] in lower case, without https:\/\//);
});

test('a service scaled to 0 counts as stopped only once no task of it may still run, on any node', () => {
  const lines = [
    'shop_api.1\tRunning 3 seconds ago', // stopping: its container has not exited yet
    'shop_api.1\tShutdown 2 minutes ago',
    'shop_web.2\tShutdown 1 second ago',
    'shop_web.2\tFailed 5 minutes ago',
    'shop_agent.x1y2z3\tStarting 1 second ago', // a global service's task, named by its node
    'shop_db.1\tComplete 1 minute ago',
    '',
  ].join('\n');
  assert.deepEqual(servicesWithLiveTasks('shop', lines, ['api', 'web', 'agent', 'db']), ['api', 'agent']);
  assert.deepEqual(servicesWithLiveTasks('shop', lines, ['web', 'db']), []);
  assert.deepEqual(servicesWithLiveTasks('shop', '\\_ shop_web.2\tPreparing 1 second ago', ['web']), ['web']);
});
