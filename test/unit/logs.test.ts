// make logs over the log store (docs/LOGS.md): its settings as .env validation sees them, the
// store's lines made readable, the --since/--until forms, and reading a store folder by window,
// service, text and tail, and as a follower.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { validateEnv } from '../../scripts/lib/env.ts';
import { OperationError, UsageError } from '../../scripts/lib/errors.ts';
import { formatRecord, matchesText, parseStoreLine, readableMessage } from '../../scripts/lib/logs/record.ts';
import { logRetention, logSettingsProblems } from '../../scripts/lib/logs/settings.ts';
import { filesInWindow, followStart, readNewLines, readStore, storeFiles, storeSize } from '../../scripts/lib/logs/store.ts';
import { describeWindow, parseWhen, parseWindow } from '../../scripts/lib/logs/when.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z');

test('retention settings: whole positive numbers, empty means the default, checked with the rest of .env', () => {
  assert.deepEqual(logSettingsProblems({ LOG_MAX_AGE_DAYS: '7', LOG_MAX_SIZE_MB: '500' }), []);
  assert.deepEqual(logSettingsProblems({ LOG_MAX_AGE_DAYS: '', LOG_MAX_SIZE_MB: ' ' }), []);
  assert.deepEqual(logRetention({ LOG_MAX_AGE_DAYS: '', LOG_MAX_SIZE_MB: '' }), { maxAgeDays: 14, maxSizeMb: 1024 });
  assert.deepEqual(logRetention({ LOG_MAX_AGE_DAYS: '3', LOG_MAX_SIZE_MB: '50' }), { maxAgeDays: 3, maxSizeMb: 50 });
  assert.deepEqual(logSettingsProblems({ LOG_MAX_AGE_DAYS: '0', LOG_MAX_SIZE_MB: '1.5' }), [
    '.env has LOG_MAX_AGE_DAYS=0: use a whole number of days from 1 to 3650',
    '.env has LOG_MAX_SIZE_MB=1.5: use a whole number of MB from 1 to 1048576',
  ]);
  assert.match(logSettingsProblems({ LOG_MAX_AGE_DAYS: 'two weeks' })[0], /LOG_MAX_AGE_DAYS=two weeks: use a whole number of days/);
  assert.match(logSettingsProblems({ LOG_MAX_AGE_DAYS: '9999' })[0], /from 1 to 3650/);
  // The edge: validateEnv (loadEnv, before any engine call) reports them, and LOG_PORT as a port.
  const problems = validateEnv({ LOG_PORT: '70000', LOG_MAX_SIZE_MB: '-5' }, []);
  assert.deepEqual(problems, [
    '.env has an invalid port LOG_PORT=70000: use a number from 1 to 65535',
    '.env has LOG_MAX_SIZE_MB=-5: use a whole number of MB from 1 to 1048576',
  ]);
});

test('a store line becomes a record; anything else is skipped', () => {
  const line = '{"time":"2026-12-02T07:32:55.559028Z", "tag":"api\\/3f2a1c9d8e7b", "msg":"plain line"}';
  assert.deepEqual(parseStoreLine(line), { time: Date.parse('2026-12-02T07:32:55.559Z'), service: 'api', container: '3f2a1c9d8e7b', msg: 'plain line' });
  for (const bad of ['', 'not json', '{"time":"x","tag":"a/b","msg":"m"}', '{"tag":"a/b","msg":"m"}', '[1]']) assert.equal(parseStoreLine(bad), undefined, bad);
});

test('a JSON log line is shown as LEVEL msg key=value; any other line as it is', () => {
  const json = JSON.stringify({
    time: '2026-12-02T07:00:00.000Z',
    level: 'info',
    service: 'api',
    msg: 'request',
    method: 'GET',
    path: '/a b',
    status: 404,
    extra: { x: 1 },
  });
  assert.equal(readableMessage(json), 'INFO request method=GET path="/a b" status=404 extra="{\\"x\\":1}"');
  assert.equal(readableMessage('{not json'), '{not json');
  assert.equal(readableMessage('2026/12/02 [notice] nginx started'), '2026/12/02 [notice] nginx started');
  const record = { time: Date.parse('2026-12-02T07:00:00Z'), service: 'api', container: '3f2a1c9d8e7b', msg: json };
  assert.equal(formatRecord(record, 12), 'api-3f2a1c   | 2026-12-02T07:00:00.000Z INFO request method=GET path="/a b" status=404 extra="{\\"x\\":1}"');
  // --grep finds the text as stored (JSON) or as shown.
  assert.ok(matchesText(record, formatRecord(record, 0), '"status":404'));
  assert.ok(matchesText(record, formatRecord(record, 0), 'STATUS=404'));
  assert.ok(!matchesText(record, formatRecord(record, 0), 'status=500'));
});

test('--since and --until: durations back from now, UTC times, and one clear error otherwise', () => {
  assert.equal(parseWhen('since', '2d', NOW), NOW - 2 * 86_400_000);
  assert.equal(parseWhen('since', '1h30m', NOW), NOW - 5_400_000);
  assert.equal(parseWhen('since', '90s', NOW), NOW - 90_000);
  assert.equal(parseWhen('until', '2026-12-01', NOW), Date.parse('2026-12-01T00:00:00Z'));
  assert.equal(parseWhen('until', '2026-12-01T08:00', NOW), Date.parse('2026-12-01T08:00:00Z'));
  assert.equal(parseWhen('until', '2026-12-01T08:00:00+02:00', NOW), Date.parse('2026-12-01T06:00:00Z'));
  for (const bad of ['yesterday', '2x', '-1h', '2026-13-45', '']) {
    assert.throws(
      () => parseWhen('since', bad, NOW),
      (err) => err instanceof UsageError && new RegExp(`^--since takes a duration .* not '${bad}'$`).test(err.message),
    );
  }
  assert.deepEqual(parseWindow(undefined, undefined, NOW), { since: undefined, until: undefined });
  assert.throws(() => parseWindow('1h', '2h', NOW), { message: '--until (2h) is before --since (1h): swap them' });
});

