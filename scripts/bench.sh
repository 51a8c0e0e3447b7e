#!/usr/bin/env bash
# Measure this machine on a throwaway copy of the stack, write bench/results/: bench.sh [--only a,b] [--runs N]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" bench/main "$@"
