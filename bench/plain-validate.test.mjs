// The plain-JS validator baseline (bench/plain-validate.mjs) finds the same invalid
// events and the same faulty fields as the client, on valid and invalid events.
//
//   node --test bench/plain-validate.test.mjs      (needs a client build: make pack)
//
// Each case is sent as `[good, case, good]` to createEvents, whose `fetch` is a stub
// answering 201 (a valid case is "sent"); the client's `ValidationError.problems` and
// the baseline's are compared as sets of `index.field`, and their counts.
import assert from 'node:assert/strict';
import test from 'node:test';
import { loadClient } from './lib.mjs';
import { parseDate, validateEvents } from './plain-validate.mjs';

const GOOD = { owner: '1', collection: 'c', start: '2021-01-01T00:00:00Z', value: 'v', type: 't', source: 's', externalId: 'x' };
const w = (extra) => ({ ...GOOD, ...extra });
const without = (field) => {
  const e = { ...GOOD };
  delete e[field];
  return e;
};

const VALID = {
  plain: GOOD,
  'end and batch': w({ end: '2021-01-01T00:00:00Z', batch: 'b' }),
  'end later by an offset': w({ end: '2021-01-01T01:00:00+01:00' }),
  'end later to the nanosecond': w({ start: '2021-01-01T00:00:00.000000001Z', end: '2021-01-01T00:00:00.000000002Z' }),
  'end earlier text, later instant': w({ end: '2020-12-31T23:30:00-01:00' }),
  'empty value, type, source, externalId': w({ value: '', type: '', source: '', externalId: '' }),
  'lower-case t and z': w({ start: '2021-01-01t00:00:00z' }),
  'leap day 2000': w({ start: '2000-02-29T00:00:00Z' }),
  'year 0000': w({ start: '0000-01-01T00:00:00Z' }),
  'year 9999': w({ start: '9999-12-31T23:59:59.999999999Z' }),
  'offset +23:59': w({ start: '2021-01-01T00:00:00+23:59' }),
  'a leap second ending a UTC day, after :59.999': w({ start: '2016-12-31T23:59:59.999Z', end: '2016-12-31T15:59:60-08:00' }),
  'a fraction of 13 digits': w({ start: '2021-01-01T00:00:00.1234567890123Z' }),
  'Date objects': w({ start: new Date(Date.UTC(2021, 0, 1)), end: new Date(Date.UTC(2021, 0, 2)) }),
  'undefined fields are not sent': w({ batch: undefined, end: undefined, extra: undefined }),
  'a function is not sent': w({ extra: () => 1 }),
  'unicode text': w({ value: 'héllo ✓ 🎉', owner: 'ü' }),
};

const BAD_DATES = [
  '', '2021-01-01', '2021-01-01T00:00Z', '2021-01-01 00:00:00Z', '2021-01-01T00:00:00', '2021-01-01T00:00:00+0000',
  '2021-01-01T00:00:00+00', '2021-01-01T00:00:00Zx', '2021-01-01T00:00:00Z ', ' 2021-01-01T00:00:00Z', '2021-01-01T00:00:00.Z',
  '2021-01-01T00:00:61Z', '2021-01-01T00:00:60Z', '2021-01-01T24:00:00Z', '2021-01-01T00:60:00Z',
  '2021-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2021-04-31T00:00:00Z', '2021-00-01T00:00:00Z', '2021-13-01T00:00:00Z',
  '2021-01-00T00:00:00Z', '2021-01-01T00:00:00+24:00', '2021-01-01T00:00:00+00:60', '+2021-01-01T00:00:00Z',
  '21-01-01T00:00:00Z', '2021-1-01T00:00:00Z', '２021-01-01T00:00:00Z', '2021-01-01T00:00:00.١Z', 'x'.repeat(100),
];

