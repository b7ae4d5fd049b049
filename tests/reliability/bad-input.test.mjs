// Bad input to the client: each call rejects with the documented error class and
// message, and the emulator's counters prove that not one request was sent. For bad
// events, the emulator is then sent the very JSON the client refused: it refuses it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadClient, withEmulator, login, stats, raw, figure, makeEvents, assertStoredExactlyOnce } from './helpers.mjs';

const { EventsClient } = loadClient();

const good = {
  owner: '1', collection: 'bad-input', start: '2024-01-01T00:00:00Z',
  value: 'v', type: 't', source: 's', externalId: 'x',
};
const w = (k, v) => [{ ...good, [k]: v }];
const without = (k) => {
  const e = { ...good };
  delete e[k];
  return [e];
};
const ONE = '1 invalid event in the input (1 problem): ';
const DATE = 'must be an RFC 3339 date-time, e.g. 2021-01-01T00:00:00Z, got';
const startIs = (shown) => `${ONE}0.start: start ${DATE} ${shown}`;

const cyclic = { ...good };
cyclic.self = cyclic;
const sparse = [good];
sparse[3] = good; // holes at 1 and 2
const ownProto = JSON.parse(JSON.stringify(good).replace('{', '{"__proto__":{"polluted":true},'));

/**
 * [what, events, second argument, name, message (string: exact; RegExp), server]
 * `server` (bad events only): the emulator must refuse JSON.stringify(events) with 400
 * and name these problem indices.
 */
