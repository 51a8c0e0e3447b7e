// `galaxy.backup: postgres`: pg_dump in custom format from the running service, pg_restore in one
// transaction. User and database come from the service's own environment in the compose model
// (POSTGRES_USER, POSTGRES_DB, with the image's defaults); the tools connect over the container's
// local socket, so no password is ever on a command line.
import { compose } from '../../docker/client.ts';
import { composeStream } from '../../docker/stream.ts';
import type { BackupService } from '../services.ts';
import { STEP_TIMEOUT_SECONDS, type StoreKind, type StoreTarget, checkRestored } from './kind.ts';

/** Exact row counts of every user table, one "schema.table<TAB>rows" line each: a full scan of each. */
const EXACT_COUNTS_SQL = `
SELECT table_schema || '.' || table_name,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1`;

/**
 * The same lines from the statistics PostgreSQL keeps as rows are written (no table is read). What
 * a backup records: a count read beside the dump is not the snapshot's anyway, and scanning every
 * table while pg_dump scans them too took CPU and I/O from the dump (measured in bench backup).
 */
const ESTIMATED_COUNTS_SQL = `
SELECT schemaname || '.' || relname, n_live_tup FROM pg_stat_user_tables ORDER BY 1`;

function database(service: BackupService): { user: string; name: string } {
  const user = service.environment.POSTGRES_USER || 'postgres';
  return { user, name: service.environment.POSTGRES_DB || user };
}

function login(service: BackupService): string[] {
  const db = database(service);
  return ['-U', db.user, '-d', db.name];
}

/** Row counts by `sql`'s "schema.table<TAB>rows" lines; with `tool`, pg_dump's version first, asked in the same exec. */
async function countRows(target: StoreTarget, sql: string, tool = false): Promise<{ counts: Record<string, number>; tool?: string }> {
  const psql = ['psql', ...login(target.service), '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-c', sql];
  const command = tool ? ['sh', '-c', 'pg_dump --version && exec "$@"', 'sh', ...psql] : psql;
  const out = await compose(target.ctx, ['exec', '-T', target.service.name, ...command], { timeout: '1800s' });
  const lines = out.stdout.trim().split('\n').filter(Boolean);
  const version = tool ? lines.shift() : undefined;
  const counts = Object.fromEntries(
    lines.map((line) => {
      const [name, rows] = line.split('\t');
      return [name, Number(rows)];
    }),
  );
  return { counts, tool: version };
}

/**
 * Pure: the compression a dump by this pg_dump (its `--version` line) uses. zstd where pg_dump
 * has it (16 and newer): on this machine's 593 MB bench database 8.5 s and 243 MB, against 20.8 s
 * and 264 MB for the default gzip, the dump's one CPU being what a backup waits for. pg_restore
 * reads the method from the archive; a restore needs pg_restore 16 or newer, as the same image has.
 * Undefined: pg_dump's default.
 */
export function dumpCompression(versionLine: string): 'zstd' | undefined {
  const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(versionLine)?.[1]);
  return major >= 16 ? 'zstd' : undefined;
}

const count = async (target: StoreTarget) => (await countRows(target, EXACT_COUNTS_SQL)).counts;

export const postgres: StoreKind = {
  name: 'postgres',
  extension: '.dump',
  environment: ['POSTGRES_USER', 'POSTGRES_DB'],

  checkOption: (_service, option) => (option ? 'postgres takes no argument (the database comes from POSTGRES_DB)' : undefined),

  // One consistent snapshot (pg_dump runs in a single repeatable-read transaction). The row counts
  // are PostgreSQL's own estimates, asked with the tool's version in one exec before the dump: the
  // version chooses the compression. Verify compares table names only.
  async dump(target, file) {
    const rows = await countRows(target, ESTIMATED_COUNTS_SQL, true);
    const compression = dumpCompression(rows.tool ?? '');
    const run = (method: string | undefined) =>
      composeStream(
        target.ctx,
        ['exec', '-T', target.service.name, 'pg_dump', ...login(target.service), '--format=custom', ...(method ? [`--compress=${method}`] : [])],
        { stdoutFile: file, timeoutSeconds: STEP_TIMEOUT_SECONDS, what: `pg_dump of ${target.service.name}` },
      );
    let used = compression;
    let result;
    try {
      result = await run(compression);
    } catch (err) {
      // A server of 16 or newer built without zstd refuses the option before writing a byte.
      if (!compression || !/zstd/i.test((err as Error).message)) throw err;
      used = undefined;
      result = await run(undefined);
    }
    const facts = {
      database: database(target.service).name,
      tool: rows.tool ?? 'unknown',
      compression: used ?? 'gzip (pg_dump default)',
      counts: 'estimated (pg_stat_user_tables.n_live_tup)',
    };
    return { bytes: result.bytes, sha256: result.sha256, counts: rows.counts, countsExact: false, facts };
  },

  // --clean --if-exists in one transaction: it either completes or leaves the database as it was.
  async restore(target, file) {
    await target.lifecycle.start([target.service.name], true);
    const args = [
      'exec',
      '-T',
      target.service.name,
      'pg_restore',
      ...login(target.service),
      '--clean',
      '--if-exists',
      '--no-owner',
      '--single-transaction',
      '--exit-on-error',
    ];
    await composeStream(target.ctx, args, { stdinFile: file, timeoutSeconds: STEP_TIMEOUT_SECONDS, what: `pg_restore into ${target.service.name}` });
  },

  count,

  async verify(target, entry) {
    return checkRestored(entry, await count(target));
  },
};
