#!/usr/bin/env bash
# Compose healthcheck for the nginx image, which has neither node nor python and whose curl we
# do not rely on: a raw HTTP/1.0 request over bash's /dev/tcp. Exit 0 only on status 200.
set -euo pipefail
port="${1:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS=' ' read -r -t 6 _proto status _rest <&3
exec 3<&-
if [[ "${status:-}" != "200" ]]; then
  echo "unhealthy: status ${status:-none}" >&2
  exit 1
fi
