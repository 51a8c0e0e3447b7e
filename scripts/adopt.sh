#!/usr/bin/env bash
# Bring a codebase's services under the kit: ./scripts/adopt.sh [--dry-run] [--only A,B] PATH
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" adopt "$@"
