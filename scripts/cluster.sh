#!/usr/bin/env bash
# A Swarm of N nodes on this machine, or its removal: cluster.sh [--nodes N] [--down]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" cluster "$@"