const CREATE = [
  // The events argument itself.
  ['events is an object', { a: 1 }, undefined, 'TypeError', 'events must be an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these, got object'],
  ['events is a string', 'events', undefined, 'TypeError', 'events must be an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these, got string'],
  ['events is null', null, undefined, 'TypeError', 'events must be an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these, got null'],
  ['events is undefined', undefined, undefined, 'TypeError', 'events must be an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these, got undefined'],
  ['events is a number', 42, undefined, 'TypeError', 'events must be an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these, got number'],
  ['events is bytes that are no JSON', new Uint8Array(2), undefined, 'ValidationError', /^1 invalid event in the input \(1 problem\): 0: event is not valid JSON/],
  // Wrong types at every position.
  ['owner is a number', w('owner', 1), undefined, 'ValidationError', `${ONE}0.owner: owner must be a non-empty string, got number`, [0]],
  ['owner is null', w('owner', null), undefined, 'ValidationError', `${ONE}0.owner: owner must be a non-empty string, got null`, [0]],
  ['collection is an array', w('collection', ['a']), undefined, 'ValidationError', `${ONE}0.collection: collection must be a non-empty string, got array`, [0]],
  ['start is epoch ms', w('start', Date.UTC(2024, 0, 1)), undefined, 'ValidationError', startIs('number'), [0]],
  ['value is a number', w('value', 5), undefined, 'ValidationError', `${ONE}0.value: value must be a string, got number`, [0]],
  ['type is a boolean', w('type', true), undefined, 'ValidationError', `${ONE}0.type: type must be a string, got boolean`, [0]],
  ['source is an object', w('source', { a: 1 }), undefined, 'ValidationError', `${ONE}0.source: source must be a string, got object`, [0]],
  ['externalId is a number', w('externalId', 7), undefined, 'ValidationError', `${ONE}0.externalId: externalId must be a string, got number`, [0]],
  ['batch is a number', w('batch', 3), undefined, 'ValidationError', `${ONE}0.batch: batch must be a non-empty string, got number`, [0]],
  ['value is a function (dropped by JSON)', w('value', () => 1), undefined, 'ValidationError', `${ONE}0.value: value is required`, [0]],
  ['value is a Symbol (dropped by JSON)', w('value', Symbol('s')), undefined, 'ValidationError', `${ONE}0.value: value is required`, [0]],
  ['value is undefined', w('value', undefined), undefined, 'ValidationError', `${ONE}0.value: value is required`, [0]],
  ['a field is a BigInt', w('value', 10n), undefined, 'ValidationError', `${ONE}0: event cannot be serialized to JSON: Do not know how to serialize a BigInt`],
  // An unpaired UTF-16 surrogate (a cut emoji): JSON.stringify writes it as an escape the
  // emulator's parser refuses for the whole body, so the client refuses the event.
  ['value holds a lone surrogate', w('value', '\u{1F600}'.slice(0, 1)), undefined, 'ValidationError', `${ONE}0.value: value holds an unpaired UTF-16 surrogate (a \\uD800 to \\uDFFF escape without its pair), which the API refuses`],
  ['bytes with a lone surrogate escape', new TextEncoder().encode(`${JSON.stringify({ ...good, source: 'x\udc00' })}\n`), undefined, 'ValidationError', /^1 invalid event in the input \(1 problem\): 0\.source: source holds an unpaired UTF-16 surrogate \(a \\uD800 to \\uDFFF escape without its pair\), which the API refuses \(nothing after it was sent\)/],
  // Missing and empty.
  ['owner is missing', without('owner'), undefined, 'ValidationError', `${ONE}0.owner: owner is required`, [0]],
  ['owner is empty', w('owner', ''), undefined, 'ValidationError', `${ONE}0.owner: owner must be a non-empty string, got an empty string`, [0]],
  ['collection is empty', w('collection', ''), undefined, 'ValidationError', `${ONE}0.collection: collection must be a non-empty string, got an empty string`, [0]],
  ['value is missing', without('value'), undefined, 'ValidationError', `${ONE}0.value: value is required`, [0]],
  ['batch is empty', w('batch', ''), undefined, 'ValidationError', `${ONE}0.batch: batch must not be empty`, [0]],
  ['batch is null', w('batch', null), undefined, 'ValidationError', `${ONE}0.batch: batch must not be null (leave it out instead)`, [0]],
  // Dates: invalid and edge cases.
  ['start on Feb 30', w('start', '2024-02-30T00:00:00Z'), undefined, 'ValidationError', startIs('"2024-02-30T00:00:00Z"'), [0]],
  ['start on Feb 29 of a common year', w('start', '2023-02-29T00:00:00Z'), undefined, 'ValidationError', startIs('"2023-02-29T00:00:00Z"'), [0]],
  ['start without offset', w('start', '2024-01-01T00:00:00'), undefined, 'ValidationError', startIs('"2024-01-01T00:00:00"'), [0]],
  ['start is a date only', w('start', '2024-01-01'), undefined, 'ValidationError', startIs('"2024-01-01"'), [0]],
  ['start with a space for T', w('start', '2024-01-01 00:00:00Z'), undefined, 'ValidationError', startIs('"2024-01-01 00:00:00Z"'), [0]],
  ['start on a leap second that does not end a UTC day', w('start', '2016-12-31T12:59:60Z'), undefined, 'ValidationError', startIs('"2016-12-31T12:59:60Z"'), [0]],
  ['start at hour 24', w('start', '2024-01-01T24:00:00Z'), undefined, 'ValidationError', startIs('"2024-01-01T24:00:00Z"'), [0]],
  ['start in month 13', w('start', '2024-13-01T00:00:00Z'), undefined, 'ValidationError', startIs('"2024-13-01T00:00:00Z"'), [0]],
  ['start with offset +24:00', w('start', '2024-01-01T00:00:00+24:00'), undefined, 'ValidationError', startIs('"2024-01-01T00:00:00+24:00"'), [0]],
  ['start with a fraction point and no digits', w('start', '2024-01-01T00:00:00.Z'), undefined, 'ValidationError', startIs('"2024-01-01T00:00:00.Z"'), [0]],
  ['start with an expanded year', w('start', '+010000-01-01T00:00:00Z'), undefined, 'ValidationError', startIs('"+010000-01-01T00:00:00Z"'), [0]],
  ['start with full-width digits', w('start', '２０２４-01-01T00:00:00Z'), undefined, 'ValidationError', startIs('"２０２４-01-01T00:00:00Z"'), [0]],
  // JSON makes an invalid Date null: the client names it from the event itself.
  ['start is an invalid Date', w('start', new Date(NaN)), undefined, 'ValidationError', startIs('an invalid Date'), [0]],
  ['end is an invalid Date', w('end', new Date('soon')), undefined, 'ValidationError', `${ONE}0.end: end must be an RFC 3339 date-time or absent, got an invalid Date`, [0]],
  ['start is a huge string', w('start', '2'.repeat(1_000_000)), undefined, 'ValidationError', startIs(`"${'2'.repeat(40)}"...`), [0]],
  ['end before start', [{ ...good, end: '2023-12-31T23:59:59.999Z' }], undefined, 'ValidationError', `${ONE}0.end: end must not be before start`, [0]],
  ['end before start once offsets apply', [{ ...good, start: '2024-01-01T00:00:00-01:00', end: '2024-01-01T00:30:00Z' }], undefined, 'ValidationError', `${ONE}0.end: end must not be before start`, [0]],
  ['end is null', w('end', null), undefined, 'ValidationError', `${ONE}0.end: end must be an RFC 3339 date-time or absent, got null`, [0]],
  ['end is empty', w('end', ''), undefined, 'ValidationError', `${ONE}0.end: end must be an RFC 3339 date-time or absent, got ""`, [0]],
  // Unknown, misspelled and dangerous keys.
  ['an unknown field', w('colour', 'red'), undefined, 'ValidationError', `${ONE}0.colour: colour is not an allowed field`, [0]],
  ['externalId misspelled', [{ ...without('externalId')[0], externalID: 'x' }], undefined, 'ValidationError',
    '1 invalid event in the input (2 problems): 0.externalID: externalID is not an allowed field; 0.externalId: externalId is required', [0]],
  ['an own __proto__ key', [ownProto], undefined, 'ValidationError', `${ONE}0.__proto__: __proto__ is not an allowed field`, [0]],
  ['a constructor key', w('constructor', 'x'), undefined, 'ValidationError', `${ONE}0.constructor: constructor is not an allowed field`, [0]],
  ['an id (server-assigned)', w('id', 'x'), undefined, 'ValidationError', `${ONE}0.id: id is not an allowed field (the server assigns it)`, [0]],
  ['a createdAt (server-assigned)', w('createdAt', '2024-01-01T00:00:00Z'), undefined, 'ValidationError', `${ONE}0.createdAt: createdAt is not an allowed field (the server assigns it)`, [0]],
  ['a 100000-character key', w('k'.repeat(100_000), 1), undefined, 'ValidationError',
    `${ONE}0.${'k'.repeat(40)}...: "${'k'.repeat(40)}"... is not an allowed field`, [0]],
  // Huge strings, holes, nulls, non-objects.
  ['an event over maxChunkBytes', w('value', 'x'.repeat(2_000_000)), { maxChunkBytes: 1_000_000 }, 'ValidationError',
    `${ONE}0: event is 2000121 bytes as JSON, more than maxChunkBytes (1000000)`],
  ['a sparse array (holes at 1 and 2)', sparse, undefined, 'ValidationError',
    '2 invalid events in the input (2 problems): 1: event must be an object, got undefined; 2: event must be an object, got undefined', [1, 2]],
  ['an array of holes', new Array(3), undefined, 'ValidationError',
    '3 invalid events in the input (3 problems): 0: event must be an object, got undefined; 1: event must be an object, got undefined; 2: event must be an object, got undefined', [0, 1, 2]],
  ['a null event', [good, null], undefined, 'ValidationError', `${ONE}1: event must be an object, got null`, [1]],
  // What JSON makes null is named as what it was.
  ['an undefined event', [good, undefined], undefined, 'ValidationError', `${ONE}1: event must be an object, got undefined`, [1]],
  ['owner is NaN', w('owner', NaN), undefined, 'ValidationError', `${ONE}0.owner: owner must be a non-empty string, got NaN`, [0]],
  ['value is Infinity', w('value', -Infinity), undefined, 'ValidationError', `${ONE}0.value: value must be a string, got -Infinity`, [0]],
  ['a number event', [7], undefined, 'ValidationError', `${ONE}0: event must be an object, got number`, [0]],
  ['a string event', ['{}'], undefined, 'ValidationError', `${ONE}0: event must be an object, got string`, [0]],
  ['an array event', [[good]], undefined, 'ValidationError', `${ONE}0: event must be an object, got array`, [0]],
  ['a cyclic event', [cyclic], undefined, 'ValidationError', /^1 invalid event in the input \(1 problem\): 0: event cannot be serialized to JSON: Converting circular structure to JSON/],
  ['a throwing toJSON', [{ ...good, toJSON() { throw new Error('nope'); } }], undefined, 'ValidationError', `${ONE}0: event cannot be serialized to JSON: nope`],
  ['the 100001st event is bad', [...Array(100_000).fill(good), { ...good, owner: '' }], undefined, 'ValidationError',
    `${ONE}100000.owner: owner must be a non-empty string, got an empty string`],
  // chunksize and the other options out of range.
  ['chunksize 0', [good], 0, 'RangeError', 'chunksize must be an integer from 1 to 100000, got 0'],
  ['chunksize 100001', [good], 100_001, 'RangeError', 'chunksize must be an integer from 1 to 100000, got 100001'],
  ['chunksize 1.5', [good], 1.5, 'RangeError', 'chunksize must be an integer from 1 to 100000, got 1.5'],
  ['chunksize NaN', [good], NaN, 'RangeError', 'chunksize must be an integer from 1 to 100000, got NaN'],
  ['chunksize -1', [good], -1, 'RangeError', 'chunksize must be an integer from 1 to 100000, got -1'],
  ['chunksize Infinity', [good], { chunksize: Infinity }, 'RangeError', 'chunksize must be an integer from 1 to 100000, got Infinity'],
  ['chunksize as a string', [good], '10', 'TypeError', 'chunksize must be a number, got string'],
  ['concurrency 0', [good], { concurrency: 0 }, 'RangeError', 'concurrency must be an integer from 1 to 64, got 0'],
  ['concurrency 2.5', [good], { concurrency: 2.5 }, 'RangeError', 'concurrency must be an integer from 1 to 64, got 2.5'],
  ['concurrency 65', [good], { concurrency: 65 }, 'RangeError', 'concurrency must be an integer from 1 to 64, got 65'],
  ['maxRetries 101', [good], { maxRetries: 101 }, 'RangeError', 'maxRetries must be an integer from 0 to 100, got 101'],
  ['maxRetries -1', [good], { maxRetries: -1 }, 'RangeError', 'maxRetries must be an integer from 0 to 100, got -1'],
  ['timeoutMs 0', [good], { timeoutMs: 0 }, 'RangeError', 'timeoutMs must be an integer from 1 to 2147483647, got 0'],
  ['timeoutMs 2^31', [good], { timeoutMs: 2 ** 31 }, 'RangeError', 'timeoutMs must be an integer from 1 to 2147483647, got 2147483648'],
  ['maxChunkBytes 1023', [good], { maxChunkBytes: 1023 }, 'RangeError', 'maxChunkBytes must be an integer from 1024 to 1073741824, got 1023'],
  ['misspelled option chunkSize', [good], { chunkSize: 10 }, 'TypeError',
    /^createEvents options: unknown option 'chunkSize' \(known: chunksize, maxRetries, concurrency, maxChunkBytes, onProgress, signal, timeoutMs(, \w+)*\)$/],
  ['runId empty', [good], { runId: '' }, 'RangeError', 'runId must be 1 to 200 visible ASCII characters (no spaces)'],
  ['runId with a space', [good], { runId: 'a b' }, 'RangeError', 'runId must be 1 to 200 visible ASCII characters (no spaces)'],
  ['runId with a line break', [good], { runId: 'a\r\nX-Injected: 1' }, 'RangeError', 'runId must be 1 to 200 visible ASCII characters (no spaces)'],
  ['runId too long', [good], { runId: 'r'.repeat(201) }, 'RangeError', 'runId must be 1 to 200 visible ASCII characters (no spaces)'],
  ['runId a number', [good], { runId: 7 }, 'TypeError', 'runId must be a string, got number'],
  ['onProgress not a function', [good], { onProgress: 'x' }, 'TypeError', 'onProgress must be a function, got string'],
  ['signal not an AbortSignal', [good], { signal: {} }, 'TypeError', 'signal must be an AbortSignal, got object'],
  ['resumeFrom without events', [good], { resumeFrom: { bytes: 10 } }, 'TypeError', 'resumeFrom needs events (a number)'],
  ['resumeFrom.events negative', [good], { resumeFrom: { events: -1 } }, 'RangeError', 'resumeFrom.events must be an integer from 0 to 9007199254740991, got -1'],
  ['resumeFrom.line 0', [good], { resumeFrom: { events: 0, line: 0 } }, 'RangeError', 'resumeFrom.line must be an integer from 1 to 9007199254740991, got 0'],
  ['resumeFrom with an unknown key', [good], { resumeFrom: { events: 0, chunk: 3 } }, 'TypeError', "resumeFrom: unknown option 'chunk' (known: events, bytes, line)"],
  ['resumeFrom past the array', [good], { resumeFrom: { events: 2 } }, 'RangeError', 'resumeFrom.events (2) is past the end of the events (1)'],
  ['validate misspelled', [good], { validate: 'everything' }, 'RangeError', "validate must be 'chunk' or 'all', got 'everything'"],
  ['returnIds a string', [good], { returnIds: 'yes' }, 'TypeError', 'returnIds must be a boolean, got string'],
  ['onChunk not a function', [good], { onChunk: 1 }, 'TypeError', 'onChunk must be a function, got number'],
  ['bytesTotal fractional', [good], { bytesTotal: 1.5 }, 'RangeError', 'bytesTotal must be an integer from 0 to 9007199254740991, got 1.5'],
];

