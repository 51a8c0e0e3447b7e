#!/usr/bin/env bash
# Shared launcher for the scripts/*.sh entry points: runs scripts/<name>.ts with the project's tsx,
# installing the locked node packages first when a fresh clone has none.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tsx="$root/node_modules/.bin/tsx"
if [[ ! -x "$tsx" ]]; then
  command -v npm >/dev/null || { echo "error: Node.js 20+ with npm is required: install it (Debian: apt-get install nodejs npm)" >&2; exit 2; }
  echo "setup: installing node packages (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
name="$1"
shift
exec "$tsx" "$root/scripts/$name.ts" "$@"
