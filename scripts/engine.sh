#!/usr/bin/env bash
# Make sure a Docker engine with Compose v2 and buildx answers (installs it on Debian when missing)
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" engine "$@"
