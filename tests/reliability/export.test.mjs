// exportEvents: every matching event as a ReadableStream of NDJSON or JSON bytes,
// against a real emulator; export, delete and upload the file again gives back the
// same events; cancelling or aborting stops the paging.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getEventListeners } from 'node:events';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ROOT, withEmulator, login, loadClient, makeEvents, assertStoredExactlyOnce, storedEvents, stats, tempDir, setFaults, clearFaults, waitFor } from './helpers.mjs';

const { EventsClient, AbortError } = loadClient();

async function clientFor(emu) {
  const { token } = await login(emu);
  return { token, client: new EventsClient({ token, baseUrl: emu.api }) };
}

async function text(stream) {
  return new Response(stream).text();
}

const SERVER_FIELDS = ['id', 'createdAt'];
const asCreated = (e) => Object.fromEntries(Object.entries(e).filter(([k]) => !SERVER_FIELDS.includes(k)));

test('NDJSON and JSON exports hold every matching event once, as created (or as stored on request)', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    const events = makeEvents(2345, 'exported');
    await client.createEvents(events, 1000);
    await client.createEvents(makeEvents(100, 'other'), 1000);
    const stored = await storedEvents(emu, token, { collection: 'exported' });

    const body = { filter: { collection: 'exported' }, sort: { id: 1 } };
    const lines = (await text(client.exportEvents(body, { pageSize: 1000 }))).split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), stored.map(asCreated));

    const jsonText = await text(client.exportEvents(body, { format: 'json', pageSize: 500, fields: 'stored' }));
    assert.deepEqual(JSON.parse(jsonText), stored);
    const jsonLines = jsonText.split('\n');
    assert.equal(jsonLines.filter((l) => l.startsWith('{')).length, stored.length, 'one event per line');
    assert.deepEqual([jsonLines[0], ...jsonLines.slice(-2)], ['[', ']', '']);

    const none = { filter: { collection: 'nothing-here' } };
    assert.equal(await text(client.exportEvents(none)), '');
    assert.equal(await text(client.exportEvents(none, { format: 'json' })), '[]\n');
  });
});

test('export to a file, delete, upload the file again: the same events', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await withEmulator([], async (emu) => {
      const { token, client } = await clientFor(emu);
      const events = makeEvents(12_000, 'round-trip');
      await client.createEvents(events, 5000);
      const file = join(dir, 'out.ndjson');
      await pipeline(Readable.fromWeb(client.exportEvents({ filter: { collection: 'round-trip' } }, { pageSize: 5000 })), createWriteStream(file));
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 12_001);
      assert.equal((await client.deleteEvents('round-trip')).deleted, 12_000);
      const again = await client.createEvents(createReadStream(file), { chunksize: 5000 });
      assert.equal(again.created, 12_000);
      await assertStoredExactlyOnce(emu, token, 'round-trip', events);
    });
  } finally {
    cleanup();
  }
});

test('cancelling the stream stops the paging; an aborted signal errors it with an AbortError; bad options are refused at once', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    await client.createEvents(makeEvents(5000, 'paged'), 5000);
    const before = (await stats(emu)).requests.query;
    const reader = client.exportEvents({ filter: { collection: 'paged' } }, { pageSize: 100 }).getReader();
    const first = await reader.read();
    assert.ok(first.value.length > 0);
    await reader.cancel(new Error('enough'));
    const queried = (await stats(emu)).requests.query - before;
    // The page read, the one the stream reads ahead and the one requested ahead of that, of 50 pages.
    assert.ok(queried <= 3, `${queried} pages were requested after a cancel`);

    // The cancel reaches the engine: the page it requested ahead (held by the emulator)
    // is aborted, its connection closed, not left waiting.
    // (Its timeout far off: only the cancel can end that request within the wait.)
    await setFaults(emu, { sequence: ['ok', 'hold'] });
    const held = client.exportEvents({ filter: { collection: 'paged' } }, { pageSize: 100, timeoutMs: 600_000 }).getReader();
    assert.ok((await held.read()).value.length > 0);
    await waitFor(async () => (await stats(emu)).held === 1, 'the page requested ahead, held');
    await held.cancel(new Error('enough'));
    await waitFor(async () => (await stats(emu)).held === 0, 'the held page request abandoned by the cancel', { timeoutMs: 30_000 });
    await clearFaults(emu);

    const controller = new AbortController();
    const stream = client.exportEvents({ filter: { collection: 'paged' } }, { pageSize: 100, signal: controller.signal });
    const r = stream.getReader();
    await r.read();
    controller.abort(new Error('stop'));
    let err;
    try {
      for (;;) if ((await r.read()).done) break;
    } catch (e) {
      err = e;
    }
    assert.equal(err?.name, 'AbortError', err?.message);
    assert.ok(err instanceof AbortError, 'an instance of the package\'s class');
    assert.equal(err.cause?.message, 'stop');

    assert.throws(() => client.exportEvents({}, { format: 'csv' }), { name: 'RangeError', message: /format must be 'ndjson' or 'json'/ });
    assert.throws(() => client.exportEvents({}, { fields: 'all' }), { name: 'RangeError' });
    assert.throws(() => client.exportEvents({}, { page: 2 }), { name: 'TypeError', message: /unknown option 'page'/ });
    assert.throws(() => client.exportEvents({}, { format: 'csv' }), RangeError, 'the platform\'s own class');
  });
});

