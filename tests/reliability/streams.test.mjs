// createEvents from bytes (NDJSON or a JSON array) against a real emulator: every
// source kind, events and multi-byte characters split across pieces, bad events
// (stop, or skip and report) with their line and byte offset, broken bytes, a source
// that fails midway, and reading no faster than chunks leave.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { withEmulator, login, loadClient, makeEvents, assertStoredExactlyOnce, storedEvents, stats, tempDir, waitFor } from './helpers.mjs';

const { EventsClient, SourceError } = loadClient();
const enc = new TextEncoder();

const ndjson = (events) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
/** `bytes` cut at `cuts` (byte positions, ascending). */
function pieces(bytes, cuts) {
  const out = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(at, c));
    at = c;
  }
  return out;
}

async function clientFor(emu, extra = {}) {
  const { token } = await login(emu);
  return { token, client: new EventsClient({ token, baseUrl: emu.api, ...extra }) };
}

test('every source kind: bytes, ArrayBuffer, Blob, ReadableStream, async and sync iterables, a Node Readable, a JSON array', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withEmulator([], async (emu) => {
      const { token, client } = await clientFor(emu);
      const cases = {
        uint8array: (b) => b,
        arraybuffer: (b) => b.slice().buffer,
        blob: (b) => new Blob([b]),
        readablestream: (b) => new Blob([b]).stream(),
        'async iterable of strings': (b) => (async function* () {
          for (const p of pieces(b, [7, 300, 301, 2000])) yield new TextDecoder().decode(p);
        })(),
        'sync iterable of bytes': (b) => (function* () {
          yield* pieces(b, [1, 2, 3, 999]);
        })(),
        // ArrayBuffers first and among Uint8Arrays: pieces of bytes, not events.
        'async iterable of ArrayBuffers': (b) => (async function* () {
          let i = 0;
          for (const p of pieces(b, [5, 600, 601, 3000])) yield i++ % 2 ? p : p.slice().buffer;
        })(),
        'node readable': (b, name) => {
          const file = join(dir, `${name}.ndjson`);
          writeFileSync(file, b);
          return createReadStream(file, { highWaterMark: 1000 });
        },
        'readable.from': (b) => Readable.from(pieces(b, [500, 501])),
      };
      for (const [name, make] of Object.entries(cases)) {
        const collection = `src-${name.replace(/\W+/g, '-')}`;
        const events = makeEvents(2500, collection);
        const bytes = enc.encode(ndjson(events));
        const progress = [];
        const result = await client.createEvents(make(bytes, collection.slice(4)), { chunksize: 1000, returnIds: true, onProgress: (p) => progress.push(p) });
        assert.equal(result.created, 2500, name);
        assert.deepEqual(result.chunks.map((c) => [c.from, c.to]), [[0, 1000], [1000, 2000], [2000, 2500]], name);
        await assertStoredExactlyOnce(emu, token, collection, events, result.ids);
        assert.equal(progress.at(-1).bytesDone, bytes.length, `${name}: bytesDone`);
        assert.equal(progress.at(-1).eventsTotal, undefined);
      }
      // A JSON array, streamed, with a BOM and CRLF.
      const events = makeEvents(1200, 'src-json');
      const json = enc.encode(`\uFEFF[\r\n${events.map((e) => JSON.stringify(e)).join(',\r\n')}\r\n]\r\n`);
      const result = await client.createEvents(new Blob([json]).stream(), { chunksize: 500, format: 'json', returnIds: true });
      await assertStoredExactlyOnce(emu, token, 'src-json', events, result.ids);
    });
  } finally {
    cleanup();
  }
});

test('events and multi-byte characters split across pieces are read whole', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(3, 'split').map((e, i) => ({ ...e, value: `été ${i} 😀 ✓` }));
    const bytes = enc.encode(ndjson(events));
    // Every 5th byte position, so that cuts fall inside keys, strings and the 4-byte emoji.
    for (let cut = 1; cut < bytes.length; cut += 5) {
      const collection = `split-${cut}`;
      const mine = events.map((e) => ({ ...e, collection }));
      const b = enc.encode(ndjson(mine));
      const result = await client.createEvents((async function* () {
        yield b.subarray(0, cut);
        yield b.subarray(cut);
      })());
      const stored = await storedEvents(emu, token, { collection });
      assert.deepEqual(stored.map((s) => s.value), mine.map((e) => e.value), `cut at ${cut}`);
      assert.equal(result.created, 3);
    }
  });
});

