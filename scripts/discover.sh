#!/usr/bin/env bash
# Inventory a codebase's services: ./scripts/discover.sh [--json] [--probe] [--out DIR] PATH
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/discover.ts" "$@"
