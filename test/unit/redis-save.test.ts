// The Redis store's in-container save script (stores/redis.ts SAVE_SCRIPT), run by the host's sh
// against a stand-in redis-cli: the BGSAVE is waited for, every refusal and failure becomes its one
// line with exit 3, and the facts the copy needs come out as field:value lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SAVE_SCRIPT, parseInfo } from '../../scripts/lib/backup/stores/redis.ts';

/** A redis-cli whose INFO persistence is `before` until BGSAVE answered `reply`, then `after`. */
const STUB = `#!/bin/sh
shift
case "$*" in
  "INFO persistence") if [ -e "$STUB/saved" ]; then cat "$STUB/after"; else cat "$STUB/before"; fi ;;
  "BGSAVE SCHEDULE") cat "$STUB/reply"; touch "$STUB/saved" ;;
  "INFO server") printf '# Server\\r\\nredis_version:8.0.2\\r\\n' ;;
  "CONFIG GET dir") printf 'dir\\n/data\\n' ;;
  "CONFIG GET dbfilename") printf 'dbfilename\\ndump.rdb\\n' ;;
  DBSIZE) echo 42 ;;
esac
`;

function runSave(files: { before: string; after: string; reply: string }, timeoutSeconds = 5) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gx-redis-save-'));
  try {
    writeFileSync(path.join(dir, 'redis-cli'), STUB);
    chmodSync(path.join(dir, 'redis-cli'), 0o755);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text.replace(/\n/g, '\r\n'));
    const out = spawnSync('sh', ['-c', SAVE_SCRIPT, 'sh', String(timeoutSeconds), 'cache'], {
      env: { PATH: `${dir}:${process.env.PATH}`, STUB: dir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { code: out.status, stdout: out.stdout, stderr: out.stderr.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const idle = (saves: number, status = 'ok', inProgress = 0) =>
  `# Persistence\nrdb_bgsave_in_progress:${inProgress}\nrdb_saves:${saves}\nrdb_last_bgsave_status:${status}\n`;

test('a save that finishes gives the version, the file and the key count', () => {
  const out = runSave({ before: idle(3), after: idle(4), reply: 'Background saving started\n' });
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(parseInfo(out.stdout), { version: '8.0.2', dir: '/data', dbfilename: 'dump.rdb', keys: '42' });
});

test('a save already in progress is waited for like one of our own', () => {
  const out = runSave({ before: idle(3), after: idle(4), reply: 'ERR Background save already in progress\n' });
  assert.equal(out.code, 0, out.stderr);
});

test('every refusal and failure is one line with exit 3', () => {
  const cases: Array<[{ before: string; after: string; reply: string }, string]> = [
    [{ before: '# Persistence\nrdb_bgsave_in_progress:0\n', after: '', reply: 'x' }, 'INFO persistence has no rdb_saves field (Redis 7 or newer is required)'],
    [{ before: idle(3), after: idle(3), reply: 'ERR MISCONF no disk\n' }, 'BGSAVE was refused: ERR MISCONF no disk'],
    [
      { before: idle(3), after: idle(4, 'err'), reply: 'Background saving started\n' },
      "BGSAVE failed (rdb_last_bgsave_status err): read 'make logs service=cache'",
    ],
  ];
  for (const [files, message] of cases) assert.deepEqual([runSave(files).code, runSave(files).stderr], [3, message]);
});

test('a save that never finishes stops at its limit', () => {
  const out = runSave({ before: idle(3), after: idle(3, 'ok', 1), reply: 'Background saving started\n' }, 1);
  assert.deepEqual([out.code, out.stderr], [3, 'BGSAVE did not finish within 1s']);
});
