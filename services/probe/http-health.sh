#!/usr/bin/env bash
# The container healthcheck of every image the kit builds: GET PATH on 127.0.0.1:PORT, exit 0 only
# on status 200. Written by hand over bash's /dev/tcp (an HTTP/1.0 request, the status line read)
# because it is the cheapest probe those images already carry: slim images have no curl, and a
# node or python probe spawned every second cost 2-5 s of a saturated 2-core machine, enough to
# keep a new backend "starting" past the deploy's 120 s; bash costs what `docker exec true` does.
# Usage: healthcheck [PORT] [PATH]   defaults: $PORT, /health
set -euo pipefail
port="${1:-${PORT:-}}"
path="${2:-/health}"
if [[ ! "$port" =~ ^[0-9]+$ || "$path" != /* ]]; then
  echo "usage: healthcheck [PORT] [PATH]: PORT (or the PORT variable) is a number, PATH starts with /" >&2
  exit 2
fi
# A refused connection ends the script here with bash's own "connect: Connection refused" (exit 1).
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
# The wait for the answer is the service's own time, counted once this script runs: the compose
# healthcheck timeout (10 s) also covers a slow `docker exec` on a saturated machine, so it cannot
# be short, but this can. HEALTH_ANSWER_SECONDS (compose sets it per service, docker-compose.yml)
# is how long a hung process keeps a check from failing; 6 s without it.
answer="${HEALTH_ANSWER_SECONDS:-6}"
if [[ ! "$answer" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "usage: HEALTH_ANSWER_SECONDS is a number of seconds, not '${answer}'" >&2
  exit 2
fi
status=""
IFS=' ' read -r -t "$answer" _proto status _rest <&3 || true
exec 3<&-
status="${status%$'\r'}"
if [[ "$status" != "200" ]]; then
  echo "unhealthy: GET ${path} answered ${status:-nothing within ${answer} s}" >&2
  exit 1
fi