test('string pieces cut inside a surrogate pair are read whole; an unpaired surrogate in a string piece is a bad event, not U+FFFD stored', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    // Every UTF-16 position, by sync and by async pieces: cuts fall between the halves of each pair.
    const textFor = (collection) => ndjson(makeEvents(2, collection).map((e, i) => ({ ...e, value: `a😀b ${i} 𝄞` })));
    const length = textFor('utf16-0000').length;
    for (let cut = 1; cut < length; cut++) {
      const collection = `utf16-${String(cut).padStart(4, '0')}`;
      const text = textFor(collection);
      const pieces = [text.slice(0, cut), text.slice(cut)];
      const source = cut % 2 ? pieces[Symbol.iterator]() : (async function* () { yield* pieces; })();
      const result = await client.createEvents(source);
      assert.equal(result.created, 2, `cut at ${cut}`);
      const stored = await storedEvents(emu, token, { collection });
      assert.deepEqual(stored.map((s) => s.value), ['a😀b 0 𝄞', 'a😀b 1 𝄞'], `cut at ${cut}`);
    }
    // A raw lone surrogate (JSON.stringify would have escaped it): inside a piece, a low
    // one starting a piece, a high one ending a piece before text or ending the input.
    // Its event is refused with its line (TextEncoder would have stored U+FFFD instead).
    const [good, bad] = makeEvents(2, 'lone');
    const [head, tail] = JSON.stringify({ ...bad, value: 'xQy' }).split('Q');
    const goodLine = JSON.stringify(good) + '\n';
    for (const [pieces, at] of [
      [[goodLine + head + '\uD800' + tail + '\n'], 2],
      [[goodLine + head, '\uDC00' + tail + '\n'], 2],
      [[head + '\uD83D', tail + '\n', goodLine], 1],
      [[goodLine, '\uD83D'], 2],
    ]) {
      const err = await client.createEvents(pieces[Symbol.iterator]()).then(() => null, (e) => e);
      assert.equal(err?.name, 'ValidationError', String(err));
      assert.equal(err.problems[0].line, at, JSON.stringify(err.problems));
      assert.match(err.problems[0].message, /unpaired UTF-16 surrogate/, JSON.stringify(err.problems));
    }
    // A held high surrogate that bytes follow comes before them, also for a resume that
    // skips past it: the events after it are read whole.
    const [e1, e2, e3, e4] = makeEvents(4, 'held-resume');
    const [h2, t2] = JSON.stringify({ ...e2, value: 'xQy' }).split('Q');
    const l = (e) => JSON.stringify(e) + '\n';
    // The first run read the file up to e3 (as if it had stopped there), its resume point
    // saved as it went.
    const runId = 'held-resume-run';
    let resumeFrom;
    const first = [l(e1), h2 + '\uD800', enc.encode(t2 + '\n' + l(e3))];
    const firstRun = await client.createEvents(first.values(), { chunksize: 1, onInvalid: 'skip', runId, onProgress: (p) => (resumeFrom = p.resumeFrom) });
    assert.equal(firstRun.created, 2);
    assert.equal(resumeFrom.events, 3, JSON.stringify(resumeFrom));
    const skipped = [];
    const whole = [l(e1), h2 + '\uD800', enc.encode(t2 + '\n' + l(e3) + l(e4))];
    const resumed = await client.createEvents(whole.values(), {
      chunksize: 1, onInvalid: 'skip', runId, resumeFrom, onSkip: (x) => skipped.push(x),
    });
    assert.equal(resumed.created, 1);
    assert.deepEqual(skipped, [], 'nothing after the resume point is bad');
    const stored = await storedEvents(emu, token, { collection: 'held-resume' });
    assert.deepEqual(stored.map((x) => x.externalId).sort(), [e1, e3, e4].map((x) => x.externalId).sort());
  });
});

