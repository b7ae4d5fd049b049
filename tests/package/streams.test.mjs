// createEvents from bytes in headless Chromium with the installed package, against the
// real emulator (tests/package/app/streams.html builds each source in the page): every
// source kind a page has (File, Blob, File.stream(), a ReadableStream, a fetch body,
// Uint8Array, ArrayBuffer, iterables of pieces or of events), an event split at every
// byte position, multi-byte characters split across pieces, a bad event (stop, or skip
// and report) and the upload resumed past the stored prefix (resumeFrom, the File
// sliced), broken bytes, a source that fails midway. What the emulator holds is read here over
// plain HTTP (tests/reliability/helpers.mjs), never through the client. The Node runs of
// the same cases: tests/reliability/streams.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, ORIGIN, openPage } from './helpers.mjs';
import { assertStoredExactlyOnce, login, makeEvents, storedEvents } from '../reliability/helpers.mjs';

const emu = { origin: ORIGIN, api: `${ORIGIN}/api/v1` };
const enc = new TextEncoder();
const ndjson = (events) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const bytesOf = (text) => enc.encode(text).length;

let session;
let token;

before(async () => {
  ({ token } = await login(emu, 'streams-browser'));
  session = await openPage('/streams.html');
  await inPage(() => new Promise((resolve) => {
    const ready = () => (window.streams ? resolve() : setTimeout(ready, 10));
    ready();
  }));
  await inPage((t) => window.streams.connect(t), token);
});

after(async () => {
  await session?.close();
});

/** Runs `fn(arg)` in the page; fails at once on a page error, console error or failed request. */
function inPage(fn, arg) {
  return Promise.race([session.page.evaluate(fn, arg), session.failed]);
}
const upload = (arg) => inPage((a) => window.streams.upload(a), arg);

test('Chromium: every source kind a page has, NDJSON and a JSON array', async () => {
  const kinds = ['file', 'blob', 'file.stream()', 'readablestream', 'uint8array', 'arraybuffer',
    'async iterable of bytes', 'async iterable of strings', 'sync iterable of bytes', 'fetch body', 'async iterable of events'];
  // Sources that know their size say it in progress.bytesTotal.
  const sized = new Set(['file', 'blob', 'uint8array', 'arraybuffer']);
  const served = join(APP, 'streams-fetch.ndjson');
  try {
    for (const kind of kinds) {
      const collection = `browser-src-${kind.replace(/\W+/g, '-')}`;
      const events = makeEvents(2500, collection);
      const text = ndjson(events);
      let url;
      if (kind === 'fetch body') {
        writeFileSync(served, text);
        url = '/streams-fetch.ndjson';
      }
      const out = await upload({ kind, text, url, cuts: [7, 300, 301, 2000], options: { chunksize: 1000, returnIds: true } });
      assert.ok(out.ok, `${kind}: ${JSON.stringify(out.error)}`);
      assert.equal(out.result.created, 2500, kind);
      assert.deepEqual(out.result.chunks, [[0, 1000], [1000, 2000], [2000, 2500]], kind);
      assert.equal(out.progress.at(-1).eventsTotal, undefined, kind);
      if (kind === 'async iterable of events') {
        assert.equal(out.progress.at(-1).bytesDone, undefined, 'events have no bytes');
      } else {
        assert.equal(out.progress.at(-1).bytesDone, bytesOf(text), `${kind}: bytesDone`);
        assert.equal(out.progress.at(-1).bytesTotal, sized.has(kind) ? bytesOf(text) : undefined, `${kind}: bytesTotal`);
      }
      await assertStoredExactlyOnce(emu, token, collection, events, out.result.ids);
    }
  } finally {
    rmSync(served, { force: true });
  }
  // A JSON array with a BOM and CRLF line ends, from a stream, format detected.
  const events = makeEvents(1200, 'browser-src-json');
  const text = `\uFEFF[\r\n${events.map((e) => JSON.stringify(e)).join(',\r\n')}\r\n]\r\n`;
  const out = await upload({ kind: 'file.stream()', text, options: { chunksize: 500, returnIds: true } });
  assert.ok(out.ok, JSON.stringify(out.error));
  assert.deepEqual(out.result.chunks, [[0, 500], [500, 1000], [1000, 1200]]);
  await assertStoredExactlyOnce(emu, token, 'browser-src-json', events, out.result.ids);
});

