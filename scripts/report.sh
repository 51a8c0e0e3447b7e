#!/usr/bin/env bash
# Write docs/reports/05_SYSTEM_READY_REPORT.md from the live stack and the newest bench results: report.sh [--samples N] [--out FILE]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" report "$@"
