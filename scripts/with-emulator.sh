#!/usr/bin/env bash
# Runs a command against a fresh emulator process:
#   scripts/with-emulator.sh [emulator flags …] -- command [args …]
# The emulator listens on a free loopback port; the command sees its origin as
# EVENTS_EMULATOR_URL (e.g. http://127.0.0.1:41234). The emulator stops afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
EMULATOR=${EMULATOR:-target/debug/events-emulator}
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [emulator flags] -- command" >&2; exit 2; }

out=$(mktemp)
"$EMULATOR" --addr 127.0.0.1:0 --db :memory: --test-hooks "${flags[@]}" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 300); do  # up to 30 s, a safety cap on a loaded machine
  url=$(sed -n '1s/^listening on //p' "$out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; exit 1; }
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "emulator did not start" >&2; cat "$out" >&2; exit 1; }
export EVENTS_EMULATOR_URL="$url"
"$@"
