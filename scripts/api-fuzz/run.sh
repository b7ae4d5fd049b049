#!/usr/bin/env bash
# Property-based fuzzing of the emulator's HTTP API from its own OpenAPI document
# (/api/docs-json) with Schemathesis (pinned in scripts/api-fuzz/requirements.txt,
# installed by scripts/setup.sh). Run it through scripts/with-emulator.sh, which starts a
# fresh emulator and exports EVENTS_EMULATOR_URL: `make test-api-fuzz` does.
#
# Every check is on (`--checks all`): no 5xx, every status, content type, header and body
# as documented, schema-valid requests accepted (2xx), schema-invalid ones refused (4xx),
# requests without the token refused with 401, other methods 405. Only the test-hook
# routes (/__emulator/*) are left out: they exist only with --test-hooks, and fuzzing
# them would inject faults (503, resets, held requests) into the run itself.
#
# API_FUZZ_EXAMPLES (default 500) bounds the examples per operation and phase;
# API_FUZZ_SEED (default 20261130) makes the run repeatable.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${API_FUZZ_VENV:-$HOME/.cache/genomcore-events-wasm/venv}
EXAMPLES=${API_FUZZ_EXAMPLES:-500}
SEED=${API_FUZZ_SEED:-20261130}
: "${EVENTS_EMULATOR_URL:?run this through scripts/with-emulator.sh (make test-api-fuzz)}"
[ -x "$VENV/bin/schemathesis" ] || { echo "api-fuzz: no Schemathesis in $VENV: run make setup" >&2; exit 1; }

# A token for user "fuzz" from the login route (never printed; Schemathesis's output
# masks it).
API_FUZZ_TOKEN=$("$VENV/bin/python" - "$EVENTS_EMULATOR_URL" <<'PY'
import json, sys, urllib.request
body = json.dumps({"username": "fuzz", "password": "fuzz", "organizationId": "fuzz"}).encode()
req = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login", data=body,
                             headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(req, timeout=10) as r:
    print(json.load(r)["token"])
PY
)
export API_FUZZ_TOKEN

out=test-output/api-fuzz
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)
status=0
SCHEMATHESIS_HOOKS=scripts/api-fuzz/hooks.py "$VENV/bin/schemathesis" \
  --config-file scripts/api-fuzz/schemathesis.toml run \
  "$EVENTS_EMULATOR_URL/api/docs-json" \
  --url "$EVENTS_EMULATOR_URL" \
  --checks all \
  --exclude-path-regex '^/__emulator/' \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --generation-database none \
  --report junit,ndjson --report-dir "$out" \
  --no-color || status=$?
echo "api-fuzz: $(( $(date +%s) - started )) s, examples per operation and phase ≤ $EXAMPLES, seed $SEED, reports in $out/"
exit "$status"