test('a bad event stops the upload (its line and offset named, what was stored said); onInvalid skip leaves it out and reports it', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const good = makeEvents(3000, 'bad');
    const lines = good.map((e) => JSON.stringify(e));
    lines.splice(2500, 0, JSON.stringify({ ...good[0], start: 'yesterday', externalId: 'the-bad-one' }));
    const text = lines.join('\n') + '\n';
    const offset = enc.encode(lines.slice(0, 2500).join('\n') + '\n').length;
    const before = (await stats(emu)).requests.create;
    // Pieces of 1000 lines: chunk 0 leaves while piece 2, which holds the bad line, is read.
    const byThousand = (async function* () {
      for (let i = 0; i < lines.length; i += 1000) yield enc.encode(lines.slice(i, i + 1000).join('\n') + '\n');
    })();
    const err = await client.createEvents(byThousand, { chunksize: 1000, returnIds: true }).then(() => null, (e) => e);
    assert.equal(err?.name, 'ValidationError', err?.message);
    assert.deepEqual(err.problems.map((p) => [p.index, p.line, p.offset, p.field]), [[2500, 2501, offset, 'start']]);
    assert.match(err.message, /nothing after it was sent.*1000 events were stored before \(resume with runId /);
    // Events 1000-1999 were valid, but their chunk was framed only once the piece with the
    // bad line was read: no chunk is sent after a bad event is seen.
    assert.equal(err.created, 1000);
    assert.deepEqual(err.succeeded.map((c) => [c.from, c.to]), [[0, 1000]]);
    assert.equal((await stats(emu)).requests.create - before, 1, 'no chunk after the bad event was sent');
    await assertStoredExactlyOnce(emu, token, 'bad', good.slice(0, 1000), err.succeeded.flatMap((c) => c.ids));
    // All of it at once: the bad event is seen before anything is sent.
    const whole = await client.createEvents(enc.encode(text.replaceAll('"collection":"bad"', '"collection":"whole"')), { chunksize: 1000 }).then(() => null, (e) => e);
    assert.equal(whole?.created, 0);
    assert.equal((await storedEvents(emu, token, { collection: 'whole' })).length, 0);

    // The same bytes with onInvalid: 'skip', into a fresh collection.
    const text2 = text.replaceAll('"collection":"bad"', '"collection":"skip"');
    const told = [];
    const result = await client.createEvents(enc.encode(text2), { chunksize: 1000, onInvalid: 'skip', onSkip: (e) => told.push(e) });
    assert.equal(result.created, 3000);
    assert.equal(told.length, 1);
    assert.equal(told[0].text, lines[2500].replaceAll('"collection":"bad"', '"collection":"skip"'), 'the event as it was read');
    assert.deepEqual([told[0].index, told[0].line, told[0].problems.map((p) => p.field)], [2500, 2501, ['start']]);
    assert.equal(result.skipped.count, 1);
    assert.deepEqual(result.skipped.problems.map((p) => [p.index, p.line, p.field]), [[2500, 2501, 'start']]);
    const stored = await storedEvents(emu, token, { collection: 'skip' });
    assert.equal(stored.length, 3000);
    assert.ok(!stored.some((e) => e.externalId === 'the-bad-one'));
  });
});

test('broken bytes: trailing text after the array, a truncated array, pieces that are not bytes', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const e = JSON.stringify(makeEvents(1, 'broken')[0]);
    const trailing = await client.createEvents(enc.encode(`[${e}]\n x`)).then(() => null, (x) => x);
    assert.equal(trailing?.name, 'ValidationError');
    assert.match(trailing.message, /line 2, byte \d+: text after the end of the JSON array/);
    assert.equal(trailing.problems[0].line, 2);
    const truncated = await client.createEvents(enc.encode(`[${e},${e}`)).then(() => null, (x) => x);
    assert.match(truncated?.message ?? '', /the input ends early: the JSON array is not closed/);
    const wrong = await client.createEvents([enc.encode(e + '\n'), 2].values()).then(() => null, (x) => x);
    assert.equal(wrong?.name, 'TypeError', wrong?.message);
    assert.match(wrong.message, /the source's pieces must be Uint8Array, ArrayBuffer or string, got number/);
    // A detached ArrayBuffer (transferred away: its bytes are gone), whole or as a piece,
    // is a SourceError, and a call running alongside is not disturbed.
    const detached = () => {
      const b = enc.encode(e + '\n').buffer;
      structuredClone(b, { transfer: [b] });
      return b;
    };
    const detachedView = () => {
      const u = enc.encode(e + '\n');
      structuredClone(u.buffer, { transfer: [u.buffer] });
      return u; // a Uint8Array of length 0 now
    };
    const alongside = client.createEvents(enc.encode(e + '\n'));
    const sources = [
      detached(), [detached()], [detached()].values(), [enc.encode(e + '\n'), detached()].values(),
      detachedView(), [enc.encode(e + '\n'), detachedView()].values(),
    ];
    for (const source of sources) {
      const gone = await client.createEvents(source).then(() => null, (x) => x);
      assert.equal(gone?.name, 'SourceError', String(gone)); // nothing was sent
      assert.match(gone.cause?.message, /detached/);
    }
    assert.equal((await alongside).created, 1, 'the call alongside settled');
    // A Uint8Array subclass whose constructor takes one argument (subarray would call it
    // with three): read through a plain view of the same bytes, whole, as pieces, empty.
    class Strict extends Uint8Array {
      constructor(...args) {
        if (args.length > 1) throw new TypeError('Strict takes one argument');
        super(...args);
      }
    }
    const strict = new Strict(enc.encode(`${e}\n${e}\n`));
    assert.equal((await client.createEvents(strict)).created, 2);
    assert.equal((await client.createEvents([strict, new Strict(enc.encode(`${e}\n`))].values())).created, 3);
    assert.equal((await client.createEvents(new Strict(0))).created, 0);
    // An iterable whose first item is not bytes is one of events: a number is a bad event.
    const numbers = await client.createEvents([1, 2].values()).then(() => null, (x) => x);
    assert.equal(numbers?.name, 'ValidationError', numbers?.message);
    assert.deepEqual(numbers.problems.map((p) => [p.index, p.line]), [[0, undefined], [1, undefined]]);
  });
});

