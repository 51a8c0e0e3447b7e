// `galaxy.backup: redis`: the RDB snapshot after a BGSAVE, loaded back through a temporary server
// that rewrites it into a fresh AOF. redis-cli runs inside the service, so a password is taken
// from the service's own environment (REDISCLI_AUTH), never from a command line.
import path from 'node:path';
import { compose } from '../../docker/client.ts';
import { composeStream } from '../../docker/stream.ts';
import { OperationError, lastLine } from '../../errors.ts';
import { STEP_TIMEOUT_SECONDS, type StoreKind, type StoreTarget, checkRestored, execText } from './kind.ts';

/**
 * One-off container on the service's volume, service stopped: stdin becomes the dataset.
 * Redis 8 with appendonly=yes loads only the AOF and ignores dump.rdb; with no AOF it starts
 * EMPTY. So a temporary server (no TCP, AOF off) loads the RDB in a side folder, then
 * CONFIG SET appendonly yes rewrites it into a fresh AOF; only when that is complete are the
 * AOF folder and dump.rdb swapped in, so a failure leaves the old data in place.
 */
const RESTORE_SCRIPT = `
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

export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

const cli = (target: StoreTarget, ...args: string[]) => execText(target, ['redis-cli', '--no-auth-warning', ...args]);

/**
 * BGSAVE, waited for inside the container until INFO shows that save finished (rdb_saves moved on,
 * none in progress, status ok), then the facts the copy needs, as `field:value` lines. One exec, not
 * one per question: each `compose exec` costs a CLI start that a busy 2-core machine takes from the
 * dump streaming beside it. $1: seconds to wait, $2: the service (for the messages). Exit 3: the
 * message on stderr is for the operator.
 */
export const SAVE_SCRIPT = `
set -u
cli() { redis-cli --no-auth-warning "$@" | tr -d '\\r'; }
field() { sed -n "s/^$1://p"; }
fail() { echo "$1" >&2; exit 3; }
before=$(cli INFO persistence | field rdb_saves)
[ -n "$before" ] || fail "INFO persistence has no rdb_saves field (Redis 7 or newer is required)"
# SCHEDULE: if an AOF rewrite runs, the save starts right after it instead of being refused.
# "already in progress": a save started moments ago; waiting for rdb_saves to move covers it.
reply=$(cli BGSAVE SCHEDULE 2>&1)
case "$reply" in *started*|*scheduled*|*"already in progress"*) ;; *) fail "BGSAVE was refused: \${reply:-no reply}" ;; esac
deadline=$(( $(date +%s) + $1 ))
while :; do
  info=$(cli INFO persistence)
  if [ "$(echo "$info" | field rdb_bgsave_in_progress)" = 0 ] && [ "$(echo "$info" | field rdb_saves)" -gt "$before" ] 2>/dev/null; then
    status=$(echo "$info" | field rdb_last_bgsave_status)
    [ "$status" = ok ] || fail "BGSAVE failed (rdb_last_bgsave_status $status): read 'make logs service=$2'"
    break
  fi
  [ "$(date +%s)" -lt "$deadline" ] || fail "BGSAVE did not finish within $1s"
  sleep 0.1
done
echo "version:$(cli INFO server | field redis_version)"
echo "dir:$(cli CONFIG GET dir | sed -n 2p)"
echo "dbfilename:$(cli CONFIG GET dbfilename | sed -n 2p)"
echo "keys:$(cli DBSIZE)"
`;

/** A fresh RDB snapshot and where it is: the version, dir, dbfilename and keys fields of SAVE_SCRIPT. */
async function freshSave(target: StoreTarget, timeoutSeconds = 1800): Promise<Record<string, string>> {
  const name = target.service.name;
  const out = await compose(target.ctx, ['exec', '-T', name, 'sh', '-c', SAVE_SCRIPT, 'sh', String(timeoutSeconds), name], {
    timeout: `${timeoutSeconds + 60}s`,
  }).nothrow();
  if (out.exitCode === 3) throw new OperationError(`${name}: ${lastLine(out.stderr, 'no output')}`);
  if (out.exitCode !== 0) throw new OperationError(`${name}: BGSAVE failed (exit ${out.exitCode}): ${lastLine(out.stderr.trim() || out.stdout, 'no output')}`);
  return parseInfo(out.stdout);
}

async function count(target: StoreTarget): Promise<Record<string, number>> {
  await target.lifecycle.start([target.service.name], true);
  return { keys: Number(await cli(target, 'DBSIZE')) };
}

export const redis: StoreKind = {
  name: 'redis',
  extension: '.rdb',

  checkOption: (_service, option) => (option ? 'redis takes no argument' : undefined),

  // Redis writes the RDB to a temp file and renames it, so the copy is a whole snapshot even if a
  // scheduled save replaces the file meanwhile. The key count is read beside it (not exact).
  async dump(target, file) {
    const name = target.service.name;
    const saved = await freshSave(target);
    if (!saved.dir || !saved.dbfilename) throw new OperationError(`${name}: CONFIG GET dir/dbfilename gave no answer`);
    const result = await composeStream(target.ctx, ['exec', '-T', name, 'cat', path.posix.join(saved.dir, saved.dbfilename)], {
      stdoutFile: file,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
      what: `copying ${name}'s dump.rdb`,
    });
    if (result.bytes < 9) throw new OperationError(`${name}: dump.rdb is only ${result.bytes} bytes`);
    return {
      bytes: result.bytes,
      sha256: result.sha256,
      counts: { keys: Number(saved.keys) },
      countsExact: false,
      facts: { tool: `redis ${saved.version || 'unknown'}` },
    };
  },

  async restore(target, file) {
    const name = target.service.name;
    await target.lifecycle.stop([name]);
    await composeStream(target.ctx, ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'sh', name, '-c', RESTORE_SCRIPT], {
      stdinFile: file,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
      what: `restoring ${name}`,
    });
  },

  count,

  async verify(target, entry) {
    const restored = checkRestored(entry, await count(target));
    if (entry.counts.keys > 0 && restored.keys === 0)
      throw new OperationError(`${entry.service} (redis): no keys after restore, ${entry.counts.keys} at backup time`);
    return restored;
  },
};