test('Chromium: an event split at every byte position, multi-byte characters split across pieces', async () => {
  const collection = 'browser-split';
  // "@@@@" becomes each upload's cut position: the same bytes, externalIds of their own.
  const events = makeEvents(3, collection, 'cut-@@@@').map((e, i) => ({ ...e, value: `été ${i} 😀 ✓ 𝄞` }));
  const text = ndjson(events);
  const bytes = enc.encode(text);
  // Cuts inside a character: before a UTF-8 continuation byte (2-, 3- and 4-byte characters).
  const insideChars = [...bytes.keys()].filter((i) => i > 0 && (bytes[i] & 0xc0) === 0x80);
  // é (2 bytes) twice, 😀 and 𝄞 (4), ✓ (3): 10 such positions per event.
  assert.equal(insideChars.length, 3 * 10, 'cuts fall inside 2-, 3- and 4-byte characters');

  const outcomes = await inPage((a) => window.streams.everyCut(a), { text, mark: '@@@@' });
  assert.equal(outcomes.length, bytes.length - 1, 'one upload per position');
  assert.deepEqual(outcomes.filter(([, created]) => created !== 3), [], 'every split upload stored its 3 events');

  const stored = new Map((await storedEvents(emu, token, { collection })).map((e) => [e.externalId, e]));
  assert.equal(stored.size, 3 * (bytes.length - 1));
  for (let cut = 1; cut < bytes.length; cut++) {
    const id = String(cut).padStart(4, '0');
    for (const e of events) {
      const want = { ...e, externalId: e.externalId.replace('@@@@', id) };
      const got = stored.get(want.externalId);
      assert.ok(got, `cut at ${cut}: ${want.externalId} stored`);
      for (const k of Object.keys(want)) assert.equal(got[k], want[k], `cut at ${cut}: ${want.externalId}.${k}`);
    }
  }

  // One byte per piece of a ReadableStream: every event and every character split at once.
  const oneByOne = events.map((e, i) => ({ ...e, collection: 'browser-bytewise', externalId: `bytewise-${i}` }));
  const t2 = ndjson(oneByOne);
  const cuts = Array.from({ length: bytesOf(t2) - 1 }, (_, i) => i + 1);
  const out = await upload({ kind: 'readablestream', text: t2, cuts, options: { returnIds: true } });
  assert.ok(out.ok, JSON.stringify(out.error));
  await assertStoredExactlyOnce(emu, token, 'browser-bytewise', oneByOne, out.result.ids);
});

