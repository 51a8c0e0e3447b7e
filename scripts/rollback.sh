#!/usr/bin/env bash
# Return services to their previously deployed version without downtime: rollback.sh [SERVICE]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" rollback "$@"
