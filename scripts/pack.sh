#!/usr/bin/env bash
# Builds the npm package genomcore-events-wasm:
#   dist/package/                          the unpacked package, exactly what npm packs
#   genomcore-events-wasm-<version>.tgz    at the repo root, made by `npm pack`
#
# One wasm build (wasm-pack --target web --no-opt, then scripts/optimize-wasm.sh: the
# function table's dead entries pruned, the panic entry points made to trap at once,
# `wasm-opt -Oz` from node_modules/.bin, the data only the dropped code used zeroed), one
# `.wasm` in the package: the Node glue comes from `wasm-bindgen --target nodejs` on the
# same cargo output and loads web/'s `.wasm`.
# Over each glue, the TypeScript face (pkg-template/src/, scripts/build-face.mjs):
# ES modules in web/, CommonJS in node/, with the declarations tsc generates.
# The version has one source: `[package] version` in Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
NAME=genomcore-events-wasm
STEM=genomcore_events_wasm          # wasm-bindgen's file names
BUILD=$ROOT/dist/build
PKG=$ROOT/dist/package

say() { printf '[pack] %s\n' "$*"; }
die() { printf '[pack] error: %s\n' "$*" >&2; exit 1; }

command -v wasm-opt >/dev/null || die "wasm-opt is missing: run 'make setup' (npm binaryen)"
[ "$(wasm-pack --version)" = "wasm-pack 0.15.1" ] || die "wasm-pack 0.15.1 is needed: run 'make setup'"

# The version: the first `version = "…"` of the [package] table.
VERSION=$(awk '/^\[/{inpkg = ($0 == "[package]")} inpkg && /^version *=/{gsub(/.*= *"|".*/, ""); print; exit}' Cargo.toml)
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "no usable [package] version in Cargo.toml: '$VERSION'"
grep -q "^## \[$VERSION\]" pkg-template/CHANGELOG.md \
  || die "pkg-template/CHANGELOG.md has no '## [$VERSION]' section: describe the release first"
say "version $VERSION (Cargo.toml)"

rm -rf "$BUILD" "$PKG"
mkdir -p "$BUILD" "$PKG/web" "$PKG/node"

# 1. The wasm and its browser/bundler glue (cargo build --release, wasm-bindgen; the
#    optimisation is step 2b's).
say "wasm-pack build --target web --no-opt"
wasm-pack --quiet build --mode no-install --release --target web --no-opt --no-pack --no-gitignore \
  --out-dir "$BUILD/web" --out-name "$STEM" .
[ -f "$BUILD/web/${STEM}_bg.wasm" ] || die "wasm-pack did not produce $BUILD/web/${STEM}_bg.wasm"

# 2. The Node glue, from the same cargo output. The web glue is generated again beside
#    it to prove that wasm-pack ran wasm-bindgen the same way, and the two targets'
#    wasm are compared: then web/'s optimised `.wasm` serves the Node glue too.
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
CARGO_WASM=$TARGET_DIR/wasm32-unknown-unknown/release/$STEM.wasm
[ -f "$CARGO_WASM" ] || die "cargo output not found: $CARGO_WASM"
wasm-bindgen --target nodejs --out-dir "$BUILD/node" --out-name "$STEM" "$CARGO_WASM"
wasm-bindgen --target web --out-dir "$BUILD/check" --out-name "$STEM" "$CARGO_WASM"
cmp -s "$BUILD/check/$STEM.js" "$BUILD/web/$STEM.js" \
  || die "wasm-pack's web glue differs from 'wasm-bindgen --target web' on $CARGO_WASM"
cmp -s "$BUILD/check/${STEM}_bg.wasm" "$BUILD/node/${STEM}_bg.wasm" \
  || die "wasm-bindgen gave the web and nodejs targets different wasm: one .wasm cannot serve both"
# 2b. The optimisation wasm-pack would run, after the function table's dead entries are
#     pruned (scripts/prune-wasm-table.mjs: ~1.3 KB of the gzipped wasm, docs/size.md
#     step 50) and Rust's panic entry points made to trap at once (scripts/trap-panics.mjs,
#     step 63: 0.4 KB): wasm-opt with Cargo.toml's [package.metadata.wasm-pack.profile.release]
#     flags, then the data only the dropped code used zeroed (scripts/zero-dead-data.mjs:
#     ~0.75 KB with step 63's).
scripts/optimize-wasm.sh "$BUILD/web/${STEM}_bg.wasm" "$BUILD/web/${STEM}_bg.wasm"
# 2c. Short names for the wasm's imports and the exports the glue calls, in the `.wasm`
#     and in both glues (wasm-bindgen's names carry hashes that do not compress: ~2 KB
#     of the gzipped wasm, docs/size.md step 30).
node scripts/short-wasm-names.mjs "$BUILD/web/${STEM}_bg.wasm" "$BUILD/web/$STEM.js" "$BUILD/node/$STEM.js"

