import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  addMissingSecrets,
  ensureEnvFile,
  generateSecret,
  loadEnv,
  parseEnvExample,
  readEnvText,
  renderNewEnv,
  urlVariables,
  validateEnv,
} from '../../scripts/lib/env.ts';

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
  for (const v of vars.filter((x) => x.credential)) assert.equal(v.value, '', `${v.name} must ship empty`);
  for (const v of vars.filter((x) => /PASSWORD|SECRET|TOKEN/.test(x.name))) assert.ok(v.secret || v.credential, `${v.name} must be @secret or @credential`);
});

// One reading of .env: each line compose and the scripts would read differently is refused by key
// and line; what both read alike passes. Each case was compared with compose's own env-file reader.
const reading = (line: string) => readEnvText(`# first line is a comment\n${line}\n`);

test('values both readers agree on are read as written', () => {
  const cases: Array<[string, string]> = [
    ['P=plain-value_1.2~3', 'plain-value_1.2~3'],
    ['P=a b', 'a b'],
    ['P=a\\b', 'a\\b'],
    [`P=ab'c"d`, `ab'c"d`],
    ['P=a!b%c&*(){}=@/:?', 'a!b%c&*(){}=@/:?'],
    ['P=a`b', 'a`b'],
    ["P='a$b#c \\n'", 'a$b#c \\n'],
    ["P=' spaced '", ' spaced '],
    ['P="a b#c\'d"', "a b#c'd"],
    ["P=''", ''],
    ['P=', ''],
    ['export P=1', '1'],
  ];
  for (const [line, value] of cases) {
    const read = reading(line);
    assert.deepEqual(read.problems, [], line);
    assert.equal(read.values.P, value, line);
  }
});

test('comment lines, blank lines and a repeated name are fine; the last value counts', () => {
  const read = readEnvText('# a comment\n\n   \n  # indented comment\nA=1\nA=2\n');
  assert.deepEqual(read, { values: { A: '2' }, problems: [] });
});

test('each value compose reads differently is refused with its key, its line and what to do', () => {
  const cases: Array<[string, string]> = [
    ['P=abc$def123', `.env line 2: P contains '$', which compose reads as the start of a variable: put the value in single quotes ('...')`],
    ['P=a$$b', `.env line 2: P contains '$'`],
    ['P=${HOME}', `.env line 2: P contains '$'`],
    [
      'P=p@ss/w#rd',
      `.env line 2: P contains '#', which starts a comment for some readers and not for others: put the value in single quotes ('...'), or move a comment to its own line`,
    ],
    ['P=value # note', `.env line 2: P contains '#'`],
    ['P="a$b"', `.env line 2: P has '$' or '\\' inside double quotes, which compose expands: use single quotes ('...')`],
    ['P="a\\nb"', `.env line 2: P has '$' or '\\' inside double quotes`],
    ['P="x\\"y"', `.env line 2: P has a quoted value that is not closed at the end of its line, or has a quote inside: write it as '...' with no ' inside`],
    ["P='it\\'s'", `.env line 2: P has a quoted value that is not closed`],
    ["P='abc'x", `.env line 2: P has a quoted value that is not closed`],
    ["P='unterminated", `.env line 2: P has a quoted value that is not closed`],
    ["P='", `.env line 2: P has a quoted value that is not closed`],
    ['P=`ab`', `.env line 2: P starts with a backquote, which some readers strip and compose keeps: remove it, or use single quotes ('...')`],
    ['P= abc', `.env line 2: P has spaces around its value: remove them, or put the value in single quotes ('...') if they belong to it`],
    ['P=abc ', `.env line 2: P has spaces around its value`],
    ['P=abc\t', `.env line 2: P has spaces around its value`],
    ['P = abc', `.env line 2: P has spaces around its name or '=': write it as P=value`],
    ['  P=abc', `.env line 2: P has spaces around its name or '='`],
    ['P: abc', `.env line 2: P has spaces around its name or '='`],
    ['not an assignment', '.env line 2 is not NAME=value: write it as NAME=value, or start a comment with #'],
    ['9P=1', '.env line 2 is not NAME=value'],
  ];
  for (const [line, message] of cases) {
    const { problems } = reading(line);
    assert.equal(problems.length, 1, `${line}: ${problems.join(' | ')}`);
    assert.ok(problems[0].startsWith(message), `${line}: got ${problems[0]}`);
  }
});