test('a source that fails midway: the error carries its cause and what was stored', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const events = makeEvents(2000, 'failing');
    const first = enc.encode(ndjson(events.slice(0, 1500)));
    const disk = new Error('the disk went away');
    const err = await client.createEvents((async function* () {
      yield first;
      throw disk;
    })(), { chunksize: 1000, returnIds: true }).then(() => null, (x) => x);
    assert.equal(err?.name, 'CreateEventsError', err?.message);
    assert.equal(err.cause, disk);
    assert.match(err.message, /the source failed: the disk went away/);
    assert.doesNotMatch(err.message, /network error/, 'the source, not the network');
    assert.equal(err.created, 1000);
    await assertStoredExactlyOnce(emu, token, 'failing', events.slice(0, 1000), err.succeeded.flatMap((c) => c.ids));

    // Before anything was sent (a source function that throws): a SourceError, not passing trouble.
    const before = (await stats(emu)).requests.create;
    const thrown = new Error('no such export');
    const early = await client.createEvents(() => { throw thrown; }).then(() => null, (x) => x);
    assert.equal(early?.name, 'SourceError', String(early));
    assert.ok(early instanceof SourceError);
    assert.equal(early.retryable, false);
    assert.equal(early.cause, thrown);
    assert.equal(early.message, 'the source failed: no such export');
    assert.equal((await stats(emu)).requests.create, before, 'nothing sent');
    // A stream or a generator that fails at its first read, a Blob that cannot be read:
    // nothing was sent either, a SourceError too.
    const gone = new Error('disk gone');
    const failingSources = [
      new ReadableStream({ pull: (c) => c.error(gone) }),
      (async function* () { throw gone; })(),
      { size: 10, slice() { return this; }, stream: () => new ReadableStream({ pull: (c) => c.error(gone) }) },
    ];
    for (const source of failingSources) {
      const e = await client.createEvents(source).then(() => null, (x) => x);
      assert.ok(e instanceof SourceError, `${e?.name}: ${e?.message}`);
      assert.equal(e.cause, gone);
      assert.equal(e.message, 'the source failed: disk gone');
    }
    // validate: 'all' reads the source whole before sending anything: a failure there too.
    const checked = await client.createEvents(() => new ReadableStream({ pull: (c) => c.error(gone) }), { validate: 'all' }).then(() => null, (x) => x);
    assert.ok(checked instanceof SourceError, `${checked?.name}: ${checked?.message}`);
    assert.equal(checked.cause, gone);
    assert.equal((await stats(emu)).requests.create, before, 'nothing sent');

    // A function may return an array of events too (read afresh, chunk by chunk).
    const fromFunction = makeEvents(30, 'function-array');
    const made = await client.createEvents(() => fromFunction, { chunksize: 10, validate: 'all' });
    assert.equal(made.created, 30);
    await assertStoredExactlyOnce(emu, token, 'function-array', fromFunction);
  });
});

test('an abort while the source gives nothing (a stream kept open) rejects at once; the stream is cancelled and released', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const events = makeEvents(15, 'stalled'); // a chunk of 10 leaves; 5 wait in the framer for more
    for (const kind of ['ReadableStream', 'async generator']) {
      const controller = new AbortController();
      const reason = new Error('user left');
      let cancelled;
      let finished = false;
      let onStored;
      const source = kind === 'ReadableStream'
        ? new ReadableStream({
          start(c) {
            c.enqueue(enc.encode(ndjson(events))); // then nothing, never closed
          },
          cancel(why) {
            cancelled = why ?? 'cancelled';
          },
        })
        : (async function* () {
          try {
            yield enc.encode(ndjson(events));
            await new Promise(() => {}); // a producer that never answers again
          } finally {
            finished = true;
          }
        })();
      // Aborted once the client has the first chunk's answer (the emulator counts a
      // request when it arrives, before its answer has come back: too early to abort on).
      const firstStored = new Promise((resolve) => {
        onStored = resolve;
      });
      const upload = client.createEvents(source, {
        chunksize: 10,
        signal: controller.signal,
        onProgress: (p) => p.chunksDone === 1 && onStored(),
      });
      await firstStored;
      controller.abort(reason);
      const err = await upload.then(() => null, (e) => e);
      assert.equal(err?.name, 'AbortError', `${kind}: ${err}`);
      assert.equal(err.cause, reason);
      assert.equal(err.created, 10);
      if (kind === 'ReadableStream') {
        assert.ok(cancelled !== undefined, 'the stream was cancelled');
        assert.equal(source.locked, false, 'and its lock released');
      } else {
        assert.equal(finished, false, "a generator's pending step cannot be cut short (return() waits for it)");
      }
    }
  });
});

