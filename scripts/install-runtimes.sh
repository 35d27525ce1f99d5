#!/usr/bin/env bash
# Installs Deno and Bun from the npm registry into .runtimes/ (gitignored, outside the root
# package.json), for running the runtime-neutral tests on them, and Node 20.19, 22, 24 and 26
# (the `node` package, whose preinstall fetches the `node-<os>-<arch>` binary package) into
# .runtimes/nodes/, for the packaging test (test/package/run.ts): a package of its own, so that
# no `node` lands in .runtimes/node_modules/.bin next to deno and bun. Idempotent: does nothing
# when every binary already runs (at its pinned version, for Node). Prints paths and versions.
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
# 20.19.0: the oldest Node package.json `engines` admits (the first 20 with require(esm) on by
# default); then the latest of each maintained line besides the machine's own.
NODE_VERSIONS=("${NODE20_VERSION:-20.19.0}" "${NODE22_VERSION:-22.23.3}" "${NODE24_VERSION:-24.21.0}" "${NODE26_VERSION:-26.10.0}")
nodes="$dir/nodes"

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

# Node: one alias per line, node22@npm:node@22.x.y, so both install side by side.
node_bin() { echo "$nodes/node_modules/node${1%%.*}/bin/node"; }
node_ok() { [ -x "$(node_bin "$1")" ] && [ "$("$(node_bin "$1")" --version 2>/dev/null)" = "v$1" ]; }
wanted=()
for version in "${NODE_VERSIONS[@]}"; do
  node_ok "$version" || wanted+=("node${version%%.*}@npm:node@$version")
done
if [ "${#wanted[@]}" -gt 0 ]; then
  mkdir -p "$nodes"
  [ -f "$nodes/package.json" ] || printf '{ "name": "respkit-nodes", "private": true }\n' > "$nodes/package.json"
  echo "installing ${wanted[*]} into .runtimes/nodes/ (npm)"
  (cd "$nodes" && npm install --no-audit --no-fund --save-exact --loglevel=error "${wanted[@]}")
  # Repair step for an npm that skipped the preinstall that fetches the binary.
  for version in "${NODE_VERSIONS[@]}"; do
    node_ok "$version" || (cd "$nodes/node_modules/node${version%%.*}" && node installArchSpecificPackage) || true
  done
fi

status=0
for version in "${NODE_VERSIONS[@]}"; do
  if node_ok "$version"; then
    echo "node $version: $(node_bin "$version")"
  else
    echo "node $version: not working after install; see $nodes/node_modules/node${version%%.*}" >&2
    status=1
  fi
done
for tool in deno bun; do
  if runs "$bin/$tool"; then
    echo "$tool: $bin/$tool ($("$bin/$tool" --version | head -n 1))"
  else
    echo "$tool: not working after install; see $dir/node_modules/$tool" >&2
    status=1
  fi
done
exit "$status"
