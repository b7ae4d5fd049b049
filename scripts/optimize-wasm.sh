#!/usr/bin/env bash
# The wasm's optimisation, for `make pack` and `make size-profile`: the function table's
# dead entries pruned (scripts/prune-wasm-table.mjs, docs/size.md step 50), Rust's panic
# entry points made to trap at once (scripts/trap-panics.mjs, step 63), then
# wasm-opt with the flags of Cargo.toml's [package.metadata.wasm-pack.profile.release]
# (the ones wasm-pack would pass; `make pack` runs wasm-pack with --no-opt), then the
# data only the code wasm-opt dropped used zeroed (scripts/zero-dead-data.mjs).
#   scripts/optimize-wasm.sh <wasm-bindgen's .wasm> <out.wasm> [more wasm-opt flags, e.g. -g]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
[ $# -ge 2 ] || { echo "usage: scripts/optimize-wasm.sh <in.wasm> <out.wasm> [wasm-opt flags]" >&2; exit 2; }
IN=$1 OUT=$2
shift 2
FLAGS=$(awk '/^\[package.metadata.wasm-pack.profile.release\]/{on=1; next} /^\[/{on=0} on && /^wasm-opt *=/' Cargo.toml \
  | sed 's/^wasm-opt *= *\[//; s/\].*//; s/[",]/ /g')
[ -n "$FLAGS" ] || { echo "optimize-wasm: no wasm-opt flags in Cargo.toml" >&2; exit 1; }
PRUNED=$(mktemp "${TMPDIR:-/tmp}/pruned.XXXXXX.wasm")
trap 'rm -f "$PRUNED"' EXIT
node scripts/prune-wasm-table.mjs "$IN" "$PRUNED"
node scripts/trap-panics.mjs "$PRUNED" "$PRUNED"
# shellcheck disable=SC2086 # FLAGS is a list of flags
wasm-opt $FLAGS "$@" "$PRUNED" -o "$OUT"
node scripts/zero-dead-data.mjs "$OUT"
