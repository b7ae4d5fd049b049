#!/usr/bin/env bash
# The demo page, served by the emulator from one origin with the package.
#   scripts/demo.sh stage   copy www/ and the built package (dist/package/) into dist/demo/
#   scripts/demo.sh serve   stage, start the emulator on $DEMO_ADDR with --static dist/demo,
#                           sign in, print the URL; runs until Ctrl-C
# DEMO_PKG_DIR overrides the package folder (default dist/package, made by `make pack`).
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=${DEMO_PKG_DIR:-dist/package}
SITE=dist/demo
DB=${DEMO_DB:-dist/demo-events.sqlite}
ADDR=${DEMO_ADDR:-127.0.0.1:8787}
EMULATOR=${EMULATOR:-target/debug/events-emulator}

stage() {
  if [ ! -f "$PKG/web/index.js" ]; then
    echo "demo: $PKG/web/index.js is missing: build the package first (make pack)" >&2
    exit 1
  fi
  rm -rf "$SITE"
  mkdir -p "$SITE"
  cp -R www/. "$SITE/"
  cp -R "$PKG" "$SITE/pkg"
}

serve() {
  stage
  [ -x "$EMULATOR" ] || { echo "demo: no emulator at $EMULATOR (make emulator)" >&2; exit 1; }
  mkdir -p "$(dirname "$DB")"
  out=$(mktemp)
  # Its stdout (URL, token) is read below; its stderr stays on the terminal.
  "$EMULATOR" --addr "$ADDR" --db "$DB" --static "$SITE" >"$out" &
  pid=$!
  # A background job ignores Ctrl-C in a script: pass it on as SIGTERM (the emulator stops cleanly).
  trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
  trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
  url=
  for _ in $(seq 1 100); do
    url=$(sed -n '1s/^listening on //p' "$out")
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: the emulator did not start on $ADDR; another port: make demo DEMO_ADDR=127.0.0.1:8788" >&2
      exit 1
    fi
    sleep 0.1
  done
  [ -n "$url" ] || { echo "demo: the emulator did not start" >&2; cat "$out" >&2; exit 1; }
  # Sign in as the page does, to check the API end to end before printing the URL.
  token=$(DEMO_URL=$url node -e '
    fetch(process.env.DEMO_URL + "/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "demo", password: "demo", organizationId: "demo-org" }),
    }).then(async (r) => {
      if (!r.ok) throw new Error("login answered " + r.status);
      const page = await fetch(process.env.DEMO_URL + "/");
      if (!page.ok) throw new Error("the page answered " + page.status);
      console.log((await r.json()).token);
    }).catch((e) => { console.error("demo: " + e.message); process.exit(1); });
  ') || { echo "demo: the emulator answers, but signing in or loading the page failed" >&2; exit 1; }
  page=$url/
  case "$ADDR" in 0.0.0.0:*|\[::\]:*) page="http://127.0.0.1:${ADDR##*:}/" ;; esac
  bold=; plain=
  if [ -t 1 ]; then bold=$'\e[1m'; plain=$'\e[0m'; fi
  cat <<MSG

  genomcore-events-wasm demo
  ──────────────────────────
  Open   ${bold}${page}${plain}   in a browser
  API    ${url}/api/v1   (docs: ${url}/api/docs)
  Data   $DB
  The page signs in to the emulator by itself. A token for curl (valid 1 hour):
    export TOKEN=$token
  Ctrl-C stops the demo.

MSG
  wait "$pid" || true
}

case "${1:-serve}" in
  stage) stage ;;
  serve) serve ;;
  *) echo "usage: $0 [stage|serve]" >&2; exit 2 ;;
esac