/** [what, call(client), name, message] for the other methods. */
const OTHER = [
  ['chunksize given twice', (c) => c.createEvents([good], 10, { chunksize: 10 }), 'TypeError', 'chunksize is given twice: as an argument and as an option'],
  ['options and a third argument', (c) => c.createEvents([good], { concurrency: 1 }, {}), 'TypeError', 'createEvents(events, options) takes no third argument'],
  ['options as an array', (c) => c.createEvents([good], 10, []), 'TypeError', 'createEvents options must be an object, got array'],
  ['query page -1', (c) => c.queryEvents({}, { page: -1 }), 'RangeError', 'page must be an integer from 0 to 4294967295, got -1'],
  ['query page 1.5', (c) => c.queryEvents({}, { page: 1.5 }), 'RangeError', 'page must be an integer from 0 to 4294967295, got 1.5'],
  ['query pageSize 0', (c) => c.queryEvents({}, { pageSize: 0 }), 'RangeError', 'pageSize must be an integer from 1 to 10000, got 0'],
  ['query pageSize 10001', (c) => c.queryEvents({}, { pageSize: 10_001 }), 'RangeError', 'pageSize must be an integer from 1 to 10000, got 10001'],
  ['query pageSize as a string', (c) => c.queryEvents({}, { pageSize: '10' }), 'TypeError', 'pageSize must be a number, got string'],
  ['query unknown option', (c) => c.queryEvents({}, { limit: 10 }), 'TypeError', "queryEvents options: unknown option 'limit' (known: page, pageSize, signal, timeoutMs, maxRetries)"],
  ['query body an array', (c) => c.queryEvents([]), 'TypeError', 'the query body must be an object, got array'],
  ['query body a string', (c) => c.queryEvents('{}'), 'TypeError', 'the query body must be an object, got string'],
  ['query body with a BigInt', (c) => c.queryEvents({ filter: { owner: 1n } }), 'TypeError', "the query body's filter.owner is a function, a symbol or a BigInt: JSON would not send it as given, and the query would be another"],
  // What JSON would drop or change: the query sent would be another (an unset variable
  // would read every event).
  ['query filter value undefined', (c) => c.queryEvents({ filter: { collection: undefined } }), 'TypeError', "the query body's filter.collection is undefined (leave the key out, or give null for an absent field): JSON would not send it as given, and the query would be another"],
  ['query $in holding NaN', (c) => c.queryAll({ filter: { owner: { $in: ['a', NaN] } } }).next(), 'TypeError', "the query body's filter.owner.$in[1] is not a finite number: JSON would not send it as given, and the query would be another"],
  ['query filter a Map', (c) => c.exportEvents({ filter: new Map([['collection', 'c']]) }), 'TypeError', "the query body's filter is not a plain object (a Map, a Set, a class instance): JSON would not send it as given, and the query would be another"],
  ['query body a class instance', (c) => c.queryEvents(new (class Query { constructor() { this.filter = {}; } })()), 'TypeError', 'the query body is not a plain object (a Map, a Set, a class instance): JSON would not send it as given, and the query would be another'],
  ['query filter an invalid Date', (c) => c.queryEvents({ filter: { end: new Date('not a date') } }), 'TypeError', "the query body's filter.end is an invalid Date (its toJSON gives null): JSON would not send it as given, and the query would be another"],
  ['queryAll $gte an invalid Date', (c) => c.queryAll({ filter: { start: { $gte: new Date(NaN) } } }).next(), 'TypeError', "the query body's filter.start.$gte is an invalid Date (its toJSON gives null): JSON would not send it as given, and the query would be another"],
  ['export: a toJSON giving NaN', (c) => c.exportEvents({ filter: { start: { toJSON: () => NaN } } }), 'TypeError', "the query body's filter.start is not a finite number: JSON would not send it as given, and the query would be another"],
  ['query toJSON giving null (not a Date)', (c) => c.queryEvents({ filter: { batch: { toJSON: () => null } } }), 'TypeError', "the query body's filter.batch is a value whose toJSON gives null: JSON would not send it as given, and the query would be another"],
  ['query toJSON giving an object holding undefined', (c) => c.queryEvents({ filter: { batch: { toJSON: () => ({ $in: ['a', undefined] }) } } }), 'TypeError', "the query body's filter.batch.$in[1] is undefined (leave the key out, or give null for an absent field): JSON would not send it as given, and the query would be another"],
  ['query string with a lone surrogate', (c) => c.queryEvents({ filter: { value: 'x\uD800' } }), 'TypeError', "the query body's filter.value is a string with an unpaired UTF-16 surrogate (a cut emoji?): JSON would not send it as given, and the query would be another"],
  ['query filter with a function', (c) => c.queryEvents({ filter: { owner: () => 'a' } }), 'TypeError', "the query body's filter.owner is a function, a symbol or a BigInt: JSON would not send it as given, and the query would be another"],
  ['delete an empty collection name', (c) => c.deleteEvents(''), 'RangeError', 'collection must be a non-empty string: there is no way to delete every event'],
  ['delete without a collection', (c) => c.deleteEvents(), 'TypeError', 'collection must be a string, got undefined'],
  ['delete a number', (c) => c.deleteEvents(5), 'TypeError', 'collection must be a string, got number'],
  ['delete null', (c) => c.deleteEvents(null), 'TypeError', 'collection must be a string, got null'],
  ['delete a String object', (c) => c.deleteEvents(new String('x')), 'TypeError', 'collection must be a string, got object'],
  ['delete unknown option', (c) => c.deleteEvents('x', { force: true }), 'TypeError', "deleteEvents options: unknown option 'force' (known: signal, timeoutMs, maxRetries)"],
  ['queryAll pageSize 0', (c) => c.queryAll({}, { pageSize: 0 }).next(), 'RangeError', 'pageSize must be an integer from 1 to 10000, got 0'],
  ['queryAll with page', (c) => c.queryAll({}, { page: 1 }).next(), 'TypeError', "queryAll options: unknown option 'page' (known: pageSize, signal, timeoutMs, maxRetries)"],
  ['queryAll body a number', (c) => c.queryAll(5).next(), 'TypeError', 'the query body must be an object, got number'],
  ['validate all of a one-shot stream', (c) => c.createEvents(new Blob(['{}']).stream(), { validate: 'all' }), 'TypeError',
    "validate: 'all' reads the source twice: give a Blob, File, Uint8Array, ArrayBuffer, or a function that returns a fresh stream"],
  ['validate all with onInvalid skip', (c) => c.createEvents(new Blob(['{}']), { validate: 'all', onInvalid: 'skip' }), 'TypeError',
    "validate: 'all' sends nothing if any event is bad; onInvalid: 'skip' cannot go with it"],
  ['a source function returning a number', (c) => c.createEvents(() => 5), 'TypeError', 'a source function must return events or bytes (an array, a buffer, a Blob, a stream or an iterable), got number'],
  ['a source function returning a Promise', (c) => c.createEvents(async () => []), 'TypeError', 'a source function must return events or bytes (an array, a buffer, a Blob, a stream or an iterable) at once, not a Promise: give an async iterable instead, got object'],
  ['format for an array', (c) => c.createEvents([good], { format: 'ndjson' }), 'TypeError', 'format is for bytes (a Uint8Array, Blob, stream…), not an array of events'],
  ['bytesTotal for an array', (c) => c.createEvents([good], { bytesTotal: 10 }), 'TypeError', 'bytesTotal is for bytes (a Uint8Array, Blob, stream…), not an array of events'],
  ['validate all of an array with onInvalid skip', (c) => c.createEvents([good], { validate: 'all', onInvalid: 'skip' }), 'TypeError',
    "validate: 'all' sends nothing if any event is bad; onInvalid: 'skip' cannot go with it"],
];

