#!/usr/bin/env bats
# bats sets $stderr for `run --separate-stderr`.
# shellcheck disable=SC2154
# make audit's surface: help and usage errors, which need no engine and no running stack.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
}

@test "audit.sh --help prints the usage, the checks and the examples on stdout and exits 0" {
  run -0 --separate-stderr ./scripts/audit.sh --help
  assert_output --partial 'usage: audit.sh [--json]'
  assert_output --partial 'Exit 1 on any high finding.'
  assert_output --partial 'make audit'
  [ -z "$stderr" ]
}

@test "audit.sh with an unknown option is refused with the usage and exit 2" {
  run -2 --separate-stderr ./scripts/audit.sh --bogus
  assert_output ''
  [ "$stderr" = "error: unknown option --bogus: usage: audit.sh [--json]" ]
}

@test "make help lists audit" {
  run -0 make --no-print-directory help
  assert_output --regexp '  audit +Check the running stack'
}