test('a source left early is closed: a generator\'s finally runs, a Node stream is destroyed, a ReadableStream cancelled', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const events = makeEvents(30, 'left-early');
    const bad = enc.encode(ndjson(events.slice(0, 10)) + '{"not":"an event"}\n' + ndjson(events.slice(10)));
    let closed = false;
    const generator = (function* () {
      try {
        for (const piece of pieces(bad, [50, 400, 1200])) yield piece;
        yield* pieces(bad, []); // never reached: the bad event stops the upload first
      } finally {
        closed = true;
      }
    })();
    let cancelled = false;
    const stream = new ReadableStream({
      pull(c) {
        c.enqueue(bad); // as much as asked: the stream never ends by itself
      },
      cancel() {
        cancelled = true;
      },
    });
    const readable = Readable.from((function* () {
      for (;;) yield Buffer.from(bad);
    })());
    for (const [what, source, check] of [
      ['a sync generator', generator, () => closed],
      ['a ReadableStream', stream, () => cancelled && !stream.locked],
      ['a Node Readable', readable, () => readable.destroyed],
    ]) {
      const err = await client.createEvents(source, { chunksize: 10 }).then(() => null, (e) => e);
      assert.equal(err?.name, 'ValidationError', `${what}: ${err}`);
      await waitFor(async () => check(), `${what} closed`, { timeoutMs: 10_000 });
    }
  });
});

test('the source is read only as fast as chunks leave', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu, { concurrency: 2 });
    const events = makeEvents(20_000, 'paced');
    let pulled = 0;
    let most = 0;
    const source = (async function* () {
      for (let i = 0; i < events.length; i += 1000) {
        pulled++;
        yield enc.encode(ndjson(events.slice(i, i + 1000)));
      }
    })();
    const result = await client.createEvents(source, {
      chunksize: 1000,
      onProgress: (p) => (most = Math.max(most, pulled - p.chunksDone)),
    });
    assert.equal(result.created, 20_000);
    // In flight (2), one framed and waiting, one being cut: never the whole source.
    assert.ok(most <= 5, `read ${most} pieces ahead of the stored chunks`);
  });
});

test('iterables of event objects: sync and async generators, chunked as arrays are; an event JSON cannot hold is a bad event', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(2500, 'objects');
    // A generator over a "cursor", events made as they are read; Dates as arrays take them.
    const cursor = async function* () {
      for (const e of events) yield { ...e, start: new Date(e.start) };
    };
    const result = await client.createEvents(cursor(), { chunksize: 1000, returnIds: true });
    assert.deepEqual(result.chunks.map((c) => [c.from, c.to]), [[0, 1000], [1000, 2000], [2000, 2500]]);
    await assertStoredExactlyOnce(emu, token, 'objects', events, result.ids);
    const sync = makeEvents(10, 'objects-sync');
    const again = await client.createEvents(sync.values(), 4);
    assert.equal(again.created, 10);
    assert.deepEqual(again.ids, [], 'a stream\'s ids are not kept unless returnIds');
    await assertStoredExactlyOnce(emu, token, 'objects-sync', sync);

    const before = (await stats(emu)).requests.create;
    const bad = makeEvents(5, 'objects-bad');
    bad[3] = { ...bad[3], value: 10n };
    const err = await client.createEvents(bad.values()).then(() => null, (x) => x);
    assert.equal(err?.name, 'ValidationError', err?.message);
    assert.equal(err.problems[0].index, 3);
    assert.match(err.problems[0].message, /cannot be serialized to JSON.*BigInt/i);
    assert.equal(err.problems[0].line, undefined, 'events have no lines');
    assert.equal((await stats(emu)).requests.create, before, 'nothing was sent');
  });
});