test('CRLF line endings are refused once for the file, naming the first such line and its key', () => {
  const { values, problems } = readEnvText('# settings\r\nA=1\r\nB=2\r\n');
  assert.deepEqual(problems, [".env line 1 ends in CR LF (Windows line endings): convert the file to LF line endings (sed -i 's/\\r$//' .env)"]);
  assert.deepEqual(values, { A: '1', B: '2' });
  assert.match(readEnvText('A=1\nB=2\r\n').problems[0], /^\.env line 2 \(B\) ends in CR LF/);
});

test('a refused value is never printed (it may be a password)', () => {
  for (const line of ['P=s3cr$t', 'P=s3cr#t', 'P= s3crt', 'P="s3cr\\t"', "P='s3c'rt"]) {
    for (const problem of reading(line).problems) assert.ok(!problem.includes('s3c'), problem);
  }
});

test('the variables compose puts in URLs come from the compose files and must need no escaping', () => {
  const compose = readFileSync(path.join(import.meta.dirname, '../../docker-compose.yml'), 'utf8');
  const names = urlVariables(compose);
  for (const name of ['POSTGRES_PASSWORD', 'POSTGRES_USER', 'REDIS_PASSWORD']) assert.ok(names.includes(name), name);
  assert.ok(!names.includes('GRAFANA_ADMIN_PASSWORD'));
  assert.deepEqual(urlVariables('      X: postgres://${U}:${P:?set P}@db/${D}?a=1\n      Y: ${NOT_URL}\n'), ['D', 'P', 'U']);
  const vars = parseEnvExample(example);
  const base = { COMPOSE_PROJECT_NAME: 'g', BACKEND_PORT: '3000' };
  assert.deepEqual(validateEnv({ ...base, POSTGRES_PASSWORD: 'aZ09-_.~' }, vars, ['POSTGRES_PASSWORD']), []);
  for (const bad of ['p@ss', 'a/b', 'a:b', 'a%b', 'a b', 'a$b', 'a?b']) {
    assert.deepEqual(validateEnv({ ...base, POSTGRES_PASSWORD: bad }, vars, ['POSTGRES_PASSWORD']), [
      '.env has POSTGRES_PASSWORD with characters a URL cannot carry (compose puts it in a connection URL): use only letters, digits and - _ . ~',
    ]);
  }
});

test('generated secrets are URL-safe and a fresh .env reads cleanly', () => {
  for (let i = 0; i < 50; i++) assert.match(generateSecret(), /^[A-Za-z0-9_-]{32}$/);
  const shipped = readFileSync(path.join(import.meta.dirname, '../../.env.example'), 'utf8');
  const fresh = readEnvText(renderNewEnv(shipped));
  assert.deepEqual(fresh.problems, []);
  assert.deepEqual(readEnvText(shipped).problems, []);
});

test('loadEnv refuses a bad file with exit 2 and every problem at once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'env-'));
  writeFileSync(path.join(dir, 'ex'), example);
  const file = path.join(dir, '.env');
  writeFileSync(file, 'COMPOSE_PROJECT_NAME=g\nBACKEND_PORT=3000\nPOSTGRES_PASSWORD=abc$def123\nGEMINI_API_KEY=k#1\n');
  assert.throws(
    () => loadEnv(file, path.join(dir, 'ex')),
    (err: Error & { exitCode?: number }) =>
      err.exitCode === 2 && /^\.env line 3: POSTGRES_PASSWORD contains '\$'.*\n\.env line 4: GEMINI_API_KEY contains '#'/.test(err.message),
  );
  writeFileSync(file, "COMPOSE_PROJECT_NAME=g\nBACKEND_PORT=3000\nPOSTGRES_PASSWORD=ok-secret\nGEMINI_API_KEY='k#1'\n");
  assert.equal(loadEnv(file, path.join(dir, 'ex')).GEMINI_API_KEY, 'k#1');
});

test("the kit's own secrets reach a system whose .env.example does not name them", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'galaxy-env-'));
  writeFileSync(path.join(dir, 'ex'), '# @required\nORDERS_PORT=8000\n');
  writeFileSync(path.join(dir, '.env'), 'ORDERS_PORT=8000\n', { mode: 0o600 });
  assert.deepEqual(
    addMissingSecrets(path.join(dir, '.env'), path.join(dir, 'ex'), () => 'K3Y'),
    ['BACKUP_HMAC_KEY'],
  );
  assert.match(readFileSync(path.join(dir, '.env'), 'utf8'), /^# Generated by the kit; what it is for: docs\/BACKUP\.md.*\nBACKUP_HMAC_KEY=K3Y$/m);
});
