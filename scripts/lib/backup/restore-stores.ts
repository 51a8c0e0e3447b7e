// Putting each store's snapshot back. Shared by restore (the live stack) and backup-verify
// (a throwaway copy), so the verification exercises exactly the code a real restore runs.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { type ComposeContext, type ComposeModel, compose } from '../compose.ts';
import { OperationError, UsageError } from '../errors.ts';
import { PG_COUNTS_SQL, REDIS_RESTORE, SQLITE_COUNTS, SQLITE_RESTORE } from './container-scripts.ts';
import { decryptFile } from './crypto.ts';
import { STEP_TIMEOUT_SECONDS } from './dump.ts';
import { listSets, type Manifest } from './manifest.ts';
import type { BackupSettings } from './settings.ts';
import { composeStream } from './stream.ts';

export const STORES = ['postgres', 'redis', 'memory-api'];

/** A set named by a person (name or path), or the newest set of this project. */
export function resolveSet(settings: BackupSettings, from?: string): string {
  if (from) {
    const candidates = [path.resolve(from), path.join(settings.dir, from)];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
    if (found) return found;
    const names = listSets(settings.dir, settings.project).slice(0, 5).map((s) => s.name);
    throw new UsageError(`no backup set '${from}' in ${settings.dir}${names.length ? `: newest are ${names.join(', ')}` : ': it holds no sets of this project'}`);
  }
  const newest = listSets(settings.dir, settings.project)[0];
  if (!newest) throw new OperationError(`no backup set of project ${settings.project} in ${settings.dir}: run 'make backup' first`);
  return newest.dir;
}

export interface StoreFiles {
  postgres: string;
  redis: string;
  sqlite: string;
  cleanup(): void;
}

/** The plain store files of a verified set; encrypted sets are decrypted into a private temp folder. */
export async function storeFiles(setDir: string, manifest: Manifest, settings: BackupSettings): Promise<StoreFiles> {
  const { postgres, redis, sqlite } = manifest.stores;
  if (manifest.encryption === 'none') {
    return { postgres: path.join(setDir, postgres.file), redis: path.join(setDir, redis.file), sqlite: path.join(setDir, sqlite.file), cleanup: () => {} };
  }
  const temp = mkdtempSync(path.join(settings.dir, '.decrypted-'));
  const cleanup = () => rmSync(temp, { recursive: true, force: true });
  try {
    const plain = async (file: string) => {
      const target = path.join(temp, file.replace(/\.age$/, ''));
      await decryptFile(path.join(setDir, file), target, settings.encryptIdentity);
      return target;
    };
    return { postgres: await plain(postgres.file), redis: await plain(redis.file), sqlite: await plain(sqlite.file), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** Services that write the stores: memory-api itself and everything depending on a store, transitively. */
export function writersOf(model: ComposeModel): string[] {
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const memo = new Map<string, boolean>();
  const usesStore = (name: string, seen: Set<string>): boolean => {
    if (memo.has(name)) return memo.get(name) as boolean;
    if (seen.has(name)) return false;
    seen.add(name);
    const deps = byName.get(name)?.dependsOn ?? [];
    const result = deps.some((d) => STORES.includes(d) || usesStore(d, seen));
    memo.set(name, result);
    return result;
  };
  return model.services.filter((s) => s.name === 'memory-api' || (!STORES.includes(s.name) && usesStore(s.name, new Set()))).map((s) => s.name);
}

/** pg_restore in one transaction: it either completes or leaves the database as it was. */
export async function restorePostgres(ctx: ComposeContext, file: string): Promise<void> {
  await composeStream(
    ctx,
    ['exec', '-T', 'postgres', 'sh', '-c', 'exec pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --clean --if-exists --no-owner --single-transaction --exit-on-error'],
    { stdinFile: file, timeoutSeconds: STEP_TIMEOUT_SECONDS, what: 'pg_restore' },
  );
}

export async function restoreRedis(ctx: ComposeContext, file: string): Promise<void> {
  await compose(ctx, ['stop', '--timeout', '20', 'redis'], { timeout: '60s' });
  await composeStream(ctx, ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'sh', 'redis', '-c', REDIS_RESTORE], {
    stdinFile: file,
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
    what: 'restoring redis',
  });
}

/** memory-api must be stopped: its file is replaced underneath it. */
export async function restoreSqlite(ctx: ComposeContext, file: string): Promise<void> {
  await composeStream(ctx, ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', 'memory-api', '-c', SQLITE_RESTORE], {
    stdinFile: file,
    timeoutSeconds: STEP_TIMEOUT_SECONDS,
    what: 'restoring the SQLite database',
  });
}

export async function postgresCounts(ctx: ComposeContext): Promise<Record<string, number>> {
  const out = await compose(ctx, ['exec', '-T', 'postgres', 'sh', '-c', 'exec psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -At -F "\t" -c "$1"', 'sh', PG_COUNTS_SQL], { timeout: '1800s' });
  return Object.fromEntries(out.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [name, rows] = line.split('\t');
    return [name, Number(rows)];
  }));
}

export async function redisKeyCount(ctx: ComposeContext): Promise<number> {
  const out = await compose(ctx, ['exec', '-T', 'redis', 'redis-cli', '--no-auth-warning', 'DBSIZE'], { timeout: '60s' });
  return Number(out.stdout.trim());
}

export async function sqliteCounts(ctx: ComposeContext): Promise<{ integrity: string; tables: Record<string, number> }> {
  const out = await compose(ctx, ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', 'memory-api', '-c', SQLITE_COUNTS], { timeout: '600s' });
  return JSON.parse(out.stdout.trim().split('\n').slice(-1)[0]);
}
