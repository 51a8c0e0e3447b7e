#!/bin/sh
# Render alertmanager.yml for this container, then exec Alertmanager with the given flags.
#
# Why: Alertmanager does not expand environment variables in its configuration, and the
# webhook URL is a secret that belongs in .env, not in a committed file. The URL is written
# to a file read through `url_file` (no YAML quoting problems, and the API shows a path, not
# the URL). With ALERT_WEBHOOK_URL empty the webhook block is dropped, so the `default`
# receiver is a null receiver and alerts are still visible in the API.
#
# Works with both the official image (busybox sh, binary /bin/alertmanager) and the Debian
# stand-in (dash, binary alertmanager or prometheus-alertmanager on PATH).
# Usage: entrypoint.sh [--render-only] [alertmanager flags...]
set -eu

template="${GALAXY_ALERTMANAGER_TEMPLATE:-/etc/alertmanager/alertmanager.yml}"
out_dir="${GALAXY_ALERTMANAGER_RENDER_DIR:-/tmp/galaxy-alertmanager}"
url="${ALERT_WEBHOOK_URL:-}"

mkdir -p "$out_dir"
umask 077

if [ -n "$url" ]; then
  case "$url" in
    http://*|https://*) ;;
    *) echo "entrypoint: ALERT_WEBHOOK_URL must start with http:// or https://" >&2; exit 2 ;;
  esac
  printf '%s' "$url" > "$out_dir/webhook-url"
  # The url_file path inside the template is fixed; point it at this render directory.
  sed "s|/tmp/galaxy-alertmanager/webhook-url|$out_dir/webhook-url|" "$template" > "$out_dir/alertmanager.yml"
  echo "entrypoint: webhook receiver enabled" >&2
else
  rm -f "$out_dir/webhook-url"
  sed '/# galaxy:webhook-begin/,/# galaxy:webhook-end/d' "$template" > "$out_dir/alertmanager.yml"
  echo "entrypoint: ALERT_WEBHOOK_URL is empty; alerts are kept in Alertmanager only (null receiver)" >&2
fi

if [ "${1:-}" = "--render-only" ]; then
  cat "$out_dir/alertmanager.yml"
  exit 0
fi

bin=""
for candidate in alertmanager prometheus-alertmanager /bin/alertmanager; do
  if command -v "$candidate" >/dev/null 2>&1; then bin="$(command -v "$candidate")"; break; fi
done
if [ -z "$bin" ]; then echo "entrypoint: no alertmanager binary found" >&2; exit 1; fi

exec "$bin" --config.file="$out_dir/alertmanager.yml" "$@"
