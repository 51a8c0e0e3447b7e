#!/usr/bin/env bash
# Entrypoint with the official nginx image's interface: when the command is nginx, run the hooks
# in /docker-entrypoint.d first (*.sh executed, *.envsh sourced so they can export variables),
# in name order; any other command runs as given.
set -euo pipefail

say() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then printf '%s\n' "$*"; fi
}

if [ "${1:-}" = 'nginx' ] || [ "${1:-}" = 'nginx-debug' ]; then
  for hook in /docker-entrypoint.d/*; do
    [ -f "$hook" ] || continue
    case "$hook" in
      *.envsh)
        say "$0: sourcing $hook"
        # shellcheck disable=SC1090 # hooks are added by the user of the image
        . "$hook" ;;
      *.sh)
        if [ -x "$hook" ]; then
          say "$0: launching $hook"
          "$hook"
        else
          say "$0: ignoring $hook, not executable"
        fi ;;
      *) say "$0: ignoring $hook" ;;
    esac
  done
  say "$0: configuration complete; ready for start up"
fi

exec "$@"
