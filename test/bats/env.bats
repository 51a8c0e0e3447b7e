#!/usr/bin/env bats
# bats sets $stderr and $stderr_lines for `run --separate-stderr`.
# shellcheck disable=SC2154
# A .env that compose would read differently from the scripts is refused before anything asks the
# engine: one line per problem naming the line and the variable, exit 2. Needs no engine: docker,
# dockerd and apt-get are stand-ins on PATH that only record being called.
bats_require_minimum_version 1.5.0

setup() {
  load '../test_helper/common-setup'
  _common_setup
  cd "$PROJECT_ROOT" || return 1
  project="galaxy-bats-env-${BATS_TEST_NUMBER}-$$"
  export GALAXY_ENV_FILE="${BATS_TEST_TMPDIR}/.env"
  sed -e 's/^\(POSTGRES_PASSWORD\|REDIS_PASSWORD\|GRAFANA_ADMIN_PASSWORD\)=$/\1=test-secret/' \
    -e "s/^COMPOSE_PROJECT_NAME=.*/COMPOSE_PROJECT_NAME=${project}/" \
    .env.example >"$GALAXY_ENV_FILE"
  ENGINE_CALLS="${BATS_TEST_TMPDIR}/engine-calls"
  stubs="${BATS_TEST_TMPDIR}/bin"
  mkdir -p "$stubs"
  for tool in docker dockerd apt-get; do
    printf '#!/usr/bin/env bash\necho "%s $*" >>"%s"\nexit 1\n' "$tool" "$ENGINE_CALLS" >"${stubs}/${tool}"
    chmod +x "${stubs}/${tool}"
  done
  PATH="${stubs}:${PATH}"
}

teardown() {
  rm -f "$PROJECT_ROOT/.run/${project}.lock"
}

# Replaces the value of one variable in the test's .env.
set_value() {
  local name="$1" value="$2"
  # shellcheck disable=SC2016 # a JavaScript program: its ${...} is JavaScript's, not the shell's
  NAME="$name" VALUE="$value" node -e '
    const fs = require("fs");
    const file = process.env.GALAXY_ENV_FILE;
    const lines = fs.readFileSync(file, "utf8").split("\n");
    fs.writeFileSync(file, lines.map((l) => (l.startsWith(process.env.NAME + "=") ? `${process.env.NAME}=${process.env.VALUE}` : l)).join("\n"));
  '
}

line_of() {
  grep -n "^$1=" "$GALAXY_ENV_FILE" | cut -d: -f1
}

assert_engine_untouched() {
  [ ! -e "$ENGINE_CALLS" ] || fail "the engine was asked: $(cat "$ENGINE_CALLS")"
}

@test "start refuses a '\$' in a password before the engine is installed, started or asked" {
  # shellcheck disable=SC2016 # the literal '$' is the point of the test
  set_value POSTGRES_PASSWORD 'abc$def123'
  run -2 --separate-stderr ./scripts/start-all.sh
  assert_equal "${stderr_lines[0]}" "error: .env line $(line_of POSTGRES_PASSWORD): POSTGRES_PASSWORD contains '\$', which compose reads as the start of a variable: put the value in single quotes ('...')"
  assert_engine_untouched
}

@test "health-check refuses '#', spaces and a URL-breaking password, each with its line" {
  set_value GEMINI_API_KEY 'p@ss/w#rd'
  set_value LOG_LEVEL ' info'
  set_value REDIS_PASSWORD 'p@ss/word'
  run -2 --separate-stderr ./scripts/health-check.sh
  assert_equal "${stderr_lines[1]}" ".env line $(line_of LOG_LEVEL): LOG_LEVEL has spaces around its value: remove them, or put the value in single quotes ('...') if they belong to it"
  assert_equal "${stderr_lines[0]}" "error: .env line $(line_of GEMINI_API_KEY): GEMINI_API_KEY contains '#', which starts a comment for some readers and not for others: put the value in single quotes ('...'), or move a comment to its own line"
  assert_equal "${stderr_lines[2]}" ".env has REDIS_PASSWORD with characters a URL cannot carry (compose puts it in a connection URL): use only letters, digits and - _ . ~"
  [[ "$stderr" != *'p@ss'* ]] || fail "a value was printed: $stderr"
  assert_engine_untouched
}

@test "stop refuses Windows line endings, naming the first line" {
  sed -i 's/$/\r/' "$GALAXY_ENV_FILE"
  run -2 --separate-stderr ./scripts/stop-all.sh
  assert_equal "${stderr_lines[0]}" "error: .env line 1 ends in CR LF (Windows line endings): convert the file to LF line endings (sed -i 's/\\r\$//' .env)"
  assert_engine_untouched
}

@test "single quotes make '\$' and '#' acceptable: the command gets past .env to the engine" {
  set_value GEMINI_API_KEY "'abc\$def#1'"
  run -1 --separate-stderr ./scripts/health-check.sh
  assert_equal "${stderr_lines[-1]}" "error: no Docker engine answers: run 'make start' (it installs and starts one) or start dockerd"
  [ -e "$ENGINE_CALLS" ]
}
