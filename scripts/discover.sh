#!/usr/bin/env bash
# Inventory a codebase's services: ./scripts/discover.sh [--json] [--probe] [--out DIR] PATH
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" discover "$@"
