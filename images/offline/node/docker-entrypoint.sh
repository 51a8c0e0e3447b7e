#!/usr/bin/env bash
# As in the official image: `docker run IMAGE --version` or `IMAGE app.js` run node; a command
# found on PATH (npm, sh, ...) runs as given.
set -euo pipefail
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1 || { [ -f "$1" ] && [ ! -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
