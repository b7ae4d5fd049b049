// Answers that break the contract's (ASSUMED) shapes fail loudly instead of passing a
// wrong figure or a cut result on. The emulator answers by the contract, so the client's
// `fetch` option forwards every request to it over HTTP and rewrites one kind of answer
// the way another service could send it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withEmulator, login, loadClient, makeEvents, settle, stats, setFaults, clearFaults, storedEvents } from './helpers.mjs';

const { EventsClient, EventsApiError } = loadClient();

/** A client whose answers to `method` requests on paths ending in `suffix` go through `rewrite`. */
async function clientWith(emu, method, suffix, rewrite) {
  const { token } = await login(emu);
  const fetchRewriting = async (input, init) => {
    const req = new Request(input, init);
    const answer = await fetch(req);
    if (req.method !== method || !new URL(req.url).pathname.endsWith(suffix)) return answer;
    const body = await rewrite(await answer.json(), new URL(req.url));
    return new Response(JSON.stringify(body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return new EventsClient({ token, baseUrl: emu.api, fetch: fetchRewriting, maxRetries: 0 });
}

test('deleteEvents: an answer without a whole, non-negative deleted count is an EventsApiError, not { deleted: undefined }', async () => {
  await withEmulator([], async (emu) => {
    const shapes = [
      { acknowledged: true, deletedCount: 3 },
      { deleted: '3' },
      { deleted: -1 },
      { deleted: 2.5 },
      { deleted: null },
    ];
    for (const shape of shapes) {
      const client = await clientWith(emu, 'DELETE', '', () => shape);
      await client.createEvents(makeEvents(3, 'deleted'), 10);
      const { error } = await settle(client.deleteEvents('deleted'));
      assert.ok(error instanceof EventsApiError, `${JSON.stringify(shape)}: ${error}`);
      assert.equal(error.status, 200);
      assert.match(error.message, /the delete answer has no deleted count/);
    }
    // The contract's answer still reads as it did.
    const client = await clientWith(emu, 'DELETE', '', (body) => body);
    await client.createEvents(makeEvents(4, 'counted'), 10);
    assert.deepEqual(await client.deleteEvents('counted'), { deleted: 4, uncertain: false });
  });
});

test('createEvents: a 2xx whose body is off the contract counts as stored (never in failed, so never resent), with a warning and no ids', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    for (const [shape, why] of [
      [{ created: 1, ids: ['only-one'] }, /the answer counts 1 ids for 3 events sent: no ids for them/],
      [{ acknowledged: true }, /the answer has no ids/],
    ]) {
      const client = await clientWith(emu, 'POST', '/events', () => shape);
      const collection = `odd-answer-${why.source.length}`;
      const events = makeEvents(3, collection);
      const result = await client.createEvents(events, { chunksize: 10 });
      assert.equal(result.created, 3);
      assert.deepEqual(result.ids, [], 'no ids rather than ids out of input order');
      assert.match(result.chunks[0].warning, why);
      assert.equal(result.warnings.length, 1);
      assert.match(result.warnings[0], /^events 0–2: stored, but/);
      assert.equal((await storedEvents(emu, token, { collection })).length, 3, 'the service did store them');
    }
    // The contract's answer: no warning.
    const plain = await clientWith(emu, 'POST', '/events', (body) => body);
    const ok = await plain.createEvents(makeEvents(2, 'plain-answer'), 10);
    assert.deepEqual(ok.warnings, []);
    assert.equal(ok.chunks[0].warning, undefined);
    assert.equal(ok.ids.filter((id) => typeof id === 'string').length, 2);
  });
});

test('deleteEvents retried after a lost answer says its count is uncertain; after a 503 (not carried out) it does not', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 2 });
    await client.createEvents(makeEvents(7, 'lost-delete'), 10);
    // The first DELETE deletes the seven and its answer is lost; the retry finds none.
    await setFaults(emu, { sequence: ['lost-response'] });
    const lost = await client.deleteEvents('lost-delete');
    await clearFaults(emu);
    assert.deepEqual(lost, { deleted: 0, uncertain: true });
    assert.equal((await storedEvents(emu, token, { collection: 'lost-delete' })).length, 0);

    await client.createEvents(makeEvents(5, 'refused-delete'), 10);
    await setFaults(emu, { sequence: ['503'] });
    const refused = await client.deleteEvents('refused-delete');
    await clearFaults(emu);
    assert.deepEqual(refused, { deleted: 5, uncertain: false }, 'a 503 says the first request was not carried out');
  });
});

test('queryAll and exportEvents: a short page whose total says more follow is an error, not a silent end', async () => {
  await withEmulator([], async (emu) => {
    // A service that serves at most 3 events a page, whatever pageSize was asked.
    const client = await clientWith(emu, 'POST', '/events/query', (body) => ({ ...body, items: body.items.slice(0, 3) }));
    await client.createEvents(makeEvents(10, 'capped'), 10);
    const query = { filter: { collection: 'capped' } };
    const seen = [];
    const error = await (async () => {
      try {
        for await (const event of client.queryAll(query, { pageSize: 5 })) seen.push(event);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof EventsApiError, String(error));
    assert.match(error.message, /fewer events than pageSize while its total says more follow/);
    assert.equal(seen.length, 0, 'the short page is not passed on as if it were whole');

    const reader = client.exportEvents(query, { pageSize: 5 }).getReader();
    const exported = await (async () => {
      try {
        for (let step = await reader.read(); !step.done; step = await reader.read());
      } catch (e) {
        return e;
      }
    })();
    assert.ok(exported instanceof EventsApiError, String(exported));
    assert.match(exported.message, /fewer events than pageSize/);

    // The last page may be short: 10 events in pages of 4 end cleanly at 4 + 4 + 2.
    const whole = await clientWith(emu, 'POST', '/events/query', (body) => body);
    const all = [];
    for await (const event of whole.queryAll(query, { pageSize: 4 })) all.push(event);
    assert.equal(all.length, 10);
    assert.ok((await stats(emu)).requests.query > 0);
  });
});

test('queryAll and exportEvents: a page longer than pageSize, or a total that is no count, is an error, not overlapping pages', async () => {
  await withEmulator([], async (emu) => {
    // A service that ignores pageSize: it answers every event on every page.
    const client = await clientWith(emu, 'POST', '/events/query', async (body, url) => {
      const all = await (await fetch(url.origin + url.pathname, { method: 'POST', headers: { authorization: `Bearer ${(await login(emu)).token}`, 'content-type': 'application/json' }, body: JSON.stringify({ filter: { collection: 'long' } }) })).json();
      return { ...body, items: all.items };
    });
    await client.createEvents(makeEvents(10, 'long'), 10);
    const query = { filter: { collection: 'long' } };
    const error = (await settle((async () => { for await (const _ of client.queryAll(query, { pageSize: 4 })); })())).error;
    assert.ok(error instanceof EventsApiError, String(error));
    assert.match(error.message, /more events than pageSize/);
    const reader = client.exportEvents(query, { pageSize: 4 }).getReader();
    const exported = (await settle((async () => { for (let s = await reader.read(); !s.done; s = await reader.read()); })())).error;
    assert.match(exported?.message ?? '', /more events than pageSize/);
    // A total that is not a whole number.
    const texty = await clientWith(emu, 'POST', '/events/query', (body) => ({ ...body, total: String(body.total) }));
    const bad = (await settle(texty.queryEvents(query))).error;
    assert.ok(bad instanceof EventsApiError, String(bad));
    assert.match(bad.message, /the query answer's total is not a whole number/);
  });
});
