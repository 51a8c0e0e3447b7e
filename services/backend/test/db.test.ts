// Needs a real PostgreSQL: runs only when TEST_DATABASE_URL is set (it drops and recreates a
// scratch schema named galaxy_test_<pid>, never touching others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, migrate, listNotes, createNote } from '../src/db.js';
import { createLogger } from '../src/log.js';

const url = process.env.TEST_DATABASE_URL;

test('two instances migrating at once apply each migration exactly once', { skip: !url && 'TEST_DATABASE_URL not set' }, async () => {
  const schema = `galaxy_test_${process.pid}`;
  const admin = createPool(url!);
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const scoped = `${url}${url!.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  const a = createPool(scoped);
  const b = createPool(scoped);
  const lines: string[] = [];
  const log = createLogger('test', 'info', (l) => lines.push(l));
  try {
    const [ra, rb] = await Promise.all([migrate(a, log), migrate(b, log)]);
    // one instance did all the work, the other waited on the lock and found nothing to do
    assert.deepEqual([...ra, ...rb].sort(), ['001_notes', '002_chat_exchanges']);
    assert.ok(ra.length === 0 || rb.length === 0);
    const versions = (await a.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    assert.deepEqual(versions, ['001_notes', '002_chat_exchanges']);
    assert.deepEqual(await migrate(a, log), []);
    const note = await createNote(b, 'hello', 'world');
    assert.equal((await listNotes(a))[0].id, note.id);
    await assert.rejects(migrate(a, log, [{ version: '003_bad', sql: 'CREATE TABLE notes (x int)' }]), /migration 003_bad failed/);
    const after = await a.query(`SELECT count(*)::int AS n FROM schema_migrations WHERE version = '003_bad'`);
    assert.equal(after.rows[0].n, 0);
  } finally {
    await a.end();
    await b.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
