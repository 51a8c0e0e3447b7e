#!/usr/bin/env bats
# bats sets $stderr for `run --separate-stderr`.
# shellcheck disable=SC2154
# make's variables (service=, from=, SRC=, ARGS=) reach the scripts as text, never as shell code:
# each attempt below would create a file in $BATS_TEST_TMPDIR if make pasted the value into a
# recipe line; instead the value is refused (or taken literally) with one line and exit 2.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
  # Its own folder: bats keeps files of its own in $BATS_TEST_TMPDIR.
  WORK="${BATS_TEST_TMPDIR}/work"
  mkdir "$WORK"
  MARK="${WORK}/injected"
}

# The folder the injected commands would write to is still empty.
assert_nothing_created() {
  run ls -A "$WORK"
  assert_output ''
}

@test "SRC='\$(touch x)' is a path that does not exist, not a command" {
  run -2 --separate-stderr make --no-print-directory discover SRC="\$(touch ${MARK})\`touch ${MARK}2\`"
  assert_equal "${stderr_lines[0]}" "error: path does not exist: \$(touch ${MARK})\`touch ${MARK}2\`"
  assert_nothing_created
}

@test "service='a;b' is refused as a service name" {
  run -2 --separate-stderr make --no-print-directory restart service="a;touch ${MARK}"
  assert_equal "${stderr_lines[0]}" "error: service='a;touch ${MARK}' is not a service name: use letters, digits, '.', '_' and '-' (make help)"
  run -2 --separate-stderr make --no-print-directory deploy service="a\`touch ${MARK}\`"
  [[ "$stderr" == "error: service='a\`touch ${MARK}\`' is not a service name"* ]]
  assert_nothing_created
}

@test "from='../../etc' is refused as a backup set name" {
  run -2 --separate-stderr make --no-print-directory restore from='../../etc'
  [[ "$stderr" == "error: from='../../etc' is not a backup set name: name a set in the backup folder, without '/' or '..'"$'\n'* ]]
  run -2 --separate-stderr make --no-print-directory backup-verify from="x;touch ${MARK}"
  [[ "$stderr" == "error: from='x;touch ${MARK}' is not a backup set name"* ]]
  assert_nothing_created
}

@test "NODES='3;touch x' is refused as a number of nodes, NODES=1 as a cluster size" {
  run -2 --separate-stderr make --no-print-directory cluster NODES="3;touch ${MARK}"
  assert_equal "${stderr_lines[0]}" "error: NODES='3;touch ${MARK}' is not a number of nodes: give a whole number, e.g. make cluster NODES=3"
  run -2 --separate-stderr make --no-print-directory cluster NODES=1
  [[ "$stderr" == "error: NODES=1 is not a cluster size: give a whole number from 2 to 9 (this host counted), e.g. make cluster NODES=3"* ]]
  assert_nothing_created
}

@test "replicas='2;touch x' is refused as a number of replicas" {
  run -2 --separate-stderr make --no-print-directory scale service=api replicas="2;touch ${MARK}"
  assert_equal "${stderr_lines[0]}" "error: replicas='2;touch ${MARK}' is not a number of replicas: give a whole number, e.g. make scale service=api replicas=3"
  run -2 --separate-stderr make --no-print-directory scale service=api replicas=0
  [[ "$stderr" == "error: replicas=0 is not a number of replicas: give a whole number from 1 to 50"* ]]
  assert_nothing_created
}

@test "ARGS is split on whitespace, with no globbing or substitution" {
  run -2 --separate-stderr make --no-print-directory discover SRC=/nonexistent ARGS="--json;touch ${MARK} *"
  [[ "$stderr" == "error: unknown option --json;touch: usage: discover.sh"* ]]
  run -2 --separate-stderr make --no-print-directory discover SRC=/nonexistent ARGS='--json *'
  [[ "$stderr" == "error: one PATH at a time: usage: discover.sh"* ]]
  assert_nothing_created
}

@test "good values still arrive: flags from ARGS and the path from SRC" {
  src="${BATS_TEST_TMPDIR}/src with space"
  mkdir -p "${src}/api"
  printf '%s\n' "require('http').createServer(() => {}).listen(process.env.PORT || 3000);" >"${src}/api/server.js"
  run -0 --separate-stderr make --no-print-directory discover SRC="$src" ARGS="--json  --out ${BATS_TEST_TMPDIR}/out"
  assert_output --partial '"name": "api"'
  [ -f "${BATS_TEST_TMPDIR}/out/01_SERVICE_DISCOVERY_ANALYSIS.json" ]
}

@test "the refusals are explained in docs/TROUBLESHOOTING.md" {
  grep -q "is not a service name: use letters, digits, '.', '_' and '-' (make help)" docs/TROUBLESHOOTING.md
  grep -q "is not a backup set name: name a set in the backup folder, without '/' or '..'" docs/TROUBLESHOOTING.md
}
