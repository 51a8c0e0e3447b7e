#!/usr/bin/env bash
# Shared launcher for the scripts/*.sh entry points: runs scripts/<name>.ts (as its bundle in
# .build/, rebuilt when stale), installing the locked node packages first when a fresh clone has none.
#
# make's variables arrive here as environment variables (GALAXY_ARGS, GALAXY_SERVICE, GALAXY_FROM,
# GALAXY_SRC, GALAXY_ONLY, exported by the Makefile), never pasted into a shell line, so a value such as
# '$(touch x)' or 'a;b' is only ever text. Each is checked, then passed on as separate arguments.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tsx="$root/node_modules/.bin/tsx"

# Bad input from make: one line, exit 2, before anything runs.
refuse() {
  printf 'error: %s\n' "$1" >&2
  exit 2
}

from_make=()
if [[ -n "${GALAXY_ARGS-}" ]]; then
  # read -a splits on whitespace only: no globbing, no substitution, quotes are plain characters.
  read -r -d '' -a from_make <<<"$GALAXY_ARGS" || true
fi
if [[ -n "${GALAXY_SERVICE-}" ]]; then
  # Compose's own rule for service names.
  [[ "$GALAXY_SERVICE" =~ ^[a-zA-Z0-9][a-zA-Z0-9._-]*$ ]] \
    || refuse "service='$GALAXY_SERVICE' is not a service name: use letters, digits, '.', '_' and '-' (make help)"
  from_make+=("$GALAXY_SERVICE")
fi
if [[ -n "${GALAXY_FROM-}" ]]; then
  # A set is named, never reached by a path: nothing outside the backup folder can be restored.
  [[ "$GALAXY_FROM" != */* && "$GALAXY_FROM" != *..* && "$GALAXY_FROM" =~ ^[a-zA-Z0-9._-]+$ ]] \
    || refuse "from='$GALAXY_FROM' is not a backup set name: name a set in the backup folder, without '/' or '..'"
  from_make+=("$GALAXY_FROM")
fi
if [[ -n "${GALAXY_ONLY-}" ]]; then
  # A comma-separated list of compose service names.
  [[ "$GALAXY_ONLY" =~ ^[a-zA-Z0-9][a-zA-Z0-9._,-]*$ ]] \
    || refuse "only='$GALAXY_ONLY' is not a list of service names: use names separated by commas (only=api,worker)"
  from_make+=("--only" "$GALAXY_ONLY")
fi
if [[ -n "${GALAXY_REPLICAS-}" ]]; then
  [[ "$GALAXY_REPLICAS" =~ ^[0-9]+$ ]] \
    || refuse "replicas='$GALAXY_REPLICAS' is not a number of replicas: give a whole number, e.g. make scale service=api replicas=3"
  from_make+=("--replicas" "$GALAXY_REPLICAS")
fi
if [[ -n "${GALAXY_NODES-}" ]]; then
  [[ "$GALAXY_NODES" =~ ^[0-9]+$ ]] \
    || refuse "NODES='$GALAXY_NODES' is not a number of nodes: give a whole number, e.g. make cluster NODES=3"
  from_make+=("--nodes" "$GALAXY_NODES")
fi
if [[ -n "${GALAXY_SRC-}" ]]; then
  from_make+=("$GALAXY_SRC")
fi
# Read once: scripts this one starts (bench starts a stack) must not see them again.
unset GALAXY_ARGS GALAXY_SERVICE GALAXY_FROM GALAXY_SRC GALAXY_ONLY GALAXY_NODES GALAXY_REPLICAS

if [[ ! -x "$tsx" ]]; then
  command -v npm >/dev/null || { echo "error: Node.js 20+ with npm is required: install it (Debian: apt-get install nodejs npm)" >&2; exit 2; }
  echo "setup: installing node packages (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
# A name is scripts/<name>.ts; a path from the kit's root (bench/main) is that file, so the bench
# runs in one process while scripts/ still never imports bench/.
name="$1"
shift
rel="scripts/$name"
[[ "$name" == */* ]] && rel="$name"

# The entry runs as plain JavaScript from .build/ (bundled by scripts/lib/build/bundle.ts, rebuilt
# here whenever a source is newer than the last build), not compiled by tsx at every start.
# GALAXY_FROM_SOURCE=1 runs the TypeScript itself; a failed build does too, after one warning line.
# shellcheck source=scripts/lib/build/stale.sh
source "$root/scripts/lib/build/stale.sh"
if [[ -z "${GALAXY_FROM_SOURCE-}" ]]; then
  built=yes
  if build_stale "$root" >/dev/null; then
    "$tsx" "$root/scripts/lib/build/bundle.ts" || built=
  fi
  if [[ -n "$built" && -f "$root/.build/$rel.mjs" ]]; then
    exec node "$root/.build/$rel.mjs" "$@" "${from_make[@]}"
  fi
fi
exec "$tsx" "$root/$rel.ts" "$@" "${from_make[@]}"
