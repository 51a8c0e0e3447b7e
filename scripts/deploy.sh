#!/usr/bin/env bash
# Build the working tree and replace running services without downtime: deploy.sh [SERVICE]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" deploy "$@"
