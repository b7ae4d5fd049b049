#!/usr/bin/env bash
# make test-package: installs the packed tarball into a fresh temporary project, as a
# user's `npm install` would, and runs tests/package/*.test.mjs against a fresh
# emulator that also serves that project at `/` (same origin as the API).
#   tests/package/run.sh [test files…]     (default: every tests/package/*.test.mjs)
# make test-runtimes runs tests/runtimes/*.test.mjs the same way; the project holds
# tests/package/app/ and tests/runtimes/app/ (the other runtimes' apps).
# KEEP_TMP=1 keeps the temporary project for inspection.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"

VERSION=$(awk '/^\[/{inpkg = ($0 == "[package]")} inpkg && /^version *=/{gsub(/.*= *"|".*/, ""); print; exit}' Cargo.toml)
TGZ=$ROOT/genomcore-events-wasm-$VERSION.tgz
[ -f "$TGZ" ] || { echo "test-package: $TGZ is missing: run 'make pack'" >&2; exit 1; }

APP=$(mktemp -d "${TMPDIR:-/tmp}/genomcore-events-wasm-package-XXXXXX")
if [ "${KEEP_TMP:-}" = 1 ]; then echo "test-package: keeping $APP"; else trap 'rm -rf "$APP"' EXIT; fi
cp -R tests/package/app/. tests/runtimes/app/. "$APP/"
echo "test-package: npm install ${TGZ#"$ROOT"/} into $APP"
(cd "$APP" && npm install --no-audit --no-fund --loglevel=error "$TGZ")

export PKG_TEST_APP=$APP PKG_TEST_ROOT=$ROOT PKG_TEST_TGZ=$TGZ PKG_TEST_VERSION=$VERSION
if [ $# -eq 0 ]; then set -- tests/package/*.test.mjs; fi
scripts/with-emulator.sh --static "$APP" -- node --test --test-reporter=spec "$@"
