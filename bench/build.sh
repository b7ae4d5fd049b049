#!/usr/bin/env bash
# Builds what `make bench` measures besides the package (`make pack` builds that):
#   target/crossing-bench/          the client with the `crossing-bench` exports (phases of pass one)
#   target/bench-variants/o3, os/   the client (entry api.js: the face over the glue) with the rest of the crate at opt-level 3 / "s"
#                                   (wasm-opt -O3 / -Os; the core crate has its own profile
#                                   entry), to weigh speed against size; BENCH_VARIANTS=0 skips them
# Each build has its own cargo target dir (under CARGO_TARGET_DIR when it is set), so that
# none of them rebuilds another's (or the package's) artifacts. The shipped build: opt-level "z", wasm-opt -Oz.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf '[bench] %s\n' "$*" >&2; }
CARGO_BASE=${CARGO_TARGET_DIR:-$ROOT/target}

say "crossing-bench build (opt-level z, wasm-opt -Oz)"
CARGO_TARGET_DIR="$CARGO_BASE/bench-crossing" wasm-pack --quiet build --target nodejs --release --mode no-install \
  --out-dir "$ROOT/target/crossing-bench" --no-pack -- --features crossing-bench

if [ "${BENCH_VARIANTS:-1}" != 0 ]; then
  for level in 3 s; do
    out="$ROOT/target/bench-variants/o$level"
    say "variant: opt-level $level, wasm-opt -O$level"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$level CARGO_TARGET_DIR="$CARGO_BASE/bench-o$level" \
      wasm-pack --quiet build --target nodejs --release --mode no-install --no-opt --out-dir "$out" --no-pack
    # The features wasm-pack's own wasm-opt run enables for rustc's wasm output.
    wasm-opt "-O$level" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals "$out/genomcore_events_wasm_bg.wasm" -o "$out/genomcore_events_wasm_bg.wasm"
    # The package's face (CommonJS) over the variant's glue: `api.js` is its entry.
    node scripts/build-face.mjs --format cjs --glue "$out" --out "$out"
  done
fi