/** Synchronous throws: the constructor (queryAll, an iterator, rejects its first next()). */
const THROWS = [
  ['client without credentials', (_, api) => new EventsClient({ baseUrl: api }), 'TypeError',
    'EventsClient needs credentials: a non-empty token (and optionally refreshToken), or getToken'],
  ['client with an empty token', (_, api) => new EventsClient({ token: '', baseUrl: api }), 'TypeError',
    'EventsClient needs credentials: a non-empty token (and optionally refreshToken), or getToken'],
  ['client with token and getToken', (_, api) => new EventsClient({ token: 't', getToken: () => 't', baseUrl: api }), 'TypeError', 'give either token or getToken, not both'],
  ['client concurrency 0', (_, api) => new EventsClient({ token: 't', baseUrl: api, concurrency: 0 }), 'RangeError', 'concurrency must be an integer from 1 to 64, got 0'],
  ['client concurrency 100', (_, api) => new EventsClient({ token: 't', baseUrl: api, concurrency: 100 }), 'RangeError', 'concurrency must be an integer from 1 to 64, got 100'],
  ['client misspelled option', (_, api) => new EventsClient({ token: 't', baseUrl: api, timeout: 5 }), 'TypeError',
    /^EventsClient options: unknown option 'timeout' \(known: token, refreshToken, getToken, env, baseUrl, authUrl, concurrency, maxRetries, timeoutMs, allowInsecureHttp(, \w+)*\)$/],
];

