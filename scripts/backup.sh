#!/usr/bin/env bash
# One timestamped, checksummed backup set of every store labelled galaxy.backup, and the config; cron-safe: backup.sh
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" backup "$@"
