#!/usr/bin/env bash
# Stop the stack gracefully, data kept: stop-all.sh [--remove-data]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" stop "$@"
