#!/usr/bin/env bash
# The wasm's size profile (`make size-profile`): the release build of `make pack`
# (cargo, wasm-bindgen, wasm-opt with Cargo.toml's wasm-pack flags) but keeping the
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
# The flags wasm-pack passes: [package.metadata.wasm-pack.profile.release] wasm-opt.
FLAGS=$(awk '/^\[package.metadata.wasm-pack.profile.release\]/{on=1; next} /^\[/{on=0} on && /^wasm-opt *=/' Cargo.toml \
  | sed 's/^wasm-opt *= *\[//; s/\].*//; s/[",]/ /g')
# shellcheck disable=SC2086 # FLAGS is a list of flags
wasm-opt $FLAGS -g "$OUT/genomcore_events_wasm_bg.wasm" -o "$OUT/named.wasm"
# The short import and export names `make pack` gives (scripts/short-wasm-names.mjs),
# here on a copy of the glue: the profile then counts the sections as shipped.
cp "$OUT/genomcore_events_wasm.js" "$OUT/glue-copy.js"
node scripts/short-wasm-names.mjs "$OUT/named.wasm" "$OUT/glue-copy.js" >&2
node scripts/size-profile.mjs "$OUT/named.wasm" "$@"
