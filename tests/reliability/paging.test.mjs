// Paging against a real emulator: once the first answer has told the total, queryAll
// and exportEvents request the next page while the current one is still on its way
// (two requests in flight), and every event still comes once, in order.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withEmulator, login, loadClient, makeEvents, release, setFaults, settle, stats, waitFor } from './helpers.mjs';

const { EventsClient } = loadClient();

const COLLECTION = 'paging';
const QUERY = { filter: { collection: COLLECTION }, sort: { start: 1 } };

async function seeded(emu) {
  const { token } = await login(emu);
  const client = new EventsClient({ token, baseUrl: emu.api });
  const events = makeEvents(3000, COLLECTION);
  assert.equal((await client.createEvents(events, 3000)).created, 3000);
  return { client, events };
}

/** Page 0 answers; the next two query requests are held until released. */
async function holdPagesOneAndTwo(emu) {
  await setFaults(emu, { sequence: ['ok', 'hold', 'hold'] });
  return (await stats(emu)).requests.query;
}

/** Page 1 held: requested ahead once page 0 was answered. */
async function oneHeld(emu) {
  await waitFor(async () => (await stats(emu)).held === 1, 'page 1 held', { timeoutMs: 30_000 });
}

/** Both held at once: page 2 was requested before page 1 was answered. */
async function bothHeld(emu) {
  await waitFor(async () => (await stats(emu)).held === 2, 'pages 1 and 2 held at once', { timeoutMs: 30_000 });
}

test('queryAll: page 2 is requested while page 1 is on its way; every event once, in order', async () => {
  await withEmulator([], async (emu) => {
    const { client, events } = await seeded(emu);
    const before = await holdPagesOneAndTwo(emu);
    const it = client.queryAll(QUERY, { pageSize: 1000 });
    const seen = [];
    for (let i = 0; i < 1000; i++) seen.push((await it.next()).value);
    // Reading on asks for page 1 (held); page 2 goes out at the same time.
    const rest = (async () => {
      for await (const event of it) seen.push(event);
    })();
    await bothHeld(emu);
    await release(emu);
    await rest;
    assert.deepEqual(seen.map((e) => e.externalId), events.map((e) => e.externalId));
    assert.equal((await stats(emu)).requests.query - before, 3, 'three pages, none asked twice or past the end');
  });
});

test('exportEvents: page 2 is requested while page 1 is on its way; every event once, in order', async () => {
  await withEmulator([], async (emu) => {
    const { client, events } = await seeded(emu);
    const before = await holdPagesOneAndTwo(emu);
    const reader = client.exportEvents(QUERY, { pageSize: 1000 }).getReader();
    const pieces = [(await reader.read()).value];
    // The stream reads a page ahead of its reader (page 1, held), and page 2 goes out too.
    const rest = (async () => {
      for (let step = await reader.read(); !step.done; step = await reader.read()) pieces.push(step.value);
    })();
    await bothHeld(emu);
    await release(emu);
    await rest;
    const lines = Buffer.concat(pieces).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((e) => e.externalId), events.map((e) => e.externalId));
    assert.equal((await stats(emu)).requests.query - before, 3, 'three pages, none asked twice or past the end');
  });
});

test('a result that changes while it is read (events created between two pages) is an error, not repeated or missed events', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await seeded(emu);
    // Page 0 answers; page 1, requested ahead as page 0 is answered, is held while 10
    // events are created that sort first (the creates pass: the fault plan holds only
    // the next request): page 1 would repeat the last 10 of page 0.
    const before = (await stats(emu)).requests.query;
    await setFaults(emu, { sequence: ['ok', 'hold'] });
    const early = makeEvents(10, COLLECTION, 'early').map((e) => ({ ...e, start: '2000-01-01T00:00:00Z' }));
    const seen = [];
    const reading = settle((async () => {
      for await (const event of client.queryAll(QUERY, { pageSize: 1000 })) {
        seen.push(event);
        if (seen.length === 1) {
          await oneHeld(emu);
          assert.equal((await client.createEvents(early, 10)).created, 10);
          await release(emu);
        }
      }
    })());
    const error = (await reading).error;
    assert.ok(error, `no error: ${seen.length} events read`);
    assert.equal(error.name, 'EventsApiError');
    assert.match(error.message, /the result changed while it was read/);
    assert.equal(seen.length, 1000, 'page 0 only');
    assert.ok((await stats(emu)).requests.query > before);

    // exportEvents: the same change between its pages.
    await setFaults(emu, { sequence: ['ok', 'hold'] });
    const reader = client.exportEvents(QUERY, { pageSize: 1000 }).getReader();
    await reader.read(); // page 0
    await oneHeld(emu);
    assert.equal((await client.createEvents(makeEvents(5, COLLECTION, 'more'), 5)).created, 5);
    await release(emu);
    const failed = (await settle((async () => { for (let s = await reader.read(); !s.done; s = await reader.read()); })())).error;
    assert.match(failed?.message ?? '', /the result changed while it was read/);
  });
});

test('a query body carries Dates of any realm and values with their own toJSON, as JSON does', async () => {
  const { runInNewContext } = await import('node:vm');
  await withEmulator([], async (emu) => {
    const { client } = await seeded(emu);
    const foreign = runInNewContext('new Date("2000-01-01T00:00:00Z")'); // an iframe's, a test realm's
    const decimal = { toJSON: () => '2000-01-01T00:00:00Z' };
    // toJSON is given its key, as JSON.stringify gives it; what it gives is what is checked.
    const keyed = { toJSON: (key) => (key === '$gte' ? '2000-01-01T00:00:00Z' : null) };
    for (const from of [foreign, decimal, keyed, new Date('2000-01-01T00:00:00Z')]) {
      const page = await client.queryEvents({ filter: { collection: COLLECTION, start: { $gte: from } } }, { pageSize: 1 });
      assert.equal(page.total, 3000);
    }
  });
});
