// The plain-JS validator baseline: the contract's event rules (docs/events-api.md, "The
// event") written in plain JS over the caller's objects, as a good JS developer would
// write them: one loop, the date read by hand with its calendar checks,
// every problem of every event reported with its index and field (the first 100
// listed, all counted), like the client's `ValidationError`.
//
// It checks what will be sent, that is the objects as `JSON.stringify` sends them: a
// field whose value is `undefined` (or a function) is absent, a `Date` is its ISO
// string (an invalid `Date` becomes `null`). `bench/plain-validate.test.mjs` checks
// that it finds the same invalid events and fields as the client.

const REQUIRED = ['owner', 'collection', 'start', 'value', 'type', 'source', 'externalId'];
const ALLOWED = new Set([...REQUIRED, 'end', 'batch']);
const SERVER = new Set(['id', 'createdAt']);
const MAX_LISTED = 100;
const DATE_HINT = 'an RFC 3339 date-time, e.g. 2021-01-01T00:00:00Z';

const daysInMonth = (y, m) =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

// Days from 1970-01-01 to a proleptic Gregorian date (Date.UTC maps years 0-99 to 1900-1999).
function daysFromCivil(y, m, d) {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

// `n` ASCII digits of `s` at `at` as a number, or -1.
function digits(s, at, n) {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1; // also NaN past the end
    v = v * 10 + c;
  }
  return v;
}

/**
 * An RFC 3339 date-time as a comparable instant `[seconds, nanoseconds]`, or null:
 * `YYYY-MM-DD(T|t)HH:MM:SS[.digits](Z|z|±HH:MM)`, real calendar dates, second 60 only
 * as the leap second ending a UTC day (the last nanosecond of second 59), fraction
 * digits past the ninth dropped: the client's grammar. Read by hand (a regex with captures costs ~10× more per date here), and to the
 * nanosecond, because `end` ≥ `start` must hold to the digit (`Date.parse` keeps ms).
 */
export function parseDate(s) {
  const len = s.length;
  const c = (i) => s.charCodeAt(i);
  // - at 4 and 7, T or t at 10, : at 13 and 16
  if (len < 20 || c(4) !== 45 || c(7) !== 45 || (c(10) !== 84 && c(10) !== 116) || c(13) !== 58 || c(16) !== 58) return null;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return null;
  let at = 19;
  let nanos = 0;
  if (s[at] === '.') {
    const from = ++at;
    while (at < len && digits(s, at, 1) >= 0) at++;
    const n = Math.min(at - from, 9);
    if (n === 0) return null;
    nanos = digits(s, from, n) * 10 ** (9 - n);
  }
  let offset = 0;
  const z = s[at];
  if ((z === 'Z' || z === 'z') && len === at + 1) offset = 0;
  else if ((z === '+' || z === '-') && len === at + 6 && s[at + 3] === ':') {
    const oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offset = (z === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else return null;
  const leap = sec === 60;
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (leap ? 59 : sec) - offset;
  if (leap && (((secs + 1) % 86400) + 86400) % 86400 !== 0) return null; // a leap second ends a UTC day
  return [secs, leap ? 999_999_999 : nanos];
}

// The JSON type of what `JSON.stringify` sends for a value (`undefined`: not sent).
function kindOf(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isFinite(v) ? 'number' : 'null';
    case 'boolean': return 'boolean';
    case 'undefined': case 'function': case 'symbol': return undefined;
    case 'bigint': return 'bigint';
    default:
      if (Array.isArray(v)) return 'array';
      if (typeof v.toJSON === 'function') return kindOf(v.toJSON());
      return 'object';
  }
}

const quote = (s) => JSON.stringify(s.length > 40 ? s.slice(0, 40) : s) + (s.length > 40 ? '...' : '');

/**
 * Validates an array of events. Returns `{ problems, problemCount, invalidEvents }`:
 * `problems` is `[{ index, field, message }]` (the first 100; `field` is `''` for the
 * whole event), empty when every event is valid.
 */
export function validateEvents(events) {
  const problems = [];
  let problemCount = 0;
  let invalidEvents = 0;
  let index = 0;
  let lastBad = -1;
  const add = (field, message) => {
    problemCount++;
    if (lastBad !== index) {
      invalidEvents++;
      lastBad = index;
    }
    if (problems.length < MAX_LISTED) problems.push({ index, field, message });
  };
  // A string field: the value, or undefined after reporting the problem.
  const text = (e, field, rule) => {
    const v = e[field];
    if (typeof v === 'string') return v;
    const kind = kindOf(v);
    if (kind === undefined) add(field, `${field} is required`);
    else if (kind === 'string') return v.toJSON();
    else add(field, `${field} must be ${rule}, got ${kind}`);
    return undefined;
  };
  const date = (e, field) => {
    let v = e[field];
    if (v instanceof Date) v = v.toJSON() ?? null;
    if (typeof v === 'string') {
      const d = parseDate(v);
      if (d === null) add(field, field === 'start' ? `start must be ${DATE_HINT}, got ${quote(v)}` : `end must be an RFC 3339 date-time or absent, got ${quote(v)}`);
      return d;
    }
    const kind = kindOf(v);
    if (kind === undefined) {
      if (field === 'start') add(field, 'start is required');
    } else {
      add(field, field === 'start' ? `start must be ${DATE_HINT}, got ${kind}` : `end must be an RFC 3339 date-time or absent, got ${kind}`);
    }
    return null;
  };

  for (const n = events.length; index < n; index++) {
    const e = events[index];
    const kind = kindOf(e);
    if (kind !== 'object') {
      add('', `event must be an object, got ${kind ?? 'null'}`);
      continue;
    }
    for (const key in e) {
      if (!ALLOWED.has(key) && Object.hasOwn(e, key) && kindOf(e[key]) !== undefined) {
        add(key, `${key} is not an allowed field${SERVER.has(key) ? ' (the server assigns it)' : ''}`);
      }
    }
    if (text(e, 'owner', 'a non-empty string') === '') add('owner', 'owner must be a non-empty string, got an empty string');
    if (text(e, 'collection', 'a non-empty string') === '') add('collection', 'collection must be a non-empty string, got an empty string');
    const start = date(e, 'start');
    const end = date(e, 'end');
    if (start !== null && end !== null && (end[0] < start[0] || (end[0] === start[0] && end[1] < start[1]))) {
      add('end', 'end must not be before start');
    }
    text(e, 'value', 'a string');
    text(e, 'type', 'a string');
    text(e, 'source', 'a string');
    text(e, 'externalId', 'a string');
    const batch = e.batch;
    if (batch === '') add('batch', 'batch must not be empty');
    else if (batch !== undefined && typeof batch !== 'string') {
      const k = kindOf(batch);
      if (k === 'null') add('batch', 'batch must not be null (leave it out instead)');
      else if (k === 'string') {
        if (batch.toJSON() === '') add('batch', 'batch must not be empty');
      } else if (k !== undefined) add('batch', `batch must be a non-empty string, got ${k}`);
    }
  }
  return { problems, problemCount, invalidEvents };
}
