# Shared setup for every .bats file: assertion libraries, project root, scripts on PATH.
# shellcheck shell=bash

_common_setup() {
  PROJECT_ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)"
  export PROJECT_ROOT
  load "${PROJECT_ROOT}/node_modules/bats-support/load"
  load "${PROJECT_ROOT}/node_modules/bats-assert/load"
  PATH="${PROJECT_ROOT}/scripts:${PATH}"
}

# A private .env for one test: generated from .env.example with throwaway secrets and a unique
# project name, so nothing here touches a real stack.
_test_env_file() {
  local file="${BATS_TEST_TMPDIR}/.env"
  sed -e 's/^\(POSTGRES_PASSWORD\|REDIS_PASSWORD\|GRAFANA_ADMIN_PASSWORD\)=$/\1=test-secret/' \
      -e "s/^COMPOSE_PROJECT_NAME=.*/COMPOSE_PROJECT_NAME=galaxy-bats-${BATS_ROOT_PID}/" \
      "${PROJECT_ROOT}/.env.example" >"$file"
  echo "$file"
}
