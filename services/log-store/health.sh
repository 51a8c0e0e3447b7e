#!/bin/bash
# The log store's health check: a line sent the way Docker's syslog driver sends one must come out
# of rsyslog's write path within HEALTH_ANSWER_SECONDS. "rsyslogd is alive" (kill -0) is not
# enough: a frozen or stuck rsyslogd is alive and writes nothing. The line goes to its own file
# (rsyslog.conf routes the app name galaxy-health there and stops), never into the store.
set -u
seen=/tmp/health-seen
wait_seconds="${HEALTH_ANSWER_SECONDS:-2}"
marker="check-$$-$RANDOM"
# RFC 5424 with the nil values (-) for time and host, as rsyslog parses what Docker sends.
if ! printf '<14>1 - - galaxy-health - - - %s\n' "$marker" >/dev/udp/127.0.0.1/5514; then
  echo "log-store: cannot send to 127.0.0.1:5514/udp"
  exit 1
fi
for ((tenths = 0; tenths < wait_seconds * 10; tenths++)); do
  if grep -qF "$marker" "$seen" 2>/dev/null; then
    # rsyslog appends (O_APPEND), so emptying the file here keeps it small and loses nothing.
    : >"$seen"
    exit 0
  fi
  sleep 0.1
done
echo "log-store: a test line was not written within ${wait_seconds} s (rsyslogd hung or not receiving)"
exit 1
