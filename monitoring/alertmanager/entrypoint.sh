#!/bin/sh
# Render alertmanager.yml for this container from .env's ALERT_* settings, then exec Alertmanager.
#
# Why: Alertmanager does not expand environment variables in its configuration, and where alerts
# go (and the secrets to get there) belongs in .env, not in a committed file. Each channel that
# .env configures becomes one *_configs block of the `critical` receiver (every channel) and, if
# listed in ALERT_WARNING_CHANNELS (default: all), of the `warning` receiver. Secrets are written
# to private files read through url_file / api_url_file / bot_token_file / auth_password_file (no
# YAML quoting problems, and the API shows a path, not the secret); the other values are checked
# here, so a bad one stops the start with one line naming it.
#
# Works with both the official image (busybox sh, binary /bin/alertmanager) and the Debian
# stand-in (dash, binary alertmanager or prometheus-alertmanager on PATH).
# Usage: entrypoint.sh [--render-only] [alertmanager flags...]
set -eu

template="${GALAXY_ALERTMANAGER_TEMPLATE:-/etc/alertmanager/alertmanager.yml}"
out_dir="${GALAXY_ALERTMANAGER_RENDER_DIR:-/tmp/galaxy-alertmanager}"

refuse() {
  echo "entrypoint: $1" >&2
  exit 2
}

# matches VALUE EXTENDED-REGEX: the whole value matches.
matches() { printf '%s' "$1" | grep -Eqx -e "$2"; }

# secret NAME VALUE: a private file only this process's user can read; prints its path.
secret() {
  printf '%s' "$2" >"$out_dir/$1"
  echo "$out_dir/$1"
}

mkdir -p "$out_dir"
umask 077
rm -f "$out_dir/webhook-url" "$out_dir/slack-url" "$out_dir/telegram-token" "$out_dir/smtp-password"

webhook="${ALERT_WEBHOOK_URL:-}"
slack="${ALERT_SLACK_WEBHOOK_URL:-}"
slack_channel="${ALERT_SLACK_CHANNEL:-}"
telegram_token="${ALERT_TELEGRAM_BOT_TOKEN:-}"
telegram_chat="${ALERT_TELEGRAM_CHAT_ID:-}"
telegram_api="${ALERT_TELEGRAM_API_URL:-https://api.telegram.org}"
email_to="${ALERT_EMAIL_TO:-}"
email_from="${ALERT_EMAIL_FROM:-}"
smarthost="${ALERT_SMTP_SMARTHOST:-}"
smtp_user="${ALERT_SMTP_USERNAME:-}"
smtp_password="${ALERT_SMTP_PASSWORD:-}"
smtp_tls="${ALERT_SMTP_REQUIRE_TLS:-true}"
warning_channels="${ALERT_WARNING_CHANNELS:-}"
group_interval="${ALERT_GROUP_INTERVAL:-5m}"

# --- Checks: one line naming the setting, exit 2, before Alertmanager starts --------------------
url_pattern='https?://[^[:space:]]+'
for pair in "ALERT_WEBHOOK_URL=$webhook" "ALERT_SLACK_WEBHOOK_URL=$slack" "ALERT_TELEGRAM_API_URL=$telegram_api"; do
  value="${pair#*=}"
  [ -z "$value" ] || matches "$value" "$url_pattern" || refuse "${pair%%=*} must start with http:// or https:// and hold no spaces"
done
matches "$group_interval" '[0-9]+(s|m|h)' || refuse "ALERT_GROUP_INTERVAL must be a duration like 30s, 5m or 1h, not '$group_interval'"
[ -z "$slack_channel" ] || matches "$slack_channel" '[#@]?[A-Za-z0-9._-]+' || refuse "ALERT_SLACK_CHANNEL must look like #alerts or @name"
if [ -n "$telegram_token$telegram_chat" ]; then
  if [ -z "$telegram_token" ] || [ -z "$telegram_chat" ]; then refuse "set both ALERT_TELEGRAM_BOT_TOKEN and ALERT_TELEGRAM_CHAT_ID, or neither"; fi
  matches "$telegram_chat" '-?[0-9]+' || refuse "ALERT_TELEGRAM_CHAT_ID must be a number (a group's id starts with -)"
  matches "$telegram_token" '[0-9]+:[A-Za-z0-9_-]+' || refuse "ALERT_TELEGRAM_BOT_TOKEN must look like 123456:ABC-DEF (as BotFather gives it)"
