#!/usr/bin/env bash
# The whole test run (`npm test`): type-check, every test on Node, the short fuzz pass, then
# the runtime-neutral tests on Deno and on Bun, then the packed package on every runtime
# (test/package/run.ts). Every step runs even when an earlier one fails, so one run shows
# everything; the exit status is non-zero if any step failed. The last line
# is `N passed, N failed`, counted over all runners (test/support/runtime.ts writes one line
# per test to $RESPKIT_TEST_RESULTS); a step that fails without a failing test (a type error,
# a crash, a file that does not load) counts as one failure.
#
# Runtime-neutral test files are those that take their test API from test/support/runtime.ts
# and do not say `@node-only` anywhere. Deno and Bun come from .runtimes/ (scripts/install-
# runtimes.sh installs them from npm when missing).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

results="$(mktemp "${TMPDIR:-/tmp}/respkit-results.XXXXXX")"
trap 'rm -f "$results"' EXIT
export RESPKIT_TEST_RESULTS="$results"
# Plain logs from every tool. NO_COLOR is the one switch all of Node, Deno, Bun and tsx honour;
# FORCE_COLOR must be unset, not 0: Deno reads any value of it, 0 included, as "force colour".
# npm's progress spinner (npx on a terminal) writes cursor codes.
unset FORCE_COLOR
export NO_COLOR=1 NODE_DISABLE_COLORS=1 npm_config_progress=false

mapfile -t all_tests < <(find test -name '*.test.ts' -type f | LC_ALL=C sort)
neutral_tests=()
for file in "${all_tests[@]}"; do
  if grep -q "support/runtime.ts" "$file" && ! grep -q "@node-only" "$file"; then neutral_tests+=("$file"); fi
done

extra_failures=0
extra_passes=0
failed_steps=()
timings=()

# step NAME COMMAND...: runs it, times it, and notes the outcome.
step() {
  local name="$1"
  shift
  local before_fail before_pass started elapsed status=0
  before_fail=$(grep -c '^fail ' "$results" || true)
  before_pass=$(grep -c '^pass ' "$results" || true)
  started=$(date +%s)
  echo
  echo "=== $name: $*"
  "$@" || status=$?
  elapsed=$(( $(date +%s) - started ))
  local fails=$(( $(grep -c '^fail ' "$results" || true) - before_fail ))
  local passes=$(( $(grep -c '^pass ' "$results" || true) - before_pass ))
  if [ "$status" -ne 0 ]; then
    failed_steps+=("$name")
    [ "$fails" -eq 0 ] && extra_failures=$(( extra_failures + 1 ))
    timings+=("$(printf '%-28s %4ss  FAILED (exit %s)' "$name" "$elapsed" "$status")")
  else
    # A step with no tests of its own (type-check, fuzz) counts as one passed check.
    [ "$passes" -eq 0 ] && extra_passes=$(( extra_passes + 1 ))
    timings+=("$(printf '%-28s %4ss  ok' "$name" "$elapsed")")
  fi
}

step "typecheck" npx tsc -p tsconfig.json --pretty false
step "typecheck (pure layers)" npx tsc -p tsconfig.pure.json --pretty false

if [ "${#all_tests[@]}" -gt 0 ]; then
  # Node 20 needs the file list spelled out (no globs in --test).
  step "node: all tests" npx tsx --test --test-reporter=spec "${all_tests[@]}"
fi

if [ -f fuzz/run.ts ]; then
  step "fuzz (short)" npx tsx fuzz/run.ts
fi

runtimes_bin="$root/.runtimes/node_modules/.bin"
if [ "${#neutral_tests[@]}" -gt 0 ]; then
  if [ ! -x "$runtimes_bin/deno" ] || [ ! -x "$runtimes_bin/bun" ]; then
    step "install deno and bun" bash scripts/install-runtimes.sh
  fi
  # Type errors are tsc's job above; here we test behaviour. No lockfile in the tree.
  step "deno: neutral tests" "$runtimes_bin/deno" test -A --no-check --no-lock "${neutral_tests[@]}"
  bun_paths=()
  for file in "${neutral_tests[@]}"; do bun_paths+=("./$file"); done
  step "bun: neutral tests" "$runtimes_bin/bun" test "${bun_paths[@]}"
fi

# The package as users get it: build, npm pack, install the tarball, then every subpath on plain
# Node 20.19 to 26 (import and require), tsc as a consumer, Deno (npm: and JSR) and Bun.
step "package: pack and use" npx tsx test/package/run.ts

passed=$(( $(grep -c '^pass ' "$results" || true) + extra_passes ))
failed=$(( $(grep -c '^fail ' "$results" || true) + extra_failures ))

echo
echo "=== summary"
printf '%s\n' "${timings[@]}"
if [ "$failed" -gt 0 ]; then
  echo "failing tests:"
  grep '^fail ' "$results" | sed 's/^fail /  /' || true
fi
if [ "${#failed_steps[@]}" -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "$passed passed, $failed failed"
[ "${#failed_steps[@]}" -eq 0 ]
