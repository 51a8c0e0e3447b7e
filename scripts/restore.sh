#!/usr/bin/env bash
# Verify a backup set, stop the writers, restore every store, start and wait until healthy: restore.sh [SET]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" restore "$@"