fi
address='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+'
if [ -n "$email_to$email_from$smarthost" ]; then
  if [ -z "$email_to" ] || [ -z "$email_from" ] || [ -z "$smarthost" ]; then
    refuse "e-mail needs ALERT_EMAIL_TO, ALERT_EMAIL_FROM and ALERT_SMTP_SMARTHOST together"
  fi
  matches "$email_to" "$address(,$address)*" || refuse "ALERT_EMAIL_TO must be one or more addresses separated by commas, without spaces"
  matches "$email_from" "$address" || refuse "ALERT_EMAIL_FROM must be one address"
  matches "$smarthost" '[A-Za-z0-9.-]+:[0-9]+' || refuse "ALERT_SMTP_SMARTHOST must be host:port, e.g. smtp.example.org:587"
  [ -z "$smtp_user" ] || matches "$smtp_user" '[^[:space:]"\\]+' || refuse "ALERT_SMTP_USERNAME must hold no spaces, quotes or backslashes"
  matches "$smtp_tls" 'true|false' || refuse "ALERT_SMTP_REQUIRE_TLS must be true or false"
fi

channels=""
[ -z "$webhook" ] || channels="$channels webhook"
[ -z "$slack" ] || channels="$channels slack"
[ -z "$telegram_token" ] || channels="$channels telegram"
[ -z "$email_to" ] || channels="$channels email"

warning_list="$channels"
if [ -n "$warning_channels" ]; then
  matches "$warning_channels" '(webhook|slack|telegram|email)(,(webhook|slack|telegram|email))*' \
    || refuse "ALERT_WARNING_CHANNELS must be a comma list of webhook, slack, telegram, email (empty: all)"
  warning_list=""
  for c in $(echo "$warning_channels" | tr ',' ' '); do
    case " $channels " in
      *" $c "*) warning_list="$warning_list $c" ;;
      *) refuse "ALERT_WARNING_CHANNELS names $c, which .env does not configure" ;;
    esac
  done
fi

# --- Rendering ------------------------------------------------------------------------------------
# channel NAME: its *_configs block, indented for a receiver. Every channel sends resolved
# messages too, and the same text (galaxy.tmpl).
channel() {
  case "$1" in
    webhook)
      printf '    webhook_configs:\n      - url_file: %s\n        send_resolved: true\n' "$(secret webhook-url "$webhook")"
      # Bound the payload: a flapping stack must not produce megabyte-sized posts.
      printf '        max_alerts: 50\n' ;;
    slack)
      printf '    slack_configs:\n      - api_url_file: %s\n        send_resolved: true\n' "$(secret slack-url "$slack")"
      [ -z "$slack_channel" ] || printf "        channel: '%s'\n" "$slack_channel"
      printf "        title: '{{ template \"galaxy.title\" . }}'\n        text: '{{ template \"galaxy.text\" . }}'\n" ;;
    telegram)
      printf '    telegram_configs:\n      - api_url: %s\n        bot_token_file: %s\n        chat_id: %s\n' \
        "$telegram_api" "$(secret telegram-token "$telegram_token")" "$telegram_chat"
      # Plain text: a summary with < or & must not be read as HTML markup.
      printf "        parse_mode: ''\n        send_resolved: true\n        message: '{{ template \"galaxy.title\" . }}\n\n          {{ template \"galaxy.text\" . }}'\n" ;;
    email)
      printf "    email_configs:\n      - to: '%s'\n        from: '%s'\n        smarthost: '%s'\n        require_tls: %s\n        send_resolved: true\n" \
        "$email_to" "$email_from" "$smarthost" "$smtp_tls"
      [ -z "$smtp_user" ] || printf "        auth_username: '%s'\n" "$smtp_user"
      [ -z "$smtp_password" ] || printf '        auth_password_file: %s\n' "$(secret smtp-password "$smtp_password")"
      printf "        headers: { Subject: '{{ template \"galaxy.title\" . }}' }\n        text: '{{ template \"galaxy.text\" . }}'\n" ;;
  esac
}

# receiver NAME CHANNELS...
receiver() {
  printf '  - name: %s\n' "$1"
  shift
  for c in "$@"; do channel "$c"; done
}

{
  # The top-level route's interval (nested routes are indented deeper), and the file up to the
  # galaxy:receivers line; the receivers follow.
  sed -e "s|^  group_interval: .*|  group_interval: $group_interval|" -e '/^# galaxy:receivers/q' "$template"
  # shellcheck disable=SC2086 # the lists are words on purpose
  receiver critical $channels
  # shellcheck disable=SC2086
  receiver warning $warning_list
} >"$out_dir/alertmanager.yml.tmp"
mv "$out_dir/alertmanager.yml.tmp" "$out_dir/alertmanager.yml"

if [ -n "$channels" ]; then
  echo "entrypoint: critical alerts go to:$channels; warnings to:${warning_list:- nobody}" >&2
else
  echo "entrypoint: no ALERT_* channel is set; alerts are kept in Alertmanager only (null receivers)" >&2
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
