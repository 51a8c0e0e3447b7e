# shellcheck shell=bash
# Sourced by scripts/lib/run.sh: is the bundle folder (.build/, made by bundle.ts) older than the
# sources? One `find` that stops at the first newer file, so a current build costs a few ms.

# build_stale ROOT: prints why the build under ROOT/.build is out of date and returns 0; returns 1
# (printing nothing) when it is current. Sources: the TypeScript the bundles are made of (scripts/,
# bench/, test/harness/) and the settings that shape them; folders too, since a file removed or
# renamed changes its folder's time. bench/results/ is skipped: the bench writes there.
build_stale() {
  local root="$1" stamp="$1/.build/.stamp" newer
  if [[ ! -f "$stamp" ]]; then
    echo "no build yet"
    return 0
  fi
  newer="$(find "$root/scripts" "$root/bench" "$root/test/harness" "$root/tsconfig.json" "$root/package.json" \
    -path "$root/bench/results" -prune -o \( -type d -o -name '*.ts' -o -name '*.json' \) -newer "$stamp" -print -quit 2>/dev/null)"
  if [[ -n "$newer" ]]; then
    echo "${newer#"$root"/} changed"
    return 0
  fi
  return 1
}