test("an array with onInvalid: 'skip' or validate: 'chunk' is read as the iterable of events it is: bad events skipped, or valid chunks sent before a later bad one", async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(25, 'array-skip');
    const bad = [3, 17];
    const input = events.map((e, i) => (bad.includes(i) ? { ...e, start: 'not a date' } : e));
    const told = [];
    const result = await client.createEvents(input, { chunksize: 10, onInvalid: 'skip', onSkip: (s) => told.push(s.index) });
    const kept = events.filter((_, i) => !bad.includes(i));
    assert.equal(result.created, 23);
    assert.equal(result.skipped.count, 2);
    assert.deepEqual(result.skipped.problems.map((p) => [p.index, p.field]), [[3, 'start'], [17, 'start']]);
    assert.deepEqual(told, bad);
    // Arrays keep their returnIds default: every stored event's id, in input order.
    assert.equal(result.ids.length, 23);
    await assertStoredExactlyOnce(emu, token, 'array-skip', kept, result.ids);

    const perChunk = makeEvents(25, 'array-per-chunk').map((e, i) => (i === 22 ? { ...e, owner: '' } : e));
    const err = await client.createEvents(perChunk, { chunksize: 10, validate: 'chunk' }).then(() => null, (e) => e);
    assert.equal(err?.name, 'ValidationError', String(err));
    assert.deepEqual(err.problems.map((p) => [p.index, p.field]), [[22, 'owner']]);
    // The chunks before the bad one that had left when it was found (at most the two).
    assert.ok(err.created === 10 || err.created === 20, `created ${err.created}`);
    assert.deepEqual(err.succeeded.map((c) => c.from), err.created === 10 ? [0] : [0, 10]);

    // An event JSON.stringify refuses, in the window read at once: its own index.
    const unserializable = makeEvents(25, 'array-chunk-bigint').map((e, i) => (i === 13 ? { ...e, value: 1n } : e));
    const refused = await client.createEvents(unserializable, { chunksize: 10, validate: 'chunk' }).then(() => null, (e) => e);
    assert.equal(refused?.name, 'ValidationError', String(refused));
    assert.deepEqual(refused.problems.map((p) => p.index), [13]);
    // The first chunk is sent only if it had left before the read that found the bad event.
    assert.ok(refused.created === 0 || refused.created === 10, `created ${refused.created}`);
    assert.deepEqual(refused.succeeded.map((c) => [c.from, c.to]), refused.created ? [[0, 10]] : []);

    // Resumed: the array is read from resumeFrom.events on, numbered on from it, and its
    // length says how many events are to be stored.
    const resumed = makeEvents(25, 'array-chunk-resume');
    const progress = [];
    const again = await client.createEvents(resumed, { chunksize: 10, validate: 'chunk', resumeFrom: { events: 10 }, onProgress: (p) => progress.push(p) });
    assert.equal(again.created, 15);
    assert.deepEqual(again.chunks.map((c) => [c.from, c.to]), [[10, 20], [20, 25]]);
    // (the two chunks land in either order)
    assert.deepEqual(progress.map((p) => p.eventsTotal), [15, 15]);
    assert.equal(progress.at(-1).eventsDone, 15);
    await assertStoredExactlyOnce(emu, token, 'array-chunk-resume', resumed.slice(10), again.ids);
    const past = await client.createEvents(resumed, { validate: 'chunk', resumeFrom: { events: 26 } }).then(() => null, (e) => e);
    assert.equal(past?.name, 'RangeError', String(past));
    assert.match(past.message, /resumeFrom\.events \(26\) is past the end of the events \(25\)/);
    const withBytes = await client.createEvents(resumed, { onInvalid: 'skip', resumeFrom: { events: 10, bytes: 100, line: 11 } }).then(() => null, (e) => e);
    assert.equal(withBytes?.name, 'TypeError', String(withBytes));
  });
});

test('an array of Uint8Array or ArrayBuffer pieces is bytes, as an iterable of them is; an array of strings stays events (JSON lines are not joined)', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(300, 'array-pieces');
    const text = ndjson(events);
    const bytes = enc.encode(text);
    // Cut anywhere, events split across pieces.
    const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000, 20_001), bytes.subarray(20_001)];
    const result = await client.createEvents(pieces, { chunksize: 100, format: 'ndjson', bytesTotal: bytes.length });
    assert.equal(result.created, 300);
    assert.deepEqual(result.ids, [], 'a byte source keeps no ids unless returnIds');
    await assertStoredExactlyOnce(emu, token, 'array-pieces', events);

    const twice = makeEvents(50, 'array-twice');
    const all = enc.encode(ndjson(twice));
    const again = await client.createEvents([all.subarray(0, 777), all.subarray(777)], { validate: 'all' });
    assert.equal(again.created, 50, 'an array of pieces can be read twice (validate: all)');
    await assertStoredExactlyOnce(emu, token, 'array-twice', twice);

    const buffers = makeEvents(40, 'array-buffers');
    const whole = enc.encode(ndjson(buffers));
    const fromBuffers = await client.createEvents([whole.slice(0, 333).buffer, whole.subarray(333)]);
    assert.equal(fromBuffers.created, 40, 'an array whose first piece is an ArrayBuffer is bytes');
    await assertStoredExactlyOnce(emu, token, 'array-buffers', buffers);

    const lines = makeEvents(2, 'array-strings').map((e) => JSON.stringify(e));
    const refused = await client.createEvents(lines).then(() => null, (e) => e);
    assert.equal(refused?.name, 'ValidationError', String(refused));
    assert.match(refused.problems[0].message, /event must be an object, got string/);
  });
});

