#!/bin/sh
# Gives this container's own programs the admin credentials as files, then execs PROGRAM.
#
# Why: Prometheus and Alertmanager ask every caller for basic auth (--web.config.file), themselves
# included: Prometheus scraping itself and Alertmanager, sending alerts, and the promtool / amtool
# health checks. Their configs read the credentials from files (username_file, password_file,
# --http.config.file) and expand no environment variables, so the values from .env are written
# here, private to the container's user, on the container's tmpfs, never into a volume.
# Works with busybox sh (official images) and dash (the Debian stand-ins).
# Usage: admin-client.sh PROGRAM [ARGS...]
set -eu

if [ "$#" -eq 0 ]; then
  echo "admin-client: usage: admin-client.sh PROGRAM [ARGS...]" >&2
  exit 2
fi
if [ -z "${ADMIN_PASSWORD:-}" ]; then
  echo "admin-client: ADMIN_PASSWORD is empty: set it in .env (make start generates one)" >&2
  exit 2
fi

dir="${GALAXY_ADMIN_DIR:-/tmp/galaxy-admin}"
umask 077
mkdir -p "$dir"
printf '%s' "${ADMIN_USER:-admin}" >"$dir/username"
printf '%s' "$ADMIN_PASSWORD" >"$dir/password"
cat >"$dir/http.yml" <<CONFIG
basic_auth:
  username_file: $dir/username
  password_file: $dir/password
CONFIG
# Not in this program's environment any more than it must be: the files are what it reads.
unset ADMIN_PASSWORD
exec "$@"
