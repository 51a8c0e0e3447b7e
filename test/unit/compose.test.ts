import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseComposeConfig, requireService } from '../../scripts/lib/compose.ts';
import { parsePsOutput } from '../../scripts/lib/docker/containers.ts';
import { judge, serviceAddresses } from '../../scripts/lib/health.ts';
import { parseSsHolder } from '../../scripts/lib/ports.ts';

const config = JSON.stringify({
  name: 'galaxy',
  services: {
    frontend: {
      depends_on: { backend: { condition: 'service_healthy' } },
      ports: [{ host_ip: '127.0.0.1', published: '8080', target: 8080 }],
      labels: { 'galaxy.health.path': '/health' },
      healthcheck: { test: ['CMD', 'curl'] },
    },
    backend: {
      depends_on: { postgres: {}, redis: {} },
      ports: [{ host_ip: '127.0.0.1', published: '3000', target: 3000 }],
      labels: { 'galaxy.deploy': 'rolling' },
      build: { context: '.' },
      healthcheck: { test: ['CMD', 'node', 'h.js'] },
    },
    postgres: { healthcheck: { test: ['CMD-SHELL', 'pg_isready'] } },
    redis: { healthcheck: { disable: true } },
    prometheus: { profiles: ['monitoring'], ports: [{ host_ip: '127.0.0.1', published: '9090', target: 9090 }], labels: { 'galaxy.health.path': '/-/ready' } },
  },
});

test('services come out in dependency order with ports, labels and health paths', () => {
  const model = parseComposeConfig(config);
  assert.equal(model.project, 'galaxy');
  assert.deepEqual(
    model.services.map((s) => s.name),
    ['postgres', 'redis', 'backend', 'frontend', 'prometheus'],
  );
  assert.deepEqual(model.services.find((s) => s.name === 'prometheus')?.profiles, ['monitoring']);
  assert.deepEqual(model.services.find((s) => s.name === 'backend')?.profiles, []);
  const frontend = model.services[3];
  assert.deepEqual(frontend.ports, [{ hostIp: '127.0.0.1', published: 8080, target: 8080 }]);
  assert.equal(frontend.healthPath, '/health');
  assert.equal(model.services[2].deploy, 'rolling');
  assert.equal(model.services[2].build, true);
  assert.equal(model.services[1].hasHealthcheck, false);
});

test('a dependency cycle is reported', () => {
  const cyclic = JSON.stringify({ name: 'x', services: { a: { depends_on: { b: {} } }, b: { depends_on: { a: {} } } } });
  assert.throws(() => parseComposeConfig(cyclic), /dependency cycle/);
});

test('an unknown service is refused with the valid names', () => {
  const model = parseComposeConfig(config);
  assert.throws(() => requireService(model, 'nope'), { message: "unknown service 'nope': use one of postgres, redis, backend, frontend, prometheus" });
  assert.equal(requireService(model, 'backend').name, 'backend');
});

test('compose ps output: line-delimited and array forms', () => {
  const line =
    '{"ID":"abc","Service":"backend","Name":"g-backend-1","State":"running","Health":"healthy","ExitCode":0,"Publishers":[{"URL":"127.0.0.1","TargetPort":3000,"PublishedPort":3000,"Protocol":"tcp"},{"TargetPort":9229,"PublishedPort":0}]}';
  assert.equal(parsePsOutput(line)[0].health, 'healthy');
  assert.equal(parsePsOutput(line)[0].status, 'running');
  assert.deepEqual(parsePsOutput(line)[0].publishedPorts, [3000]);
  assert.equal(parsePsOutput(`[${line}]`)[0].service, 'backend');
  assert.deepEqual(parsePsOutput(''), []);
});

test('health verdict: running and healthy and answering 2xx', () => {
  const c = { id: '1', service: 's', name: 'n', status: 'running', health: 'healthy', exitCode: 0, publishedPorts: [] };
  assert.equal(judge(c, 200, true), true);
  assert.equal(judge(c, 503, true), false);
  assert.equal(judge(c, undefined, true), false);
  assert.equal(judge({ ...c, health: 'starting' }, 200, true), false);
  assert.equal(judge({ ...c, status: 'exited' }, undefined, false), false);
  assert.equal(judge({ ...c, health: '' }, undefined, false), true);
  assert.equal(judge(undefined, undefined, false), false);
});

test('the process holding a port is read from ss', () => {
  const ss = 'LISTEN 0 511 127.0.0.1:8080 0.0.0.0:* users:(("python3",pid=4242,fd=3))\nLISTEN 0 4096 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))';
  assert.equal(parseSsHolder(ss, 8080), 'python3 (pid 4242)');
  assert.equal(parseSsHolder(ss, 9999), undefined);
});

test('health and metrics ports and the metrics path come from labels; a label that is no port gives none', () => {
  const labelled = (labels: Record<string, string>) => parseComposeConfig(JSON.stringify({ name: 'p', services: { s: { labels } } })).services[0];
  const api = labelled({ 'galaxy.health.port': '5000', 'galaxy.metrics.path': '/metrics', 'galaxy.metrics.port': '9400' });
  assert.equal(api.healthPort, 5000);
  assert.deepEqual(api.metrics, { path: '/metrics', port: 9400 });
  assert.deepEqual(labelled({ 'galaxy.metrics.path': '/m' }).metrics, { path: '/m' });
  for (const bad of ['', 'http', '0', '70000', '80.5']) assert.equal(labelled({ 'galaxy.health.port': bad }).healthPort, undefined, bad);
  assert.equal(labelled({}).metrics, undefined);
});

test('the start table: every published port (a URL for an HTTP service), else the proxies that publish it, else internal', () => {
  const model = parseComposeConfig(
    JSON.stringify({
      name: 'p',
      services: {
        front: {
          ports: [
            { host_ip: '127.0.0.1', published: '4100', target: 4100 },
            { host_ip: '0.0.0.0', published: '8081', target: 8081 },
          ],
          labels: { 'galaxy.health.path': '/h', 'galaxy.proxy.upstreams': 'api, site' },
        },
        site: {},
        logs: { ports: [{ host_ip: '127.0.0.1', published: '5514', target: 514, protocol: 'udp' }] },
        db: { ports: [{ host_ip: '127.0.0.1', published: '5432', target: 5432 }] },
        worker: {},
      },
    }),
  );
  const shown = Object.fromEntries(model.services.map((s) => [s.name, serviceAddresses(model, s)]));
  assert.deepEqual(shown, {
    front: 'http://127.0.0.1:4100/ http://127.0.0.1:8081/',
    site: '(via front)',
    logs: '127.0.0.1:5514/udp',
    db: '127.0.0.1:5432',
    worker: '(internal)',
  });
});
