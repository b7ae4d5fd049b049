#!/usr/bin/env bash
# A clone must stand alone: nothing tracked may point outside the repository to the
# steering folder beside the clone, `shared/` (the contract lives in docs/events-api.md). Also says,
# without failing, when a newer contract has arrived there and docs/ is behind it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The pattern is spelled in pieces so that this file does not match itself.
outside='\.\.''/shared|shared''/(events-api|toolchain|architecture)\.md'
if hits=$(git grep -n -I -E "$outside" -- . ':!*.lock'); then
  echo "check-self-contained: these tracked lines point outside the repository:" >&2
  echo "$hits" >&2
  exit 1
fi
for doc in events-api toolchain; do
  upstream="$(dirname "$PWD")/shared/$doc.md"
  if [ -f "$upstream" ] && ! cmp -s "$upstream" "docs/$doc.md"; then
    echo "check-self-contained: note: $upstream differs from docs/$doc.md; bring the copy, the emulator and the client in step"
  fi
done
echo "check-self-contained: ok (the repository needs nothing outside it)"
