#!/usr/bin/env bash
# Installs Deno and Bun from the npm registry into .runtimes/ (gitignored, outside the root
# package.json), for running the runtime-neutral tests on them. Idempotent: does nothing when
# both binaries already run. Prints the paths and versions.
#
# npm 11 may skip the packages' postinstall scripts (which put the binary in place); the
# binaries usually work anyway, since npm installs the platform package too. If one does not,
# we run its postinstall by hand, then fall back to the platform package's binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.runtimes"
bin="$dir/node_modules/.bin"
DENO_VERSION="${DENO_VERSION:-2.9.6}"
BUN_VERSION="${BUN_VERSION:-1.4.5}"

runs() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if ! runs "$bin/deno" || ! runs "$bin/bun"; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{ "name": "respkit-runtimes", "private": true }\n' > "$dir/package.json"
  echo "installing deno@$DENO_VERSION and bun@$BUN_VERSION into .runtimes/ (npm)"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" "bun@$BUN_VERSION")
fi

# Repair step for an npm that skipped postinstall.
if ! runs "$bin/deno"; then
  (cd "$dir/node_modules/deno" && node ./install.cjs) || true
  for candidate in "$dir"/node_modules/@deno/*/deno; do
    runs "$bin/deno" && break
    [ -x "$candidate" ] && ln -sf "$candidate" "$bin/deno"
  done
fi
if ! runs "$bin/bun"; then
  (cd "$dir/node_modules/bun" && node ./install.js) || true
  for candidate in "$dir"/node_modules/@oven/*/bin/bun; do
    runs "$bin/bun" && break
    [ -x "$candidate" ] && ln -sf "$candidate" "$bin/bun"
  done
fi

status=0
for tool in deno bun; do
  if runs "$bin/$tool"; then
    echo "$tool: $bin/$tool ($("$bin/$tool" --version | head -n 1))"
  else
    echo "$tool: not working after install; see $dir/node_modules/$tool" >&2
    status=1
  fi
done
exit "$status"
