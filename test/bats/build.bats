#!/usr/bin/env bats
# bats sets $stderr for `run --separate-stderr`.
# shellcheck disable=SC2154
# The entry points run as bundles from .build/ (scripts/lib/run.sh, scripts/lib/build/): built when
# missing or stale, current after a run, and the sources still run on request.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
  # shellcheck source=scripts/lib/build/stale.sh
  source "$PROJECT_ROOT/scripts/lib/build/stale.sh"
}

@test "a command leaves a current build behind and runs its bundle" {
  run -0 --separate-stderr ./scripts/health-check.sh --help
  assert_output --partial 'usage: health-check.sh [--json]'
  assert_equal "$stderr" ''
  [ -f .build/scripts/health.mjs ] || fail 'no bundle for scripts/health.ts'
  [ -f .build/bench/main.mjs ] || fail 'no bundle for bench/main.ts'
  run -1 build_stale "$PROJECT_ROOT"
  assert_output ''
  # The bundle alone answers the same way: nothing in it needs tsx.
  run -0 node .build/scripts/health.mjs --help
  assert_output --partial 'usage: health-check.sh [--json]'
}

@test "GALAXY_FROM_SOURCE=1 runs the TypeScript and answers the same" {
  GALAXY_FROM_SOURCE=1 run -2 --separate-stderr ./scripts/health-check.sh --bogus
  assert_equal "$stderr" 'error: unknown option --bogus: usage: health-check.sh [--json]'
}
