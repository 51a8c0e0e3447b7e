#!/usr/bin/env bash
# Build or refresh the offline (registry-free) image set: images.sh [--only name,name]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" images "$@"
