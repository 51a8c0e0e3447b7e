// `galaxy.backup: sqlite:/path/in/the/container.db`: a snapshot with SQLite's online backup API
// inside the running service (consistent while it writes, unlike a file copy), put back by a
// one-off container with the service stopped. The programs run with the service's own python3 and
// get the database path as an argument, never spliced into code.
import path from 'node:path';
import { compose } from '../../docker/client.ts';
import { composeStream } from '../../docker/stream.ts';
import { OperationError } from '../../errors.ts';
import { STEP_TIMEOUT_SECONDS, type StoreKind, type StoreTarget, checkRestored, execText } from './kind.ts';

/** Snapshot, integrity check, then its path and exact row counts as JSON. */
const SNAPSHOT = `
import json, os, sqlite3, sys, tempfile
src_path = sys.argv[1]
if not os.path.exists(src_path):
    sys.exit("no database at " + src_path)
fd, tmp = tempfile.mkstemp(prefix="galaxy-backup-", suffix=".db")
os.close(fd)
src = sqlite3.connect(src_path, timeout=30)
dst = sqlite3.connect(tmp)
src.backup(dst)
src.close()
check = dst.execute("PRAGMA integrity_check").fetchone()[0]
if check != "ok":
    os.unlink(tmp)
    sys.exit("the snapshot fails integrity_check: " + check)
names = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
tables = {n: dst.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0] for n in names}
dst.close()
print(json.dumps({"path": tmp, "tables": tables, "sqlite": sqlite3.sqlite_version}))
`;

/** Stream a file to stdout and delete it. */
const CAT_AND_DELETE = `
import os, shutil, sys
with open(sys.argv[1], "rb") as f:
    shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
sys.stdout.buffer.flush()
os.unlink(sys.argv[1])
`;

/**
 * stdin becomes the database: written beside the live file, checked, then renamed over it; stale
 * -wal/-shm files of the old database are removed first, or SQLite would replay them onto it.
 */
const RESTORE = `
import os, shutil, sqlite3, sys
path = sys.argv[1]
tmp = path + ".restore"
with open(tmp, "wb") as f:
    shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
    f.flush()
    os.fsync(f.fileno())
db = sqlite3.connect(tmp)
check = db.execute("PRAGMA integrity_check").fetchone()[0]
db.close()
if check != "ok":
    os.unlink(tmp)
    sys.exit("the restored database fails integrity_check: " + check)
for suffix in ("-wal", "-shm", "-journal"):
    try:
        os.unlink(path + suffix)
    except FileNotFoundError:
        pass
os.replace(tmp, path)
print("restored " + path)
`;

/** Integrity and exact row counts of the database file, as JSON. */
const COUNTS = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
check = db.execute("PRAGMA integrity_check").fetchone()[0]
names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
print(json.dumps({"integrity": check, "tables": {n: db.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0] for n in names}}))
`;

const lastLine = (text: string) => JSON.parse(text.trim().split('\n').slice(-1)[0]);

/** Runs in a one-off container, so it works with the service stopped (as after a restore). */
async function inspect(target: StoreTarget): Promise<{ integrity: string; tables: Record<string, number> }> {
  const args = ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', target.service.name, '-c', COUNTS, target.option];
  return lastLine((await compose(target.ctx, args, { timeout: '600s' })).stdout);
}

export const sqlite: StoreKind = {
  name: 'sqlite',
  extension: '.db',

  checkOption(service, option) {
    if (!option) return 'sqlite needs the database path in the container: sqlite:/data/app.db';
    if (!path.posix.isAbsolute(option) || path.posix.normalize(option) !== option || option.endsWith('/') || /[\0-\x1f]/.test(option)) {
      return `'${option}' is not an absolute, normalised file path: use sqlite:/data/app.db`;
    }
    // On the container's own layer the file would not survive a recreate: nothing worth restoring.
    if (!service.volumes.some((v) => option.startsWith(`${v.target.replace(/\/$/, '')}/`))) return `${option} is on none of the service's named volumes`;
    return undefined;
  },

  async dump(target, file) {
    const snapshot = lastLine(await execText(target, ['python3', '-c', SNAPSHOT, target.option], '600s')) as {
      path: string;
      tables: Record<string, number>;
      sqlite: string;
    };
    const result = await composeStream(target.ctx, ['exec', '-T', target.service.name, 'python3', '-c', CAT_AND_DELETE, snapshot.path], {
      stdoutFile: file,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
      what: `copying ${target.service.name}'s SQLite snapshot`,
    });
    return {
      bytes: result.bytes,
      sha256: result.sha256,
      counts: snapshot.tables,
      countsExact: true,
      facts: { database: target.option, tool: `sqlite ${snapshot.sqlite}` },
    };
  },

  // The service must be stopped: its file is replaced underneath it.
  async restore(target, file) {
    const name = target.service.name;
    await target.lifecycle.stop([name]);
    await composeStream(target.ctx, ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', name, '-c', RESTORE, target.option], {
      stdinFile: file,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
      what: `restoring ${name}'s SQLite database`,
    });
  },

  async count(target) {
    return (await inspect(target)).tables;
  },

  async verify(target, entry) {
    const found = await inspect(target);
    if (found.integrity !== 'ok') throw new OperationError(`${entry.service} (sqlite): the restored database fails integrity_check: ${found.integrity}`);
    return checkRestored(entry, found.tables);
  },
};