test('the stream asks for its first page at once and reads one page ahead of its reader; the engine\'s export is freed once, whether done, cancelled, failed or never streamed', async () => {
  // Every `free()` of the engine's export (the glue's class, under the face).
  const glue = createRequire(import.meta.url)(join(dirname(process.env.RELIABILITY_PKG || join(ROOT, 'target/reliability-pkg/api.js')), 'genomcore_events_wasm.js'));
  const freeOf = glue.QueryPages?.prototype.free;
  assert.equal(typeof freeOf, 'function', 'the glue has the engine\'s export class');
  let freed = 0;
  glue.QueryPages.prototype.free = function () {
    freed++;
    return freeOf.call(this);
  };
  try {
    await withEmulator([], async (emu) => {
      const { client } = await clientFor(emu);
      await client.createEvents(makeEvents(500, 'ahead'), 500);
      const body = { filter: { collection: 'ahead' } };
      const queried = async () => (await stats(emu)).requests.query;

      // Page 0 asked for before any read (and page 1 requested ahead once page 0 told the
      // total); each read takes a page and asks for the next: one page ahead of the
      // reader. What is asked for is awaited; what must not be asked for yet is checked
      // as an upper bound at each step (no wait: a request made too early is counted by
      // the time the emulator answers the stats, or shows at a later step).
      let before = await queried();
      const reader = client.exportEvents(body, { pageSize: 100 }).getReader();
      await waitFor(async () => (await queried()) - before >= 2, 'page 0 and the page after it requested, without a read');
      assert.equal((await queried()) - before, 2, 'no more than one page ahead before any read');
      let lines = 0;
      for (let read = 1; ; read++) {
        const step = await reader.read();
        if (step.done) break;
        lines += new TextDecoder().decode(step.value).split('\n').length - 1;
        const expected = Math.min(read + 2, 5);
        await waitFor(async () => (await queried()) - before >= expected, `the page ahead of read ${read} requested`);
        assert.equal((await queried()) - before, expected, `no more than one page ahead after read ${read}`);
      }
      assert.equal(lines, 500);
      assert.equal((await queried()) - before, 5, 'each of the 5 pages asked for once');
      assert.equal(freed, 1, 'freed once, when done');

      // Cancelled while its next page is on its way (held): the request aborted, freed once.
      await setFaults(emu, { sequence: ['ok', 'hold'] });
      const held = client.exportEvents(body, { pageSize: 100, timeoutMs: 600_000 }).getReader();
      assert.ok((await held.read()).value.length > 0);
      await waitFor(async () => (await stats(emu)).held === 1, 'the next page, held');
      await held.cancel(new Error('enough'));
      assert.equal(freed, 2, 'freed once, when cancelled');
      await waitFor(async () => (await stats(emu)).held === 0, 'the held page request abandoned by the cancel', { timeoutMs: 30_000 });
      await clearFaults(emu);

      // A page that fails: the read rejects with the error class; freed once.
      await setFaults(emu, { sequence: ['503'] });
      const failing = client.exportEvents(body, { pageSize: 100, maxRetries: 0 }).getReader();
      await assert.rejects(failing.read(), { name: 'EventsApiError' });
      await clearFaults(emu);
      assert.equal(freed, 3, 'freed once, when failed');

      // No ReadableStream: the argument checks first, then the TypeError; nothing sent,
      // and the export made for it freed with its listener on the caller's signal.
      const saved = globalThis.ReadableStream;
      const signal = new AbortController().signal;
      before = await queried();
      try {
        delete globalThis.ReadableStream;
        assert.throws(() => client.exportEvents(body, { format: 'csv' }), { name: 'RangeError' });
        assert.throws(() => client.exportEvents(body, { signal }), {
          name: 'TypeError',
          message: 'exportEvents needs ReadableStream, which this runtime lacks',
        });
      } finally {
        globalThis.ReadableStream = saved;
      }
      assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener left on the caller\'s signal');
      assert.equal(freed, 4, 'freed once, when no stream could be made');
      assert.equal((await queried()) - before, 0, 'nothing sent');

      // A ReadableStream that is a function but not an `instanceof Function` (as one of
      // another realm: a `vm` context, an iframe) is used.
      function ForeignStream(source, strategy) {
        return new saved(source, strategy);
      }
      Object.setPrototypeOf(ForeignStream, null);
      try {
        globalThis.ReadableStream = ForeignStream;
        const stream = client.exportEvents(body, { pageSize: 500 });
        let text = '';
        for await (const piece of stream) text += new TextDecoder().decode(piece);
        assert.equal(text.split('\n').length - 1, 500);
      } finally {
        globalThis.ReadableStream = saved;
      }
      assert.equal(freed, 5, 'freed once, when done');
    });
  } finally {
    glue.QueryPages.prototype.free = freeOf;
  }
});
