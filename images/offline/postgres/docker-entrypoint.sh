#!/usr/bin/env bash
# Entrypoint with the official postgres image's interface, written for Debian's PostgreSQL 17:
# - first argument starting with "-": run `postgres` with those options
# - as root: prepare PGDATA and the socket folder, then re-run itself as user postgres
# - empty PGDATA: initdb as POSTGRES_USER with POSTGRES_PASSWORD, scram for network clients,
#   create POSTGRES_DB, run /docker-entrypoint-initdb.d/* on a socket-only temporary server
set -euo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

# Anything but the server runs as given (psql, bash, pg_dump...).
if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA"
  # Only the top folder: a large existing data directory must not cost a recursive chown.
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  install -d -o postgres -g postgres -m 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        # Executable scripts run in their own process, others are sourced (as the official does).
        if [ -x "$f" ]; then
          log "running $f"
          "$f"
        else
          log "sourcing $f"
          # shellcheck disable=SC1090 # the init files are the user's, unknown here
          . "$f"
        fi ;;
      *.sql) log "running $f"; psql_init -f "$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | psql_init ;;
      *) log "ignoring $f" ;;
    esac
  done
}

psql_init() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" "$@"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH_METHOD" != 'trust' ]; then
    log 'error: database is uninitialized and POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)'
    exit 1
  fi
  log "initializing $PGDATA for user $POSTGRES_USER"
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, split on purpose
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$AUTH_METHOD" ${POSTGRES_INITDB_ARGS:-} >&2
  rm -f "$pwfile"
  # Password auth for every network client, whatever initdb wrote for localhost only.
  printf '\n# added by the entrypoint: clients from any address authenticate with a password\nhost all all all %s\n' "$AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # A socket-only server, so nothing connects before initialisation is complete.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w -t 60 start >&2
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
      --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >&2
  fi
  export PGPASSWORD="${POSTGRES_PASSWORD:-}"
  run_init_files
  unset PGPASSWORD
  pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >&2
  log 'PostgreSQL init process complete; ready for start up.'
else
  log 'PostgreSQL database directory appears to contain a database; skipping initialization'
fi

exec "$@"