function matches(message, expected) {
  return expected instanceof RegExp ? expected.test(message) : message === expected;
}

test(`bad input (${CREATE.length + OTHER.length + THROWS.length} cases) is refused with the documented error, and nothing is sent`, async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const cases = [
      ...CREATE.map(([what, events, second, name, message, server]) => ({
        what, name, message, server, events, call: () => client.createEvents(events, second),
      })),
      ...OTHER.map(([what, call, name, message]) => ({ what, name, message, call: () => call(client) })),
    ];
    assert.ok(cases.length + THROWS.length >= 40);
    let serverChecked = 0;
    for (const c of cases) {
      const before = (await stats(emu)).requests;
      let err;
      try {
        await c.call();
      } catch (e) {
        err = e;
      }
      assert.ok(err, `${c.what}: the call was accepted`);
      assert.ok(err instanceof Error, `${c.what}: an Error`);
      assert.equal(err.name, c.name, `${c.what}: ${err.message}`);
      assert.ok(matches(err.message, c.message), `${c.what}:\n  got      ${err.message.slice(0, 300)}\n  expected ${c.message}`);
      assert.ok(err.message.length < 1000, `${c.what}: a bounded message (${err.message.length} characters)`);
      if (c.name === 'ValidationError') {
        assert.ok(Array.isArray(err.problems) && err.problems.length > 0 && err.problemCount >= err.problems.length, c.what);
      }
      assert.deepEqual((await stats(emu)).requests, before, `${c.what}: no request was sent`);
      // The emulator refuses the same JSON, naming the same events.
      if (c.server) {
        const r = await raw(emu, token, 'POST', '/events', JSON.stringify(c.events));
        assert.equal(r.status, 400, `${c.what}: the emulator answered ${r.status}`);
        const lines = [].concat(r.body.message);
        const indices = [...new Set(lines.map((l) => Number(/^(\d+)/.exec(l)[1])))];
        assert.deepEqual(indices, c.server, `${c.what}: ${lines}`);
        assert.deepEqual([...new Set(err.problems.map((p) => p.index))], c.server, c.what);
        serverChecked++;
      }
    }
    for (const [what, call, name, message] of THROWS) {
      const before = (await stats(emu)).requests;
      assert.throws(() => call(client, emu.api), (e) => e.name === name && matches(e.message, message), what);
      assert.deepEqual((await stats(emu)).requests, before, `${what}: no request was sent`);
    }
    assert.equal((await stats(emu)).events, 0);
    figure(t, 'bad-input', { cases: cases.length + THROWS.length, alsoRefusedByEmulator: serverChecked });
  });
});