function store(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'galaxy-logs-'));
  const line = (time: string, tag: string, msg: string) => `${JSON.stringify({ time, tag, msg })}\n`;
  writeFileSync(
    path.join(dir, '2026-12-01T10.jsonl'),
    line('2026-12-01T10:05:00Z', 'api/aaaaaaaaaaaa', 'old container marker-1') + line('2026-12-01T10:06:00Z', 'web/cccccccccccc', 'web line'),
  );
  writeFileSync(
    path.join(dir, '2026-12-02T11.jsonl'),
    line('2026-12-02T11:00:00Z', 'api/bbbbbbbbbbbb', 'new container one') + 'torn {\n' + line('2026-12-02T11:30:00Z', 'api/bbbbbbbbbbbb', 'new container two'),
  );
  writeFileSync(path.join(dir, 'notes.txt'), 'not a store file\n');
  return dir;
}

const all = { services: [], keep: () => true };

test('the store is read across containers and hours, by window, service, text and tail', async () => {
  const dir = store();
  assert.deepEqual(
    storeFiles(dir).map((f) => f.name),
    ['2026-12-01T10.jsonl', '2026-12-02T11.jsonl'],
  );
  const msgs = async (q: Partial<Parameters<typeof readStore>[1]>, tail = Infinity) => (await readStore(dir, { ...all, ...q }, tail)).map((r) => r.msg);
  assert.deepEqual(await msgs({}), ['old container marker-1', 'web line', 'new container one', 'new container two']);
  assert.deepEqual(await msgs({ services: ['api'] }), ['old container marker-1', 'new container one', 'new container two']);
  assert.deepEqual(await msgs({ since: parseWhen('since', '2h', NOW) }), ['new container one', 'new container two']);
  assert.deepEqual(await msgs({ until: Date.parse('2026-12-02T11:15:00Z') }), ['old container marker-1', 'web line', 'new container one']);
  assert.deepEqual(await msgs({ keep: (r) => r.msg.includes('marker-1') }), ['old container marker-1']);
  assert.deepEqual(await msgs({}, 1), ['web line', 'new container two']);
  // A window that misses a file's hour does not open it.
  assert.deepEqual(
    filesInWindow(storeFiles(dir), Date.parse('2026-12-02T00:00:00Z')).map((f) => f.name),
    ['2026-12-02T11.jsonl'],
  );
  assert.deepEqual(storeSize(dir), { bytes: storeFiles(dir).reduce((s, f) => s + f.size, 0), files: 2, oldest: Date.parse('2026-12-01T10:00:00Z') });
  await assert.rejects(
    readStore(path.join(dir, 'missing'), all, 10),
    (err) => err instanceof OperationError && /^no log store at .*missing: run 'make start'/.test(err.message),
  );
});

test('a follower gets each whole line once: what was there before is left to readStore, a half line waits', async () => {
  const dir = store();
  const position = followStart(dir);
  assert.deepEqual(await readStore(dir, all, Infinity, position).then((r) => r.length), 4);
  assert.deepEqual(readNewLines(dir, position), []);
  appendFileSync(path.join(dir, '2026-12-02T11.jsonl'), '{"time":"2026-12-02T11:59:00Z","tag":"api/b","msg":"late"}\n{"time":"2026');
  writeFileSync(path.join(dir, '2026-12-02T12.jsonl'), '{"time":"2026-12-02T12:00:01Z","tag":"api/b","msg":"next hour"}\n');
  assert.deepEqual(
    readNewLines(dir, position).map((l) => parseStoreLine(l)?.msg),
    ['late', 'next hour'],
  );
  appendFileSync(path.join(dir, '2026-12-02T11.jsonl'), '-12-02T11:59:30Z","tag":"api/b","msg":"completed"}\n');
  assert.deepEqual(
    readNewLines(dir, position).map((l) => parseStoreLine(l)?.msg),
    ['completed'],
  );
  assert.deepEqual(readNewLines(dir, position), []);
});

test('the compose model says which services send their lines to a store on this machine', () => {
  const model = parseComposeConfig(
    JSON.stringify({
      name: 'p',
      services: {
        api: { logging: { driver: 'syslog', options: { 'syslog-address': 'udp://127.0.0.1:5514' } } },
        remote: { logging: { driver: 'syslog', options: { 'syslog-address': 'tcp://logs.example.org:514' } } },
        plain: { logging: { driver: 'json-file' } },
        none: {},
      },
    }),
  );
  assert.deepEqual(
    model.services.filter((s) => s.logsToStore).map((s) => s.name),
    ['api'],
  );
});

test('the window as typed, for the message of an empty one', () => {
  assert.equal(describeWindow('2d', undefined), 'since 2d');
  assert.equal(describeWindow('2026-01-01', '2026-01-02'), 'from 2026-01-01 to 2026-01-02');
  assert.equal(describeWindow(undefined, '1h'), 'up to 1h');
  assert.equal(describeWindow(undefined, undefined), 'at all');
});