test('a large buffer given at once is read a slice at a time: the first chunk leaves long before it is all read, and it is stored whole', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(60_000, 'big-buffer');
    const bytes = enc.encode(ndjson(events));
    assert.ok(bytes.length > 8 * 2 ** 20, `${bytes.length} bytes`);
    for (const [what, source] of [['Uint8Array', bytes], ['in-memory Blob', new Blob([bytes])]]) {
      const read = [];
      const result = await client.createEvents(source, {
        chunksize: 1000, concurrency: 1, onProgress: (p) => read.push(p.bytesDone),
      });
      assert.equal(result.created, 60_000, what);
      // Read no faster than chunks leave: when the first chunk was stored, one slice of
      // 1 MiB (a buffer given whole was framed whole before).
      assert.ok(read[0] <= 2 ** 20, `${what}: ${read[0]} bytes read when the first chunk was stored`);
      assert.equal(read.at(-1), bytes.length, what);
      await client.deleteEvents('big-buffer');
    }
    const result = await client.createEvents(bytes, { chunksize: 5000 });
    await assertStoredExactlyOnce(emu, token, 'big-buffer', events, undefined);
    assert.equal(result.created, 60_000);
  });
});

test('a buffer transferred away (detached) while it is read fails the upload, saying so, rather than ending it early as if complete', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const bytes = enc.encode(ndjson(makeEvents(30_000, 'detached-mid-read')));
    assert.ok(bytes.length > 3 * 2 ** 20, `${bytes.length} bytes: several slices`);
    let detached = false;
    const failed = await client.createEvents(bytes, {
      chunksize: 1000,
      concurrency: 1,
      onChunk: () => {
        // After the first stored chunk, the buffer goes to "another worker".
        if (!detached) structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
        detached = true;
      },
    }).then(() => null, (e) => e);
    assert.ok(detached);
    assert.ok(failed, 'the upload must not resolve as complete');
    assert.equal(failed.name, 'CreateEventsError', `${failed.name}: ${failed.message}`); // chunks were stored before
    assert.match(failed.message, /^the source's bytes changed length \(detached or resized\) while they were read, \d+ of \d+ bytes in/);
    assert.ok(failed.created > 0 && failed.created < 30_000, `${failed.created} stored before`);
  });
});

test('returnIds and onChunk: each stored chunk\'s ids handed over as it lands; bytesTotal from the source or the caller', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(2500, 'handed');
    const bytes = enc.encode(ndjson(events));
    const landed = [];
    const progress = [];
    const result = await client.createEvents(new Blob([bytes]), {
      chunksize: 1000,
      onChunk: (c) => landed.push(c),
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(result.ids, []);
    landed.sort((a, b) => a.from - b.from);
    assert.deepEqual(landed.map((c) => [c.index, c.from, c.to, c.ids.length]), [[0, 0, 1000, 1000], [1, 1000, 2000, 1000], [2, 2000, 2500, 500]]);
    // Each report is a StoredChunk, as the result's chunks are: status and ms included.
    for (const c of landed) {
      assert.equal(c.status, 201);
      assert.ok(c.ms >= 0 && c.attempts === 1 && c.count === c.to - c.from, JSON.stringify(c));
    }
    await assertStoredExactlyOnce(emu, token, 'handed', events, landed.flatMap((c) => c.ids));
    assert.ok(progress.every((p) => p.bytesTotal === bytes.length), 'a Blob says its size');
    assert.deepEqual(progress.at(-1).resumeFrom, { events: 2500, bytes: bytes.length - 1, line: 2500 });

    const told = [];
    const piecewise = (async function* () {
      yield enc.encode(ndjson(makeEvents(10, 'told')));
    })();
    await client.createEvents(piecewise, { bytesTotal: 12345, onProgress: (p) => told.push(p.bytesTotal) });
    assert.deepEqual(told, [12345]);
    // Arrays keep their ids unless told otherwise.
    const arr = await client.createEvents(makeEvents(3, 'arr-ids'), { returnIds: false });
    assert.deepEqual(arr.ids, []);
  });
});