test('RFC 3339 dates at the edges of the grammar are taken by the client and the emulator alike: a leap second ending a UTC day, a fraction of any length', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const dates = ['2016-12-31T23:59:60Z', '1990-12-31T15:59:60-08:00', '2024-01-01T00:00:00.1234567890123Z'];
    const events = dates.map((start, i) => ({ ...good, collection: 'date-edges', externalId: `edge-${i}`, start, end: '2025-01-01T00:00:00Z' }));
    const result = await client.createEvents(events);
    assert.equal(result.created, 3);
    // The leap second sorts after the rest of its minute: an end there is not before a start at :59.999.
    const ordered = [{ ...good, collection: 'date-edges', externalId: 'edge-order', start: '2016-12-31T23:59:59.999Z', end: '2016-12-31T23:59:60Z' }];
    assert.equal((await client.createEvents(ordered)).created, 1);
    const back = await client.queryEvents({ filter: { collection: 'date-edges' } });
    assert.deepEqual(back.items.map((e) => e.start).sort(), [...dates, ordered[0].start].sort(), 'stored as sent');
  });
});

test('arrays that are not plain: an Array subclass whose constructor slice cannot call is read item by item; a list whose item read throws names that index, nothing sent', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    // `slice` makes its result with the subclass's constructor, here `new Batch(n)`: it throws.
    class Batch extends Array {
      constructor(items) {
        super();
        for (const e of items) this.push(e);
      }
    }
    for (const validate of ['all', 'chunk']) {
      const collection = `subclass-${validate}`;
      const events = makeEvents(25, collection);
      const result = await client.createEvents(new Batch(events), { chunksize: 10, validate });
      assert.equal(result.created, 25, validate);
      await assertStoredExactlyOnce(emu, token, collection, events);
    }
    // A lazy list whose row 3 fails to load.
    const rows = makeEvents(8, 'lazy-rows');
    const lazy = new Proxy(rows, {
      get(target, key, receiver) {
        if (key === '3') throw new Error('row 3 failed to load');
        return Reflect.get(target, key, receiver);
      },
    });
    const before = (await stats(emu)).requests;
    const failed = await client.createEvents(lazy).then(() => null, (e) => e);
    assert.equal(failed?.name, 'ValidationError', String(failed));
    assert.deepEqual(failed.problems.map((p) => [p.index, p.message]), [[3, 'event cannot be read: row 3 failed to load']]);
    const streamed = await client.createEvents(lazy, { validate: 'chunk' }).then(() => null, (e) => e);
    assert.equal(streamed?.name, 'SourceError', String(streamed));
    assert.equal(streamed.cause?.message, 'row 3 failed to load');
    assert.deepEqual((await stats(emu)).requests, before, 'nothing was sent');
  });
});

