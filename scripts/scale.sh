#!/usr/bin/env bash
# Run N replicas of a stateless service (compose or swarm mode): scale.sh SERVICE --replicas N
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" scale "$@"
