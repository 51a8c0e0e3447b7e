#!/usr/bin/env bash
# Entrypoint with the official redis image's interface, for Debian's redis-server:
# - "IMAGE --opt" or "IMAGE file.conf" runs redis-server with them
# - as root: own /data (the working folder) and drop to user redis
# - no config file: protected mode off, as the official image builds it in (the container's
#   network is the boundary; a --protected-mode argument still wins because it comes later)
set -euo pipefail

if [ "$#" -eq 0 ] || [ "${1:0:1}" = '-' ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
  if [ "$(id -u)" = '0' ]; then
    # Only files not yet owned by redis: a restart on a populated volume stays fast.
    find . \! -user redis -exec chown redis '{}' +
    umask 0077
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
  shift
  if [ "$#" -eq 0 ] || [ "${1:0:1}" = '-' ]; then
    # Options only: redis-server then reads no config file, and its built-in defaults apply
    # (no daemonize, bind all interfaces); Debian's default for protected mode is on.
    set -- redis-server --protected-mode no "$@"
  else
    set -- redis-server "$@"
  fi
fi

exec "$@"
