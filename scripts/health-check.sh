#!/usr/bin/env bash
# Every service's state, health, uptime, restarts and latency; exit 0 only when all are healthy: health-check.sh [--json]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" health "$@"