const INVALID = {
  ...Object.fromEntries(['owner', 'collection', 'start', 'value', 'type', 'source', 'externalId'].map((f) => [`no ${f}`, without(f)])),
  'empty object': {},
  'empty owner': w({ owner: '' }),
  'empty collection': w({ collection: '' }),
  'wrong types': w({ owner: 1, collection: '', value: null, type: true, source: [1, { a: 2 }], externalId: { a: [] } }),
  'NaN and Infinity': w({ owner: NaN, value: Infinity }),
  'start a number': w({ start: 1609459200000 }),
  'start an invalid Date': w({ start: new Date(NaN) }),
  'end null': w({ end: null }),
  'end a number': w({ end: 3 }),
  'end before start': w({ end: '2020-12-31T23:59:59.999Z' }),
  'end before start by a nanosecond': w({ start: '2021-01-01T00:00:00.000000002Z', end: '2021-01-01T00:00:00.000000001Z' }),
  'end before start by an offset': w({ end: '2021-01-01T00:30:00+01:00' }),
  'bad start and bad end': w({ start: 'x', end: 'y' }),
  'batch empty': w({ batch: '' }),
  'batch null': w({ batch: null }),
  'batch a number': w({ batch: 3 }),
  'unknown fields': w({ foo: { deep: [1, 2] }, id: '1', createdAt: 'x', constructor: 1, 'a b': 2 }),
  'a misspelled field': w({ externalID: 'x' }),
  'everything wrong': { id: 1, owner: '', start: 'nope', end: null, batch: '' },
  'null event': null,
  'number event': 1,
  'string event': 's',
  'boolean event': true,
  'array event': [],
  ...Object.fromEntries(BAD_DATES.map((d) => [`start ${JSON.stringify(d.slice(0, 40))}`, w({ start: d })])),
  ...Object.fromEntries(BAD_DATES.slice(1, 6).map((d) => [`end ${JSON.stringify(d)}`, w({ end: d })])),
};

const { EventsClient } = loadClient();
globalThis.fetch = async (input, init) => {
  const n = JSON.parse(new TextDecoder().decode(await new Request(input, init).arrayBuffer())).length;
  return new Response(JSON.stringify({ created: n, ids: Array.from({ length: n }, (_, i) => String(i)) }), {
    status: 201,
    headers: { 'Content-Type': 'application/json' },
  });
};
const TOKEN = `e30.${Buffer.from(JSON.stringify({ exp: 4102444800 })).toString('base64url')}.x`;
const client = new EventsClient({ baseUrl: 'http://127.0.0.1:9/api/v1', token: TOKEN });

/** The client's verdict on `events`: the `index.field` of every problem, and the count. */
async function clientVerdict(events) {
  try {
    await client.createEvents(events);
    return { fields: [], count: 0 };
  } catch (e) {
    if (e.name !== 'ValidationError') throw e;
    return { fields: e.problems.map((p) => `${p.index}.${p.field}`).sort(), count: e.problemCount };
  }
}
const plainVerdict = (events) => {
  const r = validateEvents(events);
  return { fields: r.problems.map((p) => `${p.index}.${p.field}`).sort(), count: r.problemCount };
};

for (const [name, event] of Object.entries(VALID)) {
  test(`valid: ${name}`, async () => {
    const events = [GOOD, event, GOOD];
    assert.deepEqual(plainVerdict(events), { fields: [], count: 0 });
    assert.deepEqual(await clientVerdict(events), { fields: [], count: 0 });
  });
}

for (const [name, event] of Object.entries(INVALID)) {
  test(`invalid: ${name}`, async () => {
    const events = [GOOD, event, GOOD];
    const plain = plainVerdict(events);
    assert.ok(plain.count > 0, 'the baseline finds a problem');
    assert.ok(plain.fields.every((f) => f.startsWith('1.')), 'only in the bad event');
    assert.deepEqual(plain, await clientVerdict(events));
  });
}

test('every case at once: the same problem count and invalid events', async () => {
  const events = [...Object.values(VALID), ...Object.values(INVALID)];
  const plain = validateEvents(events);
  const error = await client.createEvents(events).then(
    () => assert.fail('the client accepted invalid events'),
    (e) => e,
  );
  assert.equal(error.name, 'ValidationError');
  assert.equal(plain.problemCount, error.problemCount);
  // "N invalid events in the input (M problems): ..."
  assert.equal(`${plain.invalidEvents} invalid events`, /^(\d+ invalid events)/.exec(error.message)?.[1]);
  assert.equal(plain.invalidEvents, Object.keys(INVALID).length);
});

test('dates compare to the nanosecond and across offsets', () => {
  const [s, ns] = parseDate('2021-01-01T01:00:00.5+01:00');
  assert.deepEqual([s, ns], [1609459200, 500000000]);
  assert.deepEqual(parseDate('1969-12-31T23:59:59.123456789Z'), [-1, 123456789]);
  assert.deepEqual(parseDate('0000-01-01T00:00:00Z'), [-62167219200, 0]);
});
