#!/usr/bin/env bash
# Service logs with per-service prefixes: logs.sh [--follow] [--since 10m] [--grep TEXT] [SERVICE...]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" logs "$@"
