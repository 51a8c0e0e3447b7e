#!/usr/bin/env bash
# Restore the newest backup set into throwaway containers and check it: backup-verify.sh [SET]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" backup-verify "$@"
