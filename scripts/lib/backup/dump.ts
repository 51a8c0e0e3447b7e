// Taking each store's snapshot from the running stack, streamed into the set folder.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComposeContext, compose } from '../compose.ts';
import { OperationError } from '../errors.ts';
import { CAT_AND_DELETE, SQLITE_SNAPSHOT } from './container-scripts.ts';
import { composeStream, type StreamResult } from './stream.ts';

/** Generous: a dump of many gigabytes on a slow disk still finishes; a hung one is still ended. */
export const STEP_TIMEOUT_SECONDS = 4 * 3600;

async function execText(ctx: ComposeContext, service: string, command: string[], timeout: `${number}s` = '60s'): Promise<string> {
  const out = await compose(ctx, ['exec', '-T', service, ...command], { timeout }).nothrow();
  if (out.exitCode !== 0) {
    const reason = (out.stderr.trim() || out.stdout.trim()).split('\n').slice(-1)[0] || 'no output';
    throw new OperationError(`${service}: '${command.slice(0, 2).join(' ')}' failed (exit ${out.exitCode}): ${reason}`);
  }
  return out.stdout.trim();
}

/** pg_dump custom format: one consistent snapshot (a single repeatable-read transaction). */
export async function dumpPostgres(ctx: ComposeContext, dir: string, file = 'postgres.dump'): Promise<StreamResult & { version: string; database: string }> {
  const version = await execText(ctx, 'postgres', ['pg_dump', '--version']);
  const database = await execText(ctx, 'postgres', ['sh', '-c', 'printf %s "$POSTGRES_DB"']);
  // The container's own variables name the user and database, so no secret is on a command line.
  const result = await composeStream(ctx, ['exec', '-T', 'postgres', 'sh', '-c', 'exec pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom'], {
    stdoutFile: path.join(dir, file),
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
    what: 'pg_dump',
  });
  return { ...result, version, database };
}

export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/**
 * BGSAVE, then copy dump.rdb only once INFO shows that save finished (rdb_saves moved on, no save
 * in progress, last status ok). Redis writes the RDB to a temp file and renames it, so the copy
 * is a whole snapshot even if a scheduled save replaces the file meanwhile.
 */
export async function dumpRedis(ctx: ComposeContext, dir: string, file = 'redis.rdb', timeoutSeconds = 1800): Promise<StreamResult & { version: string }> {
  const cli = (...args: string[]) => execText(ctx, 'redis', ['redis-cli', '--no-auth-warning', ...args]);
  const version = parseInfo(await cli('INFO', 'server')).redis_version ?? 'unknown';
  const before = Number(parseInfo(await cli('INFO', 'persistence')).rdb_saves ?? NaN);
  if (!Number.isFinite(before)) throw new OperationError('redis: INFO persistence has no rdb_saves field (Redis 7 or newer is required)');
  // SCHEDULE: if an AOF rewrite runs, the save starts right after it instead of being refused.
  const bgsave = await compose(ctx, ['exec', '-T', 'redis', 'redis-cli', '--no-auth-warning', 'BGSAVE', 'SCHEDULE'], { timeout: '60s' }).nothrow();
  const reply = `${bgsave.stdout} ${bgsave.stderr}`.trim();
  // "already in progress": a save started moments ago; waiting for rdb_saves to move covers it.
  if (!/started|scheduled|already in progress/i.test(reply)) throw new OperationError(`redis: BGSAVE was refused: ${reply || `exit ${bgsave.exitCode}`}`);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const info = parseInfo(await cli('INFO', 'persistence'));
    if (info.rdb_bgsave_in_progress === '0' && Number(info.rdb_saves) > before) {
      if (info.rdb_last_bgsave_status !== 'ok') throw new OperationError(`redis: BGSAVE failed (rdb_last_bgsave_status ${info.rdb_last_bgsave_status}): read 'make logs service=redis'`);
      break;
    }
    if (Date.now() > deadline) throw new OperationError(`redis: BGSAVE did not finish within ${timeoutSeconds}s`);
    await sleep(200);
  }
  const rdbDir = (await cli('CONFIG', 'GET', 'dir')).split('\n')[1]?.trim();
  const rdbFile = (await cli('CONFIG', 'GET', 'dbfilename')).split('\n')[1]?.trim();
  if (!rdbDir || !rdbFile) throw new OperationError('redis: CONFIG GET dir/dbfilename gave no answer');
  const result = await composeStream(ctx, ['exec', '-T', 'redis', 'cat', path.posix.join(rdbDir, rdbFile)], {
    stdoutFile: path.join(dir, file),
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
    what: 'copying dump.rdb',
  });
  if (result.bytes < 9) throw new OperationError(`redis: dump.rdb is only ${result.bytes} bytes`);
  return { ...result, version };
}

/** SQLite online backup inside memory-api, then streamed out; never a copy of the live file. */
export async function dumpSqlite(ctx: ComposeContext, dir: string, file = 'memory.db'): Promise<StreamResult & { version: string; tables: Record<string, number> }> {
  const out = await execText(ctx, 'memory-api', ['python3', '-c', SQLITE_SNAPSHOT], '600s');
  const snapshot = JSON.parse(out.split('\n').slice(-1)[0]) as { path: string; tables: Record<string, number>; sqlite: string };
  const result = await composeStream(ctx, ['exec', '-T', 'memory-api', 'python3', '-c', CAT_AND_DELETE, snapshot.path], {
    stdoutFile: path.join(dir, file),
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
    what: 'copying the SQLite snapshot',
  });
  return { ...result, version: `sqlite ${snapshot.sqlite}`, tables: snapshot.tables };
}
