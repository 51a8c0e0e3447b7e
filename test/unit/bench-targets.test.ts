// The bench chooses what it deploys and crashes from compose labels (bench/lib/targets.ts), and no
// bench file names a reference service: only services/ and test/ may.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { benchTargets, chooseTarget } from '../../bench/lib/targets.ts';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { tsFiles } from '../lib/source-files.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const port = (published: string) => [{ host_ip: '127.0.0.1', published, target: 8080 }];

/** A stack shaped like ours under other names: entry proxy -> web proxy -> api, a stateful store beside. */
const model = parseComposeConfig(
  JSON.stringify({
    name: 'p',
    services: {
      gate: { ports: port('18080'), labels: { 'galaxy.proxy.upstreams': 'web' } },
      web: { build: {}, labels: { 'galaxy.deploy': 'rolling', 'galaxy.proxy.upstreams': 'api, api-admin', 'galaxy.entry.path': '/' }, depends_on: { api: {} } },
      api: { build: {}, ports: port('13000'), labels: { 'galaxy.deploy': 'rolling', 'galaxy.entry.path': '/api/version' } },
      store: { build: {}, labels: { 'galaxy.deploy': 'recreate', 'galaxy.entry.path': '/x' } },
      lonely: { build: {}, labels: { 'galaxy.deploy': 'rolling', 'galaxy.entry.path': '/y' } },
      unlabelled: { build: {}, labels: { 'galaxy.deploy': 'rolling' } },
    },
  }),
);

test('targets: rolling, built, behind a proxy chain that reaches a published entry point, with galaxy.entry.path; deepest first', () => {
  assert.deepEqual(benchTargets(model), [
    { service: 'api', chain: ['gate', 'web'], url: 'http://127.0.0.1:18080/api/version' },
    { service: 'web', chain: ['gate'], url: 'http://127.0.0.1:18080/' },
  ]);
});

test('the default target is the one behind the most proxies; a named one must be a target', () => {
  assert.equal(chooseTarget(model).service, 'api');
  assert.equal(chooseTarget(model, 'web').service, 'web');
  assert.throws(() => chooseTarget(model, 'store'), /store is not a bench target: choose one of api, web/);
  assert.throws(() => chooseTarget(parseComposeConfig(JSON.stringify({ name: 'p', services: {} }))), /no bench target in the compose files/);
});

test('no bench file names a reference service in code (comments and prose aside) or reads a compose file as YAML', () => {
  const names = new Set(
    readdirSync(root)
      .filter((f) => /^docker-compose(\.[a-z]+)?\.yml$/.test(f))
      .flatMap((f) => Object.keys((YAML.parse(readFileSync(path.join(root, f), 'utf8')) as { services?: object }).services ?? {})),
  );
  assert.ok(names.size > 5, 'the compose files list the reference services');
  const found: string[] = [];
  for (const file of tsFiles(path.join(root, 'bench'))) {
    const source = readFileSync(file, 'utf8');
    const rel = path.relative(root, file);
    if (/from ['"]yaml['"]/.test(source)) found.push(`${rel}: imports yaml`);
    // A service name as a whole string literal: `const SERVICE = 'x'`, `['up', 'x', 'y']`, `=== 'x'`.
    for (const m of source.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)) {
      const literal = m[1] ?? m[2];
      if (names.has(literal)) found.push(`${rel}: '${literal}'`);
    }
  }
  assert.deepEqual(found, []);
});