test('events one at a time (iterables, arrays read chunk by chunk): what JSON makes null is named as what it was, in the error and in onSkip, as for arrays', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const events = makeEvents(30, 'named-nulls');
    // Bad events at a batch's start, middle and end (batches of chunksize 10), and last.
    events[0] = { ...events[0], value: NaN };
    events[9] = { ...events[9], end: new Date('soon') };
    events[17] = { ...events[17], type: undefined, source: () => 1 };
    events[29] = { ...events[29], owner: Infinity };
    const expected = [
      [0, 'value must be a string, got NaN'],
      [9, 'end must be an RFC 3339 date-time or absent, got an invalid Date'],
      // In an object, JSON drops an undefined or function value (it makes null only in
      // arrays): the field is absent.
      [17, 'type is required'],
      [17, 'source is required'],
      [29, 'owner must be a non-empty string, got Infinity'],
    ];
    const before = (await stats(emu)).requests;
    const sources = {
      'sync generator': () => events.values(),
      'async generator': () => (async function* () { yield* events; })(),
      "array, validate: 'chunk'": () => events,
    };
    for (const [what, source] of Object.entries(sources)) {
      const opts = { chunksize: 10, validate: what.startsWith('array') ? 'chunk' : undefined };
      const failed = await client.createEvents(source(), opts).then(() => null, (e) => e);
      assert.equal(failed?.name, 'ValidationError', `${what}: ${failed}`);
      // A stream stops at its first bad event: that one is named.
      assert.deepEqual(failed.problems.map((p) => [p.index, p.message.replace(/^\w+: /, '')])[0], [0, 'value must be a string, got NaN'], what);
      const told = [];
      const skipped = await client.createEvents(source(), { ...opts, validate: undefined, onInvalid: 'skip', onSkip: (s) => told.push(...s.problems.map((p) => [s.index, p.message])) });
      assert.equal(skipped.created, 26, what);
      assert.deepEqual(told, expected, what);
      assert.deepEqual(skipped.skipped.problems.map((p) => [p.index, p.message]), expected, what);
    }
    assert.ok((await stats(emu)).requests.create > before.create);
    assert.equal((await stats(emu)).events, 3 * 26, 'only the good events were stored, by the three runs that skip');
  });
});
