import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, describeConfig, loadConfig, parseStatusTargets } from '../src/config.js';

const base = { DATABASE_URL: 'postgres://galaxy:secret@postgres:5432/galaxy', API_TOKEN: 'config-test-token-0123' };

test('defaults', () => {
  const c = loadConfig(base);
  assert.equal(c.port, 3000);
  assert.equal(c.redisUrl, 'redis://redis:6379');
  assert.equal(c.memoryApiUrl, 'http://memory-api:37778');
  assert.equal(c.experienceApiUrl, 'http://experience-api:5556');
  assert.equal(c.geminiApiKey, undefined);
  assert.equal(c.logLevel, 'info');
  assert.deepEqual(c.statusTargets, []);
  assert.deepEqual(c.allowedOrigins, []);
});

test('the API token is required and must fit in a header; allowed origins are origins', () => {
  const { API_TOKEN: _, ...noToken } = base;
  assert.throws(() => loadConfig(noToken), /API_TOKEN must be 16 to 256 characters/);
  for (const bad of ['short', 'x'.repeat(15), 'has"quote-0123456789', 'has space 0123456789', 'x'.repeat(257)]) {
    assert.throws(() => loadConfig({ ...base, API_TOKEN: bad }), /API_TOKEN/);
  }
  const c = loadConfig({ ...base, API_ALLOWED_ORIGINS: 'http://127.0.0.1:8080, http://localhost:8080/' });
  assert.deepEqual(c.allowedOrigins, ['http://127.0.0.1:8080', 'http://localhost:8080/']);
  for (const bad of ['127.0.0.1:8080', 'http://a:1/path', 'not a url']) {
    assert.throws(() => loadConfig({ ...base, API_ALLOWED_ORIGINS: bad }), /API_ALLOWED_ORIGINS/);
  }
});

test('STATUS_TARGETS parsing', () => {
  assert.deepEqual(parseStatusTargets(' frontend=http://frontend:8080/health , memory-api=http://memory-api:37778/health,'), [
    { name: 'frontend', url: 'http://frontend:8080/health' },
    { name: 'memory-api', url: 'http://memory-api:37778/health' },
  ]);
  assert.throws(() => parseStatusTargets('frontend'), /name=url/);
  assert.throws(() => parseStatusTargets('a=http://x/,a=http://y/'), /twice/);
  assert.throws(() => parseStatusTargets('a=ftp://x/'), /http\(s\)/);
  assert.throws(() => parseStatusTargets('a=not a url'), ConfigError);
});

test('bad values fail loudly', () => {
  assert.throws(() => loadConfig({}), /DATABASE_URL/);
  assert.throws(() => loadConfig({ ...base, PORT: '70000' }), /PORT/);
  assert.throws(() => loadConfig({ ...base, PORT: '3x' }), /PORT/);
  assert.throws(() => loadConfig({ ...base, LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.throws(() => loadConfig({ ...base, REDIS_URL: 'http://redis' }), /REDIS_URL/);
  assert.throws(() => loadConfig({ ...base, GEMINI_MODEL: 'a/b' }), /GEMINI_MODEL/);
});

test('secrets are masked in the start-up description', () => {
  const d = describeConfig(loadConfig({ ...base, GEMINI_API_KEY: 'abc', REDIS_URL: 'redis://:pw-redis@redis:6379/0' }));
  assert.equal(d.databaseUrl, 'postgres://galaxy:***@postgres:5432/galaxy');
  assert.equal(d.redisUrl, 'redis://:***@redis:6379/0');
  assert.equal(d.geminiApiKey, 'set');
  assert.ok(!JSON.stringify(d).includes('secret'));
  assert.ok(!JSON.stringify(d).includes('pw-redis'));
  assert.ok(!JSON.stringify(d).includes('abc'));
  assert.ok(!JSON.stringify(d).includes(base.API_TOKEN));
});
