#!/usr/bin/env bash
# Security audit of the running stack, one table; exit 1 on any high finding: audit.sh [--json]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" audit "$@"
