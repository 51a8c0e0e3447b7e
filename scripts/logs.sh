#!/usr/bin/env bash
# Log lines from the stack's log store (docs/LOGS.md): logs.sh [--follow] [--since 2d] [--until 1h] [--grep TEXT] [SERVICE...]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" logs "$@"
