// Restore into the live stack, and the trial restore of backup-verify into a throwaway project.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type ComposeContext, compose, listContainers, loadComposeModel } from '../compose.ts';
import { OperationError } from '../errors.ts';
import { table } from '../output.ts';
import { upAndWait } from '../wait.ts';
import { acquireLock } from '../state/lock.ts';
import { verifySet } from './manifest.ts';
import type { BackupLog } from './report.ts';
import { STORES, postgresCounts, redisKeyCount, resolveSet, restorePostgres, restoreRedis, restoreSqlite, sqliteCounts, storeFiles, writersOf } from './restore-stores.ts';
import type { BackupSettings } from './settings.ts';

/** The named (or newest) set, every checksum verified, with its store files ready to read. */
async function openVerifiedSet(settings: BackupSettings, log: BackupLog, from?: string) {
  const setDir = resolveSet(settings, from);
  const name = path.basename(setDir);
  const manifest = await verifySet(setDir);
  log.line(`${name}: all ${manifest.files.length} checksums match`);
  return { name, manifest, files: await storeFiles(setDir, manifest, settings) };
}

export async function runRestore(ctx: ComposeContext, settings: BackupSettings, log: BackupLog, from?: string): Promise<string> {
  const lock = await acquireLock(settings.lockFile, 'restore');
  try {
    // Every checksum before anything is stopped: a bad set must not cost a minute of downtime.
    const { name, manifest, files } = await openVerifiedSet(settings, log, from);
    const model = await loadComposeModel(ctx);
    const running = new Set((await listContainers(ctx)).filter((c) => c.state === 'running').map((c) => c.service));
    const writers = writersOf(model).filter((s) => running.has(s));
    // With nothing running (a new machine) everything is started afterwards.
    const restart = running.size ? [...new Set([...running, ...STORES])].filter((s) => model.services.some((m) => m.name === s)) : [];
    try {
      if (writers.length) {
        log.line(`stopping the writers: ${writers.join(', ')}`);
        await compose(ctx, ['stop', '--timeout', '20', ...writers], { timeout: '120s' });
      }
      await upAndWait(ctx, model, ['postgres'], ['--no-deps'], 300);
      await restorePostgres(ctx, files.postgres);
      log.line(`postgres: ${manifest.stores.postgres.database} restored (pg_restore --clean --if-exists, one transaction)`);
      await restoreRedis(ctx, files.redis);
      log.line('redis: dataset replaced (RDB loaded, AOF rebuilt from it)');
      await compose(ctx, ['stop', '--timeout', '20', 'memory-api'], { timeout: '60s' });
      await restoreSqlite(ctx, files.sqlite);
      log.line('memory-api: SQLite database replaced');
    } catch (err) {
      log.append(`FAILED during restore: ${(err as Error).message}; starting the services again`);
      await upAndWait(ctx, model, restart, [], 300).catch(() => undefined);
      throw err;
    } finally {
      files.cleanup();
    }
    log.line(`starting ${restart.length ? restart.join(', ') : 'every service'}`);
    await upAndWait(ctx, model, restart, [], 300);
    return name;
  } finally {
    lock.release();
  }
}

export interface VerifyReport {
  name: string;
  postgres: Record<string, number>;
  redisKeys: number;
  sqlite: Record<string, number>;
}

/** Restores a set into a throwaway compose project (no published ports) and checks what came back. */
export async function runVerify(ctx: ComposeContext, settings: BackupSettings, log: BackupLog, from?: string): Promise<VerifyReport> {
  const lock = await acquireLock(settings.lockFile, 'verify');
  try {
    const { name, manifest, files } = await openVerifiedSet(settings, log, from);
    const project = `${settings.project}-verify-${randomBytes(3).toString('hex')}`;
    const trial: ComposeContext = { mode: 'default', env: { ...ctx.env, COMPOSE_PROJECT_NAME: project }, profiles: [] };
    try {
      const model = await loadComposeModel(trial);
      log.line(`trial restore into throwaway project ${project}`);
      await upAndWait(trial, model, ['postgres'], ['--no-deps'], 300);
      await restorePostgres(trial, files.postgres);
      const postgres = await postgresCounts(trial);
      await restoreRedis(trial, files.redis);
      await upAndWait(trial, model, ['redis'], ['--no-deps'], 300);
      const redisKeys = await redisKeyCount(trial);
      await restoreSqlite(trial, files.sqlite);
      const sqlite = await sqliteCounts(trial);
      if (sqlite.integrity !== 'ok') throw new OperationError(`${name}: the restored SQLite database fails integrity_check: ${sqlite.integrity}`);
      const expected = manifest.stores.sqlite.tables;
      for (const table of new Set([...Object.keys(expected), ...Object.keys(sqlite.tables)])) {
        if (expected[table] !== sqlite.tables[table]) {
          throw new OperationError(`${name}: SQLite table ${table} has ${sqlite.tables[table] ?? 'no'} rows after restore, the manifest says ${expected[table] ?? 'none'}`);
        }
      }
      const rows = [['STORE', 'TABLE/KEYS', 'ROWS']];
      for (const [t, n] of Object.entries(postgres)) rows.push(['postgres', t, String(n)]);
      rows.push(['redis', 'keys', String(redisKeys)]);
      for (const [t, n] of Object.entries(sqlite.tables)) rows.push(['sqlite', t, String(n)]);
      log.line(`restored data:\n${table(rows)}`);
      return { name, postgres, redisKeys, sqlite: sqlite.tables };
    } finally {
      files.cleanup();
      await compose(trial, ['down', '--volumes', '--remove-orphans', '--timeout', '5'], { timeout: '180s' }).nothrow();
    }
  } finally {
    lock.release();
  }
}
