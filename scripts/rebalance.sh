#!/usr/bin/env bash
# Spread the tasks of stateless services evenly over the swarm's nodes again (swarm mode): rebalance.sh [--timeout SECONDS]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" rebalance "$@"
