#!/usr/bin/env bash
# Restart one service and wait until it is healthy again: restart-service.sh SERVICE
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" restart "$@"
