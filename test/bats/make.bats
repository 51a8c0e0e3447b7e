#!/usr/bin/env bats
# bats sets $stderr and $stderr_lines for `run --separate-stderr`.
# shellcheck disable=SC2154
# The Make and shell surface: help, required variables, usage errors and their exit codes.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
}

@test "make with no target prints help listing every operation with its variables" {
  run -0 make --no-print-directory
  assert_output --partial 'Usage: make <target>'
  for target in start stop restart logs health backup restore backup-verify deploy rollback discover report bench test engine images; do
    assert_output --regexp "  ${target} +[A-Z]"
  done
  assert_output --partial 'service=NAME'
}

@test "help output has no colour codes when stdout is not a terminal" {
  run -0 make --no-print-directory help
  refute_output --partial $'\033['
}

@test "make restart without service= fails early with one line and exit 2" {
  run -2 --separate-stderr make --no-print-directory restart
  assert_equal "${stderr_lines[0]}" 'error: name a service: make restart service=NAME'
}

@test "every scripts/*.sh entry point is executable, strict and names a .ts that exists" {
  for file in scripts/*.sh; do
    [ -x "$file" ] || fail "$file is not executable"
    grep -q '^set -euo pipefail$' "$file" || fail "$file lacks set -euo pipefail"
    # run.sh's rule: a name is scripts/<name>.ts, a path (bench/main) is that file from the kit's root.
    name="$(sed -n 's|.*lib/run.sh" \([a-z/-]*\) .*|\1|p' "$file")"
    [ -n "$name" ] || fail "$file does not run its command through scripts/lib/run.sh"
    entry="scripts/${name}.ts"
    [[ "$name" == */* ]] && entry="${name}.ts"
    [ -f "$entry" ] || fail "$file runs ${entry}, which does not exist"
  done
}

@test "unknown options are refused with usage and exit 2" {
  run -2 --separate-stderr ./scripts/health-check.sh --bogus
  assert_output ''
  [ "$stderr" = "error: unknown option --bogus: usage: health-check.sh [--json]" ]
  run -2 --separate-stderr ./scripts/start-all.sh --dev --prod
  [[ "$stderr" == "error: choose one of --dev and --prod" ]]
  run -2 --separate-stderr ./scripts/start-all.sh --timeout soon
  [[ "$stderr" == "error: --timeout must be a whole number of seconds, not 'soon'" ]]
}

@test "an .env without a required variable is refused, naming the variable" {
  env_file="$(_test_env_file)"
  sed -i '/^POSTGRES_PASSWORD=/d' "$env_file"
  GALAXY_ENV_FILE="$env_file" run -2 --separate-stderr ./scripts/health-check.sh
  assert_equal "$stderr" 'error: .env is missing required variable POSTGRES_PASSWORD: add it (see .env.example)'
}

@test "an .env with an invalid port or image source is refused with what to use" {
  env_file="$(_test_env_file)"
  sed -i 's/^BACKEND_PORT=.*/BACKEND_PORT=http/; s/^IMAGE_SOURCE=.*/IMAGE_SOURCE=hub/' "$env_file"
  GALAXY_ENV_FILE="$env_file" run -2 --separate-stderr ./scripts/health-check.sh
  [[ "$stderr" == *"invalid port BACKEND_PORT=http: use a number from 1 to 65535"* ]]
  [[ "$stderr" == *"IMAGE_SOURCE=hub: use one of auto, registry, offline"* ]]
}

@test "a missing .env for a command that needs a started stack says to run make start" {
  GALAXY_ENV_FILE="${BATS_TEST_TMPDIR}/none.env" run -2 --separate-stderr ./scripts/health-check.sh
  [[ "$stderr" == *"none.env does not exist: run 'make start' once to create it"* ]]
}

@test "without a Docker engine, health-check says so in one line and exits 1" {
  env_file="$(_test_env_file)"
  # A PATH whose docker always fails stands in for a machine with no engine.
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/bin/docker"
  chmod +x "$BATS_TEST_TMPDIR/bin/docker"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" GALAXY_ENV_FILE="$env_file" run -1 --separate-stderr ./scripts/health-check.sh
  assert_equal "$stderr" "error: no Docker engine answers: run 'make start' (it installs and starts one) or start dockerd"
}

# Idempotence is judged by what it did, not by how long it took (a busy machine is slow, not wrong).
@test "engine bootstrap is idempotent when an engine answers: it neither installs nor starts anything" {
  docker info >/dev/null 2>&1 || skip "no Docker engine on this machine"
  run -0 ./scripts/engine.sh
  assert_output --regexp '^engine: Docker [0-9]+\.[0-9.]+.*, Compose .*, ready$'
  refute_output --partial 'installing'
  refute_output --partial 'started dockerd'
}

@test "make rebalance outside swarm mode is refused with one line and exit 2" {
  # A throwaway system whose last start (none) was in compose mode; the running stack is not asked.
  export GALAXY_ROOT="${BATS_TEST_TMPDIR}/system"
  mkdir -p "$GALAXY_ROOT"
  printf 'services: {}\n' >"${GALAXY_ROOT}/docker-compose.yml"
  printf 'COMPOSE_PROJECT_NAME=galaxy-bats-%s\n' "$BATS_ROOT_PID" >"${GALAXY_ROOT}/.env"
  run -2 --separate-stderr make --no-print-directory rebalance
  assert_equal "${stderr_lines[0]}" 'error: make rebalance works in swarm mode (make start ARGS=--swarm): in compose mode every service runs on this one machine'
  run -2 --separate-stderr make --no-print-directory rebalance ARGS='--timeout soon'
  assert_equal "${stderr_lines[0]}" "error: --timeout must be a whole number of seconds, not 'soon'"
}