test("validate: 'all' reads a re-readable source whole first: nothing is sent if anything is bad, and the totals are known", async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const events = makeEvents(3000, 'all');
    const lines = events.map((e) => JSON.stringify(e));
    lines[2999] = JSON.stringify({ ...events[2999], owner: 7 });
    const badFile = new Blob([lines.join('\n')]);
    const before = (await stats(emu)).requests.create;
    const err = await client.createEvents(badFile, { chunksize: 1000, validate: 'all' }).then(() => null, (x) => x);
    assert.equal(err?.name, 'ValidationError', err?.message);
    assert.deepEqual(err.problems.map((p) => [p.index, p.line, p.field]), [[2999, 3000, 'owner']]);
    assert.match(err.message, /nothing was sent \(validate: 'all'\)/);
    assert.equal(err.created, 0);
    assert.equal((await stats(emu)).requests.create, before, 'nothing was sent');

    const good = enc.encode(ndjson(events));
    const progress = [];
    let opened = 0;
    const fresh = () => {
      opened++;
      return new Blob([good]).stream();
    };
    const result = await client.createEvents(fresh, { chunksize: 1000, validate: 'all', returnIds: true, onProgress: (p) => progress.push(p) });
    assert.equal(opened, 2, 'the function was called once per pass');
    assert.equal(progress[0].eventsTotal, 3000);
    assert.equal(progress[0].chunksTotal, 3);
    await assertStoredExactlyOnce(emu, token, 'all', events, result.ids);

    const once = await client.createEvents(new Blob([good]).stream(), { validate: 'all' }).then(() => null, (x) => x);
    assert.equal(once?.name, 'TypeError');
    assert.match(once.message, /reads the source twice/);
  });
});

test('onSkip hears of every event left out, past the hundred problems a result lists', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const events = makeEvents(1000, 'messy');
    const lines = events.map((e, i) => (i % 4 === 1 ? JSON.stringify({ ...e, owner: '' }) : JSON.stringify(e)));
    const told = [];
    const result = await client.createEvents(new Blob([lines.join('\n')]), { onInvalid: 'skip', onSkip: (e) => told.push(e) });
    assert.equal(result.created, 750);
    assert.equal(result.skipped.count, 250);
    assert.equal(result.skipped.problems.length, 100);
    assert.equal(told.length, 250);
    assert.deepEqual(told.map((e) => e.text), lines.filter((_, i) => i % 4 === 1));
    assert.deepEqual(told.map((e) => e.line), lines.map((_, i) => i + 1).filter((_, i) => i % 4 === 1));
    const refused = await client.createEvents(new Blob([lines.join('\n')]), { onSkip: () => {} }).then(() => null, (x) => x);
    assert.equal(refused?.name, 'TypeError');
    assert.match(refused.message, /give onInvalid: 'skip' too/);
  });
});

test('every bad event read is named: the last line of a file without a final newline, an event JSON cannot hold among others, an event too large in its place', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const before = (await stats(emu)).requests.create;
    const good = makeEvents(4, 'named');
    // NDJSON without a final newline, lines 2 and 4 bad: both named (the last line was
    // left unchecked when the upload stopped at line 2), from bytes, a Blob, a stream, a
    // file read by Node and pieces from a generator.
    const lines = good.map((e, i) => JSON.stringify(i % 2 ? { ...e, owner: '' } : e)).join('\n');
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'no-final-newline.ndjson');
    writeFileSync(file, lines);
    const sources = [
      enc.encode(lines),
      new Blob([lines]),
      new Blob([lines]).stream(),
      createReadStream(file),
      (async function* () { yield enc.encode(lines.slice(0, 300)); yield enc.encode(lines.slice(300)); })(),
    ];
    for (const source of sources) {
      const err = await client.createEvents(source).then(() => null, (e) => e);
      assert.equal(err?.name, 'ValidationError', String(err));
      assert.deepEqual(err.problems.map((p) => [p.index, p.line, p.field]), [[1, 2, 'owner'], [3, 4, 'owner']]);
    }
    cleanup();
    // An array: an event JSON cannot hold (a BigInt) no longer hides the others of its window.
    const withBigInt = [{ ...good[0], n: 1n }, { ...good[1], owner: '' }, { ...good[2], start: 'x' }];
    const big = await client.createEvents(withBigInt).then(() => null, (e) => e);
    assert.deepEqual(big.problems.map((p) => [p.index, p.field]), [[0, ''], [1, 'owner'], [2, 'start']]);
    assert.equal(big.problemCount, 3);
    // An event too large for maxChunkBytes is listed in its place, before later problems.
    const large = [{ ...good[0], value: 'x'.repeat(2000) }, ...Array.from({ length: 150 }, (_, i) => ({ ...good[1], owner: '', externalId: `e${i}` }))];
    const tooLarge = await client.createEvents(large, { maxChunkBytes: 1024 }).then(() => null, (e) => e);
    assert.equal(tooLarge.problems[0].index, 0);
    assert.match(tooLarge.problems[0].message, /^event is \d+ bytes as JSON, more than maxChunkBytes \(1024\)$/);
    assert.deepEqual(tooLarge.problems.slice(1, 3).map((p) => p.index), [1, 2]);
    assert.equal(tooLarge.problemCount, 151);
    assert.equal((await stats(emu)).requests.create, before, 'nothing sent');
    // A valid input without a final newline is stored whole, as before.
    const valid = good.map((e) => JSON.stringify(e)).join('\n');
    for (const source of [enc.encode(valid), new Blob([valid]).stream()]) assert.equal((await client.createEvents(source)).created, 4);
  });
});
