#!/usr/bin/env bash
# A test alert through every configured alert channel; exit 1 unless all accept it: alert-test.sh [--timeout SECONDS]
set -euo pipefail
exec "$(dirname "$0")/lib/run.sh" alert-test "$@"
