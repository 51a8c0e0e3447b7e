#!/usr/bin/env bash
# Start the whole stack and wait until every service is healthy: start-all.sh [--dev|--prod]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" start "$@"
