// PostgreSQL: pool, migrations and the queries of the backend's own tables.
import pg from 'pg';
import type { Logger } from './log.js';

export interface Migration {
  version: string;
  sql: string;
}

// Append only: a released migration is never edited, a new version is added instead.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: '001_notes',
    sql: `CREATE TABLE notes (
            id BIGSERIAL PRIMARY KEY,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  },
  {
    version: '002_chat_exchanges',
    sql: `CREATE TABLE chat_exchanges (
            id BIGSERIAL PRIMARY KEY,
            session_id TEXT,
            message TEXT NOT NULL,
            answer TEXT NOT NULL,
            source TEXT NOT NULL,
            memory_id BIGINT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now());
          CREATE INDEX chat_exchanges_session ON chat_exchanges (session_id, id)`,
  },
];

// Any constant works as long as every instance uses the same one; this is "galaxy" in ASCII.
export const MIGRATION_LOCK_KEY = 0x67616c617879;

export function createPool(databaseUrl: string): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    statement_timeout: 5000,
  });
}

/** Apply pending migrations. The advisory lock serialises instances that start together (a
 * rolling deploy runs old and new side by side); the second waits, then finds nothing to do. */
export async function migrate(pool: pg.Pool, log: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.version} failed: ${(err as Error).message}`);
        }
        applied.push(m.version);
        log.info('migration applied', { version: m.version });
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}

export interface Note {
  id: number;
  title: string;
  body: string;
  createdAt: string;
}

interface NoteRow {
  id: string;
  title: string;
  body: string;
  created_at: Date;
}

const toNote = (r: NoteRow): Note => ({ id: Number(r.id), title: r.title, body: r.body, createdAt: r.created_at.toISOString() });

export async function listNotes(pool: pg.Pool, limit = 100): Promise<Note[]> {
  const res = await pool.query<NoteRow>('SELECT id, title, body, created_at FROM notes ORDER BY id DESC LIMIT $1', [limit]);
  return res.rows.map(toNote);
}

export async function createNote(pool: pg.Pool, title: string, body: string): Promise<Note> {
  const res = await pool.query<NoteRow>('INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING id, title, body, created_at', [title, body]);
  return toNote(res.rows[0]);
}

export async function deleteNote(pool: pg.Pool, id: number): Promise<boolean> {
  return ((await pool.query('DELETE FROM notes WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

export async function saveExchange(
  pool: pg.Pool,
  e: { sessionId?: string; message: string; answer: string; source: string; memoryId?: number },
): Promise<number> {
  const res = await pool.query<{ id: string }>(
    'INSERT INTO chat_exchanges (session_id, message, answer, source, memory_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [e.sessionId ?? null, e.message, e.answer, e.source, e.memoryId ?? null],
  );
  return Number(res.rows[0].id);
}
