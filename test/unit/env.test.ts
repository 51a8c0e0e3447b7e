import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { addMissingSecrets, ensureEnvFile, parseEnvExample, renderNewEnv, validateEnv } from '../../scripts/lib/env.ts';

const example = [
  '# @required Project name',
  'COMPOSE_PROJECT_NAME=galaxy',
  '',
  '# @required @secret DB password',
  'POSTGRES_PASSWORD=',
  '# Optional key',
  'GEMINI_API_KEY=',
  '# @required',
  'BACKEND_PORT=3000',
  '',
].join('\n');

test('parses tags from the comment above each variable', () => {
  const vars = parseEnvExample(example);
  assert.deepEqual(
    vars.map((v) => [v.name, v.required, v.secret]),
    [
      ['COMPOSE_PROJECT_NAME', true, false],
      ['POSTGRES_PASSWORD', true, true],
      ['GEMINI_API_KEY', false, false],
      ['BACKEND_PORT', true, false],
    ],
  );
});

test('a new .env gets a generated value for every secret and keeps the rest', () => {
  const text = renderNewEnv(example, () => 'S3CRET');
  assert.match(text, /^POSTGRES_PASSWORD=S3CRET$/m);
  assert.match(text, /^GEMINI_API_KEY=$/m);
  assert.match(text, /^COMPOSE_PROJECT_NAME=galaxy$/m);
});

test('generated secrets differ between two files and the file is private', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'env-'));
  writeFileSync(path.join(dir, 'ex'), example);
  assert.equal(ensureEnvFile(path.join(dir, 'a'), path.join(dir, 'ex')), true);
  assert.equal(ensureEnvFile(path.join(dir, 'a'), path.join(dir, 'ex')), false);
  ensureEnvFile(path.join(dir, 'b'), path.join(dir, 'ex'));
  const secret = (f: string) => /POSTGRES_PASSWORD=(.*)/.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1];
  assert.ok((secret('a') ?? '').length >= 24);
  assert.notEqual(secret('a'), secret('b'));
  assert.equal(statSync(path.join(dir, 'a')).mode & 0o777, 0o600);
});

test('an existing .env gets the optional secrets a newer kit added, never a missing password', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'env-'));
  const newer = `${example}# @secret Signs backup sets.\nBACKUP_HMAC_KEY=\n`;
  writeFileSync(path.join(dir, 'ex'), newer);
  // An .env from before the key existed, missing its password line as well.
  writeFileSync(path.join(dir, '.env'), 'COMPOSE_PROJECT_NAME=galaxy\nBACKEND_PORT=3000', { mode: 0o600 });
  assert.deepEqual(
    addMissingSecrets(path.join(dir, '.env'), path.join(dir, 'ex'), () => 'K3Y'),
    ['BACKUP_HMAC_KEY'],
  );
  const text = readFileSync(path.join(dir, '.env'), 'utf8');
  assert.match(text, /^BACKEND_PORT=3000\n# .*\nBACKUP_HMAC_KEY=K3Y\n$/m);
  assert.doesNotMatch(text, /POSTGRES_PASSWORD/, 'a new password would not open existing data: validation names it instead');
  assert.equal(statSync(path.join(dir, '.env')).mode & 0o777, 0o600);
  assert.deepEqual(
    addMissingSecrets(path.join(dir, '.env'), path.join(dir, 'ex'), () => 'OTHER'),
    [],
    'a second run changes nothing',
  );
  assert.match(readFileSync(path.join(dir, '.env'), 'utf8'), /^BACKUP_HMAC_KEY=K3Y$/m);
});

test('a missing required variable is named; bad ports and image sources are refused', () => {
  const vars = parseEnvExample(example);
  assert.deepEqual(validateEnv({ COMPOSE_PROJECT_NAME: 'g', POSTGRES_PASSWORD: 'x', BACKEND_PORT: '3000' }, vars), []);
  assert.deepEqual(validateEnv({ COMPOSE_PROJECT_NAME: 'g', BACKEND_PORT: '3000' }, vars), [
    '.env is missing required variable POSTGRES_PASSWORD: add it (see .env.example)',
  ]);
  assert.match(validateEnv({ COMPOSE_PROJECT_NAME: 'g', POSTGRES_PASSWORD: 'x', BACKEND_PORT: '70000' }, vars)[0], /invalid port BACKEND_PORT=70000/);
  assert.match(
    validateEnv({ COMPOSE_PROJECT_NAME: 'g', POSTGRES_PASSWORD: 'x', BACKEND_PORT: '1', IMAGE_SOURCE: 'hub' }, vars)[0],
    /IMAGE_SOURCE=hub: use one of auto, registry, offline/,
  );
});

test('the shipped .env.example has no password value and parses', () => {
  const vars = parseEnvExample(readFileSync(path.join(import.meta.dirname, '../../.env.example'), 'utf8'));
  assert.ok(vars.length > 10);
  for (const v of vars.filter((x) => x.secret)) assert.equal(v.value, '', `${v.name} must ship empty`);
  for (const v of vars.filter((x) => /PASSWORD|SECRET/.test(x.name))) assert.ok(v.secret, `${v.name} must be @secret`);
});