test('Chromium: a bad event stops the upload (index, line and offset named, nothing after it sent), the mended File resumes past the stored prefix; onInvalid skip leaves it out', async () => {
  const good = makeEvents(3000, 'browser-bad');
  const lines = good.map((e) => JSON.stringify(e));
  lines.splice(2500, 0, JSON.stringify({ ...good[0], start: 'yesterday', externalId: 'the-bad-one' }));
  const text = lines.join('\n') + '\n';
  const offset = bytesOf(lines.slice(0, 2500).join('\n') + '\n');
  // Pieces of 1000 lines: chunk 0 leaves while the piece that holds the bad line is read.
  const cuts = [1000, 2000, 3000].map((n) => bytesOf(lines.slice(0, n).join('\n') + '\n'));
  const out = await upload({ kind: 'readablestream', text, cuts, options: { chunksize: 1000, concurrency: 1, returnIds: true } });
  assert.equal(out.ok, false);
  const err = out.error;
  assert.equal(err.name, 'ValidationError', err.message);
  assert.ok(err.isValidationError && err.isEventsError, 'an instance of the exported classes');
  assert.deepEqual(err.problems.map((p) => [p.index, p.line, p.offset, p.field]), [[2500, 2501, offset, 'start']]);
  assert.match(err.message, /nothing after it was sent.*1000 events were stored before \(resume with runId /);
  assert.equal(err.created, 1000);
  assert.deepEqual(err.succeeded, [[0, 1000]]);
  assert.deepEqual(out.posts, [201], 'one create request, none after the bad event was seen');
  await assertStoredExactlyOnce(emu, token, 'browser-bad', good.slice(0, 1000), err.succeededIds);
  // The stored prefix ends with event 999, before its newline.
  assert.deepEqual(err.resumeFrom, { events: 1000, bytes: cuts[0] - 1, line: 1000 });

  // The bad line mended, the same runId and resumeFrom, as a File: it is sliced past the
  // prefix, and the rest is sent with the first run's chunks and keys.
  const mended = text.replace('"start":"yesterday"', `"start":"${good[0].start}"`);
  const resumed = await upload({ kind: 'file', text: mended, options: { chunksize: 1000, concurrency: 1, runId: err.runId, resumeFrom: err.resumeFrom } });
  assert.ok(resumed.ok, JSON.stringify(resumed.error));
  assert.equal(resumed.result.created, 2001);
  assert.deepEqual(resumed.result.chunks, [[1000, 2000], [2000, 3000], [3000, 3001]]);
  assert.deepEqual(resumed.posts, [201, 201, 201], 'nothing before the prefix was sent again');
  const all = [...good.slice(0, 2500), { ...good[0], externalId: 'the-bad-one' }, ...good.slice(2500)];
  await assertStoredExactlyOnce(emu, token, 'browser-bad', all);

  // The same events as a File with onInvalid: 'skip', into a fresh collection (of a name
  // as long, so that the bad line's offset is the same).
  const text2 = text.replaceAll('"collection":"browser-bad"', '"collection":"browser-skp"');
  const skipped = await upload({ kind: 'file', text: text2, options: { chunksize: 1000, onInvalid: 'skip' } });
  assert.ok(skipped.ok, JSON.stringify(skipped.error));
  assert.equal(skipped.result.created, 3000);
  assert.equal(skipped.result.skipped.count, 1);
  assert.deepEqual(skipped.result.skipped.problems.map((p) => [p.index, p.line, p.offset, p.field]), [[2500, 2501, offset, 'start']]);
  const stored = await storedEvents(emu, token, { collection: 'browser-skp' });
  assert.equal(stored.length, 3000);
  assert.ok(!stored.some((e) => e.externalId === 'the-bad-one'));
});

test('Chromium: broken bytes are named by line and byte offset, and nothing is sent', async () => {
  const [a, b] = makeEvents(2, 'browser-broken').map((e) => JSON.stringify(e));
  const line2 = bytesOf(a) + 1; // where the second line starts
  const badUtf8 = enc.encode(`${a}\n${b}\n`);
  badUtf8[line2 + b.indexOf('v1')] = 0xff; // inside the second event's value
  const cases = [
    { what: 'invalid UTF-8', bytes: [...badUtf8], want: [1, 2, line2], message: /event is not valid UTF-8/ },
    { what: 'a truncated last event', text: `${a}\n${b.slice(0, 30)}`, want: [1, 2, line2], message: /event is not valid JSON/ },
    { what: 'an unterminated string (JSON array)', text: `[${a},\n{"owner":"1`, want: [1, 2, bytesOf(`[${a},\n{"owner":"1`)], message: /the input ends early: a string is not terminated/ },
    { what: 'trailing text after a JSON array', text: `[${a}]\n x`, want: [1, 2, bytesOf(`[${a}]\n `)], message: /line 2, byte \d+: text after the end of the JSON array/ },
    { what: 'a value that is not an object', text: `${a}\n42\n`, want: [1, 2, line2], message: /event must be an object, got number/ },
    { what: 'an unclosed JSON array', text: `[${a},${b}`, want: [2, 1, bytesOf(`[${a},${b}`)], message: /the JSON array is not closed/ },
  ];
  for (const c of cases) {
    for (const kind of ['file', 'readablestream']) {
      const out = await upload({ kind, text: c.text ?? c.bytes, cuts: [5, line2 + 3] });
      assert.equal(out.ok, false, `${c.what} (${kind})`);
      assert.equal(out.error.name, 'ValidationError', `${c.what} (${kind}): ${out.error.message}`);
      assert.match(out.error.message, c.message, `${c.what} (${kind})`);
      const [p] = out.error.problems;
      assert.deepEqual([p.index, p.line, p.offset], c.want, `${c.what} (${kind}): ${JSON.stringify(p)}`);
      assert.equal(out.error.created, 0);
      assert.deepEqual(out.posts, [], `${c.what} (${kind}): nothing sent`);
    }
  }
  assert.equal((await storedEvents(emu, token, { collection: 'browser-broken' })).length, 0);
});

test('Chromium: a stream that fails midway: CreateEventsError with its cause and what was stored', async () => {
  const events = makeEvents(2000, 'browser-failing');
  const text = ndjson(events.slice(0, 1500));
  const out = await upload({ kind: 'failing stream', text, cuts: [bytesOf(ndjson(events.slice(0, 700)))], options: { chunksize: 1000, concurrency: 1, returnIds: true } });
  assert.equal(out.ok, false);
  assert.equal(out.error.name, 'CreateEventsError', out.error.message);
  assert.deepEqual(out.error.cause, { name: 'Error', message: 'the disk went away' });
  assert.match(out.error.message, /the source failed: the disk went away/);
  assert.equal(out.error.created, 1000);
  await assertStoredExactlyOnce(emu, token, 'browser-failing', events.slice(0, 1000), out.error.succeededIds);
});
