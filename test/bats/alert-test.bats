#!/usr/bin/env bats
# bats sets $stderr for `run --separate-stderr`.
# shellcheck disable=SC2154
# make alert-test's surface: help and usage errors, which need no engine and no running stack.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
}

@test "alert-test.sh --help prints the usage and the examples on stdout and exits 0" {
  run -0 --separate-stderr ./scripts/alert-test.sh --help
  assert_output --partial 'usage: alert-test.sh [--timeout SECONDS]'
  assert_output --partial 'make alert-test'
  [ -z "$stderr" ]
}

@test "alert-test.sh with a bad --timeout is refused with one line and exit 2, before any engine call" {
  run -2 --separate-stderr ./scripts/alert-test.sh --timeout soon
  assert_output ''
  [ "$stderr" = "error: --timeout must be a whole number of seconds from 1 to 600, not 'soon'" ]
}

@test "make help lists alert-test" {
  run -0 make --no-print-directory help
  assert_output --regexp '  alert-test +Send a test alert'
}
