// The compose model cache (scripts/lib/compose-cache.ts): every input the model depends on is in
// the key, nothing else is, and the store keeps a few models and survives a broken file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type ModelInputs, cachedByKey, interpolatedNames, modelCacheKey } from '../../scripts/lib/compose-cache.ts';

const base: ModelInputs = {
  files: [{ path: '/kit/docker-compose.yml', text: 'services:\n  api:\n    image: ${API_IMAGE:-api}\n    ports: ["$API_PORT:80"]\n' }],
  envText: 'API_PORT=8080\n',
  ctx: { mode: 'default', env: { API_IMAGE: 'offline/api:1' }, profiles: ['monitoring'] },
  env: { API_PORT: '8080', HOME: '/root', PWD: '/kit', COMPOSE_PROJECT_NAME: 'galaxy' },
  parser: 'function parse() {}',
};
const key = modelCacheKey(base);

test('the names a compose file interpolates, not $$ escapes', () => {
  assert.deepEqual(interpolatedNames('a: ${A}\nb: ${B:-x}\nc: $C\nd: $$NOT\ne: $${ALSO_NOT}'), ['A', 'B', 'C']);
});

test('the key changes with each input the model depends on', () => {
  const changed: Array<[string, ModelInputs]> = [
    ['a compose file', { ...base, files: [{ ...base.files[0], text: `${base.files[0].text}    labels: { a: b }\n` }] }],
    ['another compose file', { ...base, files: [...base.files, { path: '/kit/docker-compose.dev.yml', text: 'services: {}\n' }] }],
    ['.env', { ...base, envText: 'API_PORT=9090\n' }],
    ['the mode', { ...base, ctx: { ...base.ctx, mode: 'prod' } }],
    ['the profiles', { ...base, ctx: { ...base.ctx, profiles: ['monitoring', 'grafana'] } }],
    ['a context variable', { ...base, ctx: { ...base.ctx, env: { API_IMAGE: 'offline/api:2' } } }],
    ['a variable the files name', { ...base, env: { ...base.env, API_PORT: '9090' } }],
    ['a COMPOSE_ variable', { ...base, env: { ...base.env, COMPOSE_PROJECT_NAME: 'other' } }],
    ['the parser', { ...base, parser: 'function parse() { return 1; }' }],
  ];
  for (const [what, inputs] of changed) assert.notEqual(modelCacheKey(inputs), key, `${what} changed but the key did not`);
});

test('the key ignores variables the files do not name, and the order of variables', () => {
  assert.equal(modelCacheKey({ ...base, env: { ...base.env, PWD: '/elsewhere', SHLVL: '3' } }), key);
  assert.equal(modelCacheKey({ ...base, env: Object.fromEntries(Object.entries(base.env).reverse()) }), key);
});

test('a cached model is read once, then served from the file until the key changes', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'model-cache-')), '.run', 'compose-models.json');
  let reads = 0;
  const read = async () => ({ project: 'galaxy', services: [`read ${++reads}`] });
  assert.deepEqual(await cachedByKey(file, 'k1', read), { project: 'galaxy', services: ['read 1'] });
  assert.deepEqual(await cachedByKey(file, 'k1', read), { project: 'galaxy', services: ['read 1'] });
  assert.equal(reads, 1);
  assert.deepEqual(await cachedByKey(file, 'k2', read), { project: 'galaxy', services: ['read 2'] });
  assert.deepEqual(await cachedByKey(file, 'k1', read), { project: 'galaxy', services: ['read 1'] }, 'the older model is kept beside the newer');
  assert.equal(reads, 2);
});

test('the store keeps the newest few models and mends a broken file', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'model-cache-')), 'compose-models.json');
  for (let i = 0; i < 12; i++) await cachedByKey(file, `k${i}`, async () => i);
  const kept = (JSON.parse(readFileSync(file, 'utf8')) as { entries: Array<{ key: string }> }).entries.map((e) => e.key);
  assert.deepEqual(kept, ['k11', 'k10', 'k9', 'k8', 'k7', 'k6', 'k5', 'k4']);
  writeFileSync(file, '{"entries": [{"key": "k1');
  assert.equal(await cachedByKey(file, 'k1', async () => 'fresh'), 'fresh');
  assert.equal(await cachedByKey(file, 'k1', async () => 'not read'), 'fresh');
});
