#!/usr/bin/env bats
# bats sets $stderr and $stderr_lines for `run --separate-stderr`.
# shellcheck disable=SC2154
# The project lock seen from the shell: a state-changing command refuses at once while another
# holds the lock, names the holder, and --help or read-only commands are never blocked by it.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
  # A project of its own, so nothing here touches a real stack's lock.
  export COMPOSE_PROJECT_NAME="bats-lock-${BATS_TEST_NUMBER}-$$"
  lock_file="$PROJECT_ROOT/.run/${COMPOSE_PROJECT_NAME}.lock"
  mkdir -p "$PROJECT_ROOT/.run"
}

teardown() {
  if [[ -n "${holder:-}" ]]; then kill "$holder" 2>/dev/null || true; fi
  rm -f "$lock_file"
}

hold_lock() {
  # Another process holds the flock, as a running deploy would, with the holder text it writes.
  printf '4242 deploy 2026-12-01T10:00:00.000Z\n' >"$lock_file"
  flock "$lock_file" sleep 60 &
  holder=$!
  for _ in $(seq 1 50); do
    if ! flock --nonblock "$lock_file" true 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

@test "every state-changing command refuses at once while the project lock is held (exit 1, one line naming the holder)" {
  hold_lock
  for command in start-all stop-all 'restart-service backend' deploy rollback images; do
    read -r -a words <<<"$command"
    run -1 --separate-stderr "./scripts/${words[0]}.sh" "${words[@]:1}"
    assert_equal "${stderr_lines[-1]}" 'error: busy: deploy (pid 4242) since 2026-12-01T10:00:00.000Z; retry or pass --wait-lock'
  done
}

@test "--wait-lock=SECONDS waits, then gives up with the same line when the holder stays" {
  hold_lock
  run -1 --separate-stderr ./scripts/stop-all.sh --wait-lock=1
  assert_equal "${stderr_lines[0]}" 'busy: deploy (pid 4242) since 2026-12-01T10:00:00.000Z: waiting up to 1s'
  assert_equal "${stderr_lines[-1]}" 'error: busy: deploy (pid 4242) since 2026-12-01T10:00:00.000Z; retry or pass --wait-lock'
}

@test "--help prints usage and examples on stdout and exits 0, even while the lock is held" {
  hold_lock
  run -0 --separate-stderr ./scripts/deploy.sh --help
  assert_line --index 0 --partial 'usage: deploy.sh [SERVICE]'
  assert_output --partial '--wait-lock[=SECONDS]'
  assert_output --partial 'make deploy service=api'
  assert_equal "$stderr" ''
}

@test "bad input is a usage error (exit 2) even while the lock is held: it is checked first" {
  hold_lock
  run -2 --separate-stderr ./scripts/deploy.sh --wait-lock=soon
  assert_equal "${stderr_lines[-1]}" "error: --wait-lock takes a whole number of seconds >= 1, not 'soon'"
  run -2 --separate-stderr ./scripts/restart-service.sh
  assert_equal "${stderr_lines[-1]}" 'error: name a service: usage: restart-service.sh SERVICE'
  run -2 --separate-stderr ./scripts/start-all.sh --dev --prod
  assert_equal "${stderr_lines[-1]}" 'error: choose one of --dev and --prod'
}
