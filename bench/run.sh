#!/usr/bin/env bash
# Runs the comparison benchmarks: `npm run bench` from the repository root.
# The peers (redis-parser, node-redis, ioredis) live in bench/package.json only, so respkit
# itself keeps zero dependencies; they are installed here on first use.
#   BENCH_ROUND_MS, BENCH_ROUNDS, BENCH_WARMUP_MS   shorter or longer runs (default 1000, 3, 300)
#   BENCH_ONLY=resp|shape|transport|client|cluster   one part only (or as an argument: `bash bench/run.sh client`)
#   BENCH_RUNTIMES="node deno bun"                   where resp.ts, transport.ts and client.ts run (default: all found)
#   BENCH_CLIENT_ROUNDS, BENCH_CLIENT_SCALE          client.ts: rounds (default 3), operation counts x (default 1)
#   BENCH_CLUSTER_ROUNDS, BENCH_CLUSTER_SCALE        cluster.ts: the same
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -d bench/node_modules/redis-parser ] || [ ! -d bench/node_modules/@redis/client ] || [ ! -d bench/node_modules/ioredis ]; then
  echo "installing bench dependencies in bench/ ..." >&2
  (cd bench && npm ci --no-audit --no-fund)
fi

find_runtime() {
  local name="$1"
  [ -x "$root/.runtimes/node_modules/.bin/$name" ] || bash "$root/scripts/install-runtimes.sh" >&2 || true
  for candidate in "$root/.runtimes/node_modules/.bin/$name"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  command -v "$name" || true
}

only="${1:-${BENCH_ONLY:-}}"
runtimes="${BENCH_RUNTIMES:-node deno bun}"

# Runs a bench script on one runtime: node (through tsx, with the flags given after the script),
# deno or bun (from .runtimes/, skipped with a word when missing).
run_on() {
  local rt="$1" script="$2"
  shift 2
  case "$rt" in
    node) npx tsx "$@" "$script" ;;
    deno|bun)
      local bin
      bin="$(find_runtime "$rt")"
      if [ -z "$bin" ]; then echo "$rt not found, skipped" >&2; return; fi
      if [ "$rt" = deno ]; then "$bin" run -A "$script"; else "$bin" "$script"; fi ;;
    *) echo "unknown runtime $rt" >&2; exit 2 ;;
  esac
  echo
}

if [ -z "$only" ] || [ "$only" = resp ]; then
  # Decoders and encoders on each runtime, respkit as configured there by default. On Node,
  # --expose-gc and a 64 MiB young generation let common.ts measure allocation without a GC in
  # the window; Deno and Bun report no allocation.
  for rt in $runtimes; do run_on "$rt" bench/resp.ts --expose-gc --max-semi-space-size=64 --min-semi-space-size=64; done
fi

if [ -z "$only" ] || [ "$only" = shape ]; then
  # Why ByteStream pushes to a callback: the cost per chunk of each interface shape.
  npx tsx bench/stream-shape.ts
  echo
fi

if [ -z "$only" ] || [ "$only" = transport ]; then
  for rt in $runtimes; do run_on "$rt" bench/transport.ts; done
fi

if [ -z "$only" ] || [ "$only" = client ]; then
  # Clients against one redis-server (about 4 minutes on Node, 1 on Bun): respkit beside
  # ioredis, node-redis and redis-benchmark on Node; beside Bun's built-in RedisClient on Bun.
  for rt in $runtimes; do
    [ "$rt" = deno ] || run_on "$rt" bench/client.ts # no peer to compare with on Deno
  done
fi

if [ -z "$only" ] || [ "$only" = cluster ]; then
  # Cluster clients against one six-node cluster the script starts (about 3 minutes, Node only):
  # respkit's createCluster beside ioredis' Cluster and node-redis' createCluster.
  npx tsx bench/cluster.ts
  echo
fi
