// Programs run inside the stack's own containers (their images carry the right tool versions).
// Each is passed as one argument, never spliced into a command string; loops are bounded.

/**
 * memory-api: snapshot the live SQLite database with the online backup API (consistent even while
 * the service writes, unlike a file copy), check it, print its path and exact row counts as JSON.
 */
export const SQLITE_SNAPSHOT = `
import json, os, sqlite3, sys, tempfile
src_path = os.environ.get("MEMORY_DB_PATH", "/data/memory.db")
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

/** memory-api: stream a file to stdout and delete it. */
export const CAT_AND_DELETE = `
import os, shutil, sys
with open(sys.argv[1], "rb") as f:
    shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
sys.stdout.buffer.flush()
os.unlink(sys.argv[1])
`;

/**
 * memory-api (one-off container, service stopped): stdin becomes the database. Written beside the
 * live file, checked, then renamed over it; stale -wal/-shm files of the old database are removed
 * first, or SQLite would replay them onto the restored one.
 */
export const SQLITE_RESTORE = `
import os, shutil, sqlite3, sys
path = os.environ.get("MEMORY_DB_PATH", "/data/memory.db")
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

/** memory-api image (one-off): integrity and exact row counts of the live database file, as JSON. */
export const SQLITE_COUNTS = `
import json, os, sqlite3
db = sqlite3.connect(os.environ.get("MEMORY_DB_PATH", "/data/memory.db"))
check = db.execute("PRAGMA integrity_check").fetchone()[0]
names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
print(json.dumps({"integrity": check, "tables": {n: db.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0] for n in names}}))
`;

/**
 * redis (one-off container on the redis volume, service stopped): stdin becomes the dataset.
 * Redis 8 with appendonly=yes loads only the AOF and ignores dump.rdb; with no AOF it starts
 * EMPTY. So a temporary server (no TCP, AOF off) loads the RDB in a side folder, then
 * CONFIG SET appendonly yes rewrites it into a fresh AOF; only when that is complete are the
 * AOF folder and dump.rdb swapped in, so a failure leaves the old data in place.
 */
export const REDIS_RESTORE = `
set -eu
# The service's password is for TCP clients; the temporary server listens on a private socket only.
unset REDISCLI_AUTH
cd /data
work=/data/.restore
rm -rf "$work"
mkdir -p "$work"
cat > "$work/dump.rdb"
cli() { redis-cli -s /tmp/galaxy-restore.sock "$@"; }
docker-entrypoint.sh redis-server --port 0 --unixsocket /tmp/galaxy-restore.sock --unixsocketperm 700 \\
  --dir "$work" --dbfilename dump.rdb --appendonly no --save '' --daemonize yes --pidfile /tmp/galaxy-restore.pid
up=no
for _ in $(seq 1 1200); do
  if [ "$(cli ping 2>/dev/null)" = PONG ]; then up=yes; break; fi
  sleep 0.25
done
[ "$up" = yes ] || { echo "temporary redis did not load the RDB within 300 s" >&2; exit 1; }
echo "loaded $(cli dbsize) keys from the RDB"
cli config set appendonly yes >/dev/null
done_=no
for _ in $(seq 1 2400); do
  info="$(cli info persistence | tr -d '\\r')"
  if echo "$info" | grep -q '^aof_enabled:1' && echo "$info" | grep -q '^aof_rewrite_in_progress:0' \\
     && echo "$info" | grep -q '^aof_rewrite_scheduled:0'; then done_=yes; break; fi
  sleep 0.25
done
[ "$done_" = yes ] || { echo "the AOF rewrite did not finish within 600 s" >&2; exit 1; }
echo "$info" | grep -q '^aof_last_bgrewrite_status:ok' || { echo "the AOF rewrite failed" >&2; exit 1; }
cli shutdown nosave >/dev/null 2>&1 || true
for _ in $(seq 1 400); do [ -e /tmp/galaxy-restore.pid ] || break; sleep 0.25; done
[ ! -e /tmp/galaxy-restore.pid ] || { echo "temporary redis did not stop" >&2; exit 1; }
[ -d "$work/appendonlydir" ] || { echo "no AOF was written" >&2; exit 1; }
rm -rf /data/appendonlydir
mv "$work/appendonlydir" /data/appendonlydir
mv "$work/dump.rdb" /data/dump.rdb
rm -rf "$work"
echo "redis data replaced"
`;

/** postgres: exact row counts of every user table, one "schema.table<TAB>rows" line each. */
export const PG_COUNTS_SQL = `
SELECT table_schema || '.' || table_name,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1`;
