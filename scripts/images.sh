#!/usr/bin/env bash
# Thin shell entry for `make images`: runs scripts/images.ts with the project's own tsx.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/images.ts" "$@"
