#!/usr/bin/env bats
# The shell surface of discovery: ./scripts/discover.sh [--json] [--probe] [--out DIR] PATH
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  FIXTURE="${BATS_TEST_TMPDIR}/src"
  OUT="${BATS_TEST_TMPDIR}/out"
  mkdir -p "${FIXTURE}/api" "${FIXTURE}/worker"
  printf '%s\n' "const PORT = process.env.PORT || 3000;" \
    "require('http').createServer((q, s) => s.end(q.url === '/health' ? 'ok' : '')).listen(PORT);" >"${FIXTURE}/api/server.js"
  printf '%s\n' 'import os' 'from http.server import HTTPServer, BaseHTTPRequestHandler' \
    'API = os.environ.get("API_URL", "http://127.0.0.1:3000")' \
    'HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "5556"))), BaseHTTPRequestHandler).serve_forever()' >"${FIXTURE}/worker/main.py"
}

@test "discover.sh --json prints a valid inventory and exits 0" {
  run --separate-stderr "${PROJECT_ROOT}/scripts/discover.sh" --json --out "$OUT" "$FIXTURE"
  assert_success
  run jq_free_check "$output"
  assert_success
  assert_output 'api:3000:env:PORT worker:5556:env:PORT worker->api:3000'
  [ -f "${OUT}/01_SERVICE_DISCOVERY_ANALYSIS.md" ]
  [ -f "${OUT}/01_SERVICE_DISCOVERY_ANALYSIS.json" ]
}

@test "discover.sh without --json prints a summary and the report paths" {
  run --separate-stderr "${PROJECT_ROOT}/scripts/discover.sh" --out "$OUT" "$FIXTURE"
  assert_success
  assert_line --index 0 --regexp '^discover: 2 services \(2 listening, .*, 1 dependencies, 1 problems in [0-9]+ ms$'
  assert_line --index 1 --partial '01_SERVICE_DISCOVERY_ANALYSIS.md'
}

# shellcheck disable=SC2154 # stderr and stderr_lines are set by bats' run --separate-stderr
@test "a path that does not exist exits 2 with one line" {
  run -2 --separate-stderr "${PROJECT_ROOT}/scripts/discover.sh" --json "${BATS_TEST_TMPDIR}/missing"
  assert_output ''
  [ "$stderr" = "error: path does not exist: ${BATS_TEST_TMPDIR}/missing" ]
  [ "${#stderr_lines[@]}" -eq 1 ]
}

# shellcheck disable=SC2154 # stderr is set by bats' run --separate-stderr
@test "an unknown flag exits 2 with one line" {
  run -2 --separate-stderr "${PROJECT_ROOT}/scripts/discover.sh" --frobnicate "$FIXTURE"
  [ "$stderr" = "error: unknown option --frobnicate: usage: discover.sh [PATH] [--json] [--probe] [--out DIR]" ]
}

# shellcheck disable=SC2154 # stderr is set by bats' run --separate-stderr
@test "a reader that closes the pipe early is not an error (no stack trace)" {
  # `true` exits without reading, so every write of discover meets a closed pipe.
  # shellcheck disable=SC2016 # $0..$2 belong to the inner bash, not this one
  run --separate-stderr bash -c 'set -o pipefail; "$0" --json --out "$1" "$2" | true' \
    "${PROJECT_ROOT}/scripts/discover.sh" "$OUT" "$FIXTURE"
  assert_success
  [ "$stderr" = "" ]
}

# Parses the JSON with node (no jq needed) and prints "name:port:source:env" per service and
# "from->to:port" per internal dependency, so the assertion above is exact.
jq_free_check() {
  # shellcheck disable=SC2016 # the template literals are JavaScript, not shell
  node -e '
    const inv = JSON.parse(process.argv[1]);
    const s = inv.services.map((x) => x.ports.map((p) => `${x.name}:${p.port}:${p.source}:${p.env}`).join(" "));
    const d = inv.dependencies.filter((x) => x.kind === "internal").map((x) => `${x.from}->${x.resolved}:${x.port}`);
    console.log([...s, ...d].join(" "));
  ' "$1"
}

@test "--help prints the usage and examples on stdout and exits 0" {
  run --separate-stderr "${PROJECT_ROOT}/scripts/discover.sh" --help
  assert_success
  assert_line --index 0 'usage: discover.sh [PATH] [--json] [--probe] [--out DIR]'
  assert_line 'examples:'
}
