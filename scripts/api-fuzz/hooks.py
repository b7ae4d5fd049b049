"""Schemathesis hooks for `make test-api-fuzz` (scripts/api-fuzz/run.sh).

The OpenAPI document states every rule of the API that JSON Schema can state. Two rules
it cannot: they span fields, or requests. For creates only, before each call:

- `end` must be at or after `start` as instants: when both are schema-valid date-times
  and `end` is earlier, they are swapped (so a schema-valid event is a valid event);
- an Idempotency-Key already sent with another body would get 422 (a key is bound to its
  first body): such a key gets a fresh suffix, so that a new body is a new create.

Anything else is sent as generated: negative cases stay negative, and any other 4xx for
a schema-valid request is a real finding.
"""

import atexit
import hashlib
import json
import re
import sys

import schemathesis

CREATE = ("POST", "/api/v1/events")
# The document's own patterns, read when it is loaded.
PATTERNS = {}
# Idempotency-Key -> fingerprint of the first body sent with it.
SEEN_KEYS = {}
RENAMED = [0]
SWAPPED = [0]


@atexit.register
def _report():
    print(
        f"api-fuzz hooks: {SWAPPED[0]} start/end pairs swapped, {RENAMED[0]} reused keys renamed",
        file=sys.stderr,
    )


@schemathesis.hook
def before_load_schema(context, raw_schema):
    schemas = raw_schema["components"]["schemas"]
    PATTERNS["datetime"] = re.compile(schemas["DateTime"]["pattern"])
    create = raw_schema["paths"][CREATE[1]]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    PATTERNS["key"] = re.compile(key["schema"]["pattern"])


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _instant(s):
    """(seconds, nanoseconds) of a date-time that matches the document's pattern."""
    secs = _days_from_civil(int(s[0:4]), int(s[5:7]), int(s[8:10])) * 86400
    secs += int(s[11:13]) * 3600 + int(s[14:16]) * 60 + int(s[17:19])
    i, nanos = 19, 0
    if s[i] == ".":
        j = i + 1
        while s[j].isdigit():
            j += 1
        nanos = int(s[i + 1 : j].ljust(9, "0"))
        i = j
    if s[i] not in "Zz":
        sign = 1 if s[i] == "+" else -1
        secs -= sign * (int(s[i + 1 : i + 3]) * 3600 + int(s[i + 4 : i + 6]) * 60)
    return secs, nanos


def _is_datetime(v):
    return isinstance(v, str) and PATTERNS["datetime"].search(v) is not None


def _fingerprint(case):
    try:
        text = json.dumps(case.body, sort_keys=False, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(case.body)
    return hashlib.sha256(f"{case.media_type}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()


@schemathesis.hook
def before_call(context, case, kwargs):
    if (case.method.upper(), case.path) != CREATE:
        return
    if isinstance(case.body, list):
        for event in case.body:
            if isinstance(event, dict) and _is_datetime(event.get("start")) and _is_datetime(event.get("end")):
                if _instant(event["end"]) < _instant(event["start"]):
                    event["start"], event["end"] = event["end"], event["start"]
                    SWAPPED[0] += 1
    headers = case.headers or {}
    name = next((k for k in headers if k.lower() == "idempotency-key"), None)
    key = headers.get(name) if name else None
    if not isinstance(key, str) or not PATTERNS["key"].search(key):
        return
    fingerprint = _fingerprint(case)
    if SEEN_KEYS.setdefault(key, fingerprint) != fingerprint:
        RENAMED[0] += 1
        fresh = f"{key[:240]}~{RENAMED[0]}"
        SEEN_KEYS[fresh] = fingerprint
        headers[name] = fresh
