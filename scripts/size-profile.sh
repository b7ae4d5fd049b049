#!/usr/bin/env bash
# The wasm's size profile (`make size-profile`): the release build of `make pack`
# (cargo, wasm-bindgen, scripts/optimize-wasm.sh: the table pruned, wasm-opt with
# Cargo.toml's wasm-pack flags) but keeping the
# function names, then scripts/size-profile.mjs: sections raw and gzipped, the largest
# functions, code bytes per crate. Measure with it before and after a size change.
#   scripts/size-profile.sh [--top N] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
OUT=$PWD/target/size-profile
mkdir -p "$OUT"
cargo build -q --release --target wasm32-unknown-unknown --lib >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
wasm-bindgen --target web --keep-debug --out-dir "$OUT" "$TARGET_DIR/wasm32-unknown-unknown/release/genomcore_events_wasm.wasm"
scripts/optimize-wasm.sh "$OUT/genomcore_events_wasm_bg.wasm" "$OUT/named.wasm" -g >&2
# The short import and export names `make pack` gives (scripts/short-wasm-names.mjs),
# here on a copy of the glue: the profile then counts the sections as shipped.
cp "$OUT/genomcore_events_wasm.js" "$OUT/glue-copy.js"
node scripts/short-wasm-names.mjs "$OUT/named.wasm" "$OUT/glue-copy.js" >&2
node scripts/size-profile.mjs "$OUT/named.wasm" "$@"