# 3. The TypeScript face over each glue (tsc; types.js is empty: only its .d.ts ships).
say "tsc: the face, as ES modules (web/) and as CommonJS (node/)"
node scripts/build-face.mjs --format esm --glue "$BUILD/web" --out "$PKG/web"
node scripts/build-face.mjs --format cjs --glue "$BUILD/node" --out "$PKG/node"
rm "$PKG/web/types.js" "$PKG/node/types.js"

# 4. Assemble dist/package from pkg-template/ and the generated code.
say "assembling dist/package"
cp pkg-template/README.md pkg-template/CHANGELOG.md pkg-template/LICENSE "$PKG/"
for f in index inline workerd; do cp "pkg-template/web/$f.js" "$PKG/web/"; done
cp "$BUILD/web/$STEM.js" "$BUILD/web/${STEM}_bg.wasm" "$PKG/web/"
cp pkg-template/node/index.cjs pkg-template/node/index.mjs pkg-template/node/index.d.mts "$PKG/node/"
# The command line (package.json "bin"): bin/ and the modules it imports.
mkdir -p "$PKG/bin" "$PKG/cli"
cp pkg-template/bin/genomcore-events.mjs "$PKG/bin/"
cp pkg-template/cli/*.mjs "$PKG/cli/"
VERSION=$VERSION STEM=$STEM BUILD=$BUILD PKG=$PKG node scripts/pack-assemble.mjs

# 5. Sizes: what a browser downloads (web/) and what Node loads (node/ + the .wasm).
gz() { gzip -9c "$@" | wc -c; }
row() { printf '[pack]   %-44s %9s B raw %8s B gzip\n' "$1" "$2" "$3"; }
say "sizes:"
WASM=$PKG/web/${STEM}_bg.wasm
row "web/${STEM}_bg.wasm" "$(wc -c <"$WASM")" "$(gz "$WASM")"
WEB_JS=("$PKG/web/index.js" "$PKG/web/load.js" "$PKG/web/api.js" "$PKG/web/client.js" "$PKG/web/errors.js" "$PKG/web/$STEM.js")
NODE_JS=("$PKG/node/index.cjs" "$PKG/node/index.mjs" "$PKG/node/api.js" "$PKG/node/client.js" "$PKG/node/errors.js" "$PKG/node/$STEM.js")
for f in "${WEB_JS[@]}" "${NODE_JS[@]}"; do row "${f#"$PKG"/}" "$(wc -c <"$f")" "$(gz "$f")"; done
row "JS for browsers (web/*.js)" "$(cat "${WEB_JS[@]}" | wc -c)" "$(cat "${WEB_JS[@]}" | gzip -9c | wc -c)"
B64=$PKG/web/${STEM}_bg.wasm.base64.js
row "web/…_bg.wasm.base64.js (for /inline)" "$(wc -c <"$B64")" "$(gz "$B64")"
row "JS for Node (node/*)" "$(cat "${NODE_JS[@]}" | wc -c)" "$(cat "${NODE_JS[@]}" | gzip -9c | wc -c)"
CLI_JS=("$PKG"/bin/*.mjs "$PKG"/cli/*.mjs)
row "the command line (bin/, cli/)" "$(cat "${CLI_JS[@]}" | wc -c)" "$(cat "${CLI_JS[@]}" | gzip -9c | wc -c)"
JS_BUDGET=$((10 * 1024))
WEB_JS_GZ=$(cat "${WEB_JS[@]}" | gzip -9c | wc -c)
if [ "$WEB_JS_GZ" -le "$JS_BUDGET" ]; then
  say "JS budget: $WEB_JS_GZ of $JS_BUDGET B gzipped (10 KiB, web/*.js): within"
else
  say "JS budget: $WEB_JS_GZ of $JS_BUDGET B gzipped (10 KiB, web/*.js): OVER by $((WEB_JS_GZ - JS_BUDGET)) B"
fi
BUDGET=$((50 * 1024)) # issue 11: the .wasm at most 50 KB gzipped
WASM_GZ=$(gz "$WASM")
if [ "$WASM_GZ" -le "$BUDGET" ]; then
  say "wasm budget: $WASM_GZ of $BUDGET B gzipped (50 KiB): within"
else
  say "wasm budget: $WASM_GZ of $BUDGET B gzipped (50 KiB): OVER by $((WASM_GZ - BUDGET)) B"
fi

# 6. npm pack, at the repo root.
rm -f "$ROOT/$NAME"-*.tgz
npm pack "$PKG" --pack-destination "$ROOT" --json --loglevel=error >"$BUILD/npm-pack.json"
TGZ=$ROOT/$NAME-$VERSION.tgz
[ -f "$TGZ" ] || die "npm pack did not produce $TGZ"
node -e '
  const [r] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const f of r.files) console.log("[pack]   " + String(f.size).padStart(9) + " B  " + f.path);
  console.log(`[pack] ${r.filename}: ${r.entryCount} files, ${r.size} B packed, ${r.unpackedSize} B unpacked`);
' "$BUILD/npm-pack.json"
say "done: ${TGZ#"$ROOT"/} (unpacked in dist/package/)"
