// The client against a real emulator whose fault hooks break requests: nothing may be
// lost, nothing duplicated, and every failure must say exactly what was stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadClient, withEmulator, login, stats, setFaults, clearFaults, faultCounts, raw,
  makeEvents, assertStoredExactlyOnce, storedEvents, settle, figure, release, expireTokens, waitFor,
} from './helpers.mjs';
import { uploadThroughFaults } from './faulty-upload.mjs';

const { EventsClient } = loadClient();

/** Checks a CreateEventsError / AbortError's reports against the input. */
function checkReports(err, events) {
  const all = [...err.succeeded, ...err.failed].sort((a, b) => a.from - b.from);
  let at = 0;
  for (const r of all) {
    assert.equal(r.from, at, 'reports cover the input without gap or overlap');
    assert.equal(r.count, r.to - r.from);
    at = r.to;
  }
  assert.equal(at, events.length);
  for (const s of err.succeeded) assert.equal(s.ids.length, s.count, `chunk ${s.index} names one id per event`);
  assert.equal(err.created, err.succeeded.reduce((n, s) => n + s.count, 0));
}

/**
 * While `upload` runs: each time the emulator holds `n` requests, every token issued so
 * far is expired and the held requests are released, so that each of them meets an
 * expired token. Resolves the upload's outcome and what each round expired and released.
 */
async function expireTokensAtEachHold(emu, upload, n) {
  let finished = false;
  const outcome = settle(upload).then((o) => ((finished = true), o));
  const rounds = [];
  for (;;) {
    await waitFor(async () => finished || (await stats(emu)).held === n, `${n} held requests or the end of the upload`);
    if (finished) break;
    const { expired } = await expireTokens(emu);
    const { released } = await release(emu);
    rounds.push({ expired, released });
  }
  return { outcome: await outcome, rounds };
}

/** The ids of `events` assembled from the stored reports plus the resent ranges' results. */
function assembleIds(n, pieces) {
  const ids = new Array(n);
  for (const { from, ids: got } of pieces) got.forEach((id, i) => (ids[from + i] = id));
  return ids;
}

test('100000 events in chunks of 1000 while 20% of requests fail: resolves, each stored once, ids match', async (t) => {
  // Seed 29 draws a fault for exactly 20 of the first 100 requests, every kind among them.
  await uploadThroughFaults(t, { name: 'faults-100k', events: 100_000, seed: 29 });
});

test('a persistent outage part-way: CreateEventsError names the failed ranges; resending them completes the set once', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 2 });
    const events = makeEvents(20_000, 'outage');
    // The first 15 requests pass; then the service is down (nothing handled) for far
    // longer than the client keeps retrying.
    const down = Array.from({ length: 300 }, (_, i) => ['reset', '503', 'reset', '429'][i % 4]);
    await setFaults(emu, { sequence: [...Array(15).fill('ok'), ...down] });
    const started = performance.now();
    const out = await settle(client.createEvents(events, 500));
    const ms = Math.round(performance.now() - started);
    await clearFaults(emu);

    assert.equal(out.ok, false, 'the Promise rejects');
    const err = out.error;
    assert.equal(err.name, 'CreateEventsError', err.message);
    assert.equal(err.created, 15 * 500);
    assert.equal(err.succeeded.length, 15);
    assert.equal(err.failed.length, 40 - 15);
    checkReports(err, events);
    for (const f of err.failed) {
      assert.equal(f.attempts, 3, 'first try and maxRetries retries');
      assert.ok(['NetworkError', 'EventsApiError'].includes(f.error.name), f.error.name);
    }
    assert.match(err.message, /^25 of 40 chunks failed \(events \d+–\d+, .* and 20 more ranges\); 7500 of 20000 events were stored\. First error: /);
    // The emulator holds exactly the chunks reported stored, under their ids.
    const storedNow = await storedEvents(emu, token, { collection: 'outage' });
    const storedSet = err.succeeded.flatMap((s) => events.slice(s.from, s.to));
    await assertStoredExactlyOnce(emu, token, 'outage', storedSet, err.succeeded.flatMap((s) => s.ids));
    assert.equal(storedNow.length, 7500);

    // The service is back: resend exactly the failed ranges.
    const pieces = err.succeeded.map((s) => ({ from: s.from, ids: s.ids }));
    for (const f of err.failed) {
      const r = await client.createEvents(events.slice(f.from, f.to), 500);
      assert.equal(r.created, f.count);
      pieces.push({ from: f.from, ids: r.ids });
    }
    await assertStoredExactlyOnce(emu, token, 'outage', events, assembleIds(events.length, pieces));
    figure(t, 'outage', {
      events: 20_000, chunks: 40, storedBeforeOutage: err.created, failedChunks: err.failed.length,
      faults: (await faultCounts(emu)), msToReject: ms,
    });
  });
});

test('an outage that also loses answers: failed chunks may be stored; resuming with runId completes the set once', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 2 });
    const events = makeEvents(20_000, 'outage-lost');
    // After 15 good requests, each request fails; some are handled and their answers lost.
    const down = Array.from({ length: 300 }, (_, i) => ['lost-response', 'reset', '503', 'lost-response', '429'][i % 5]);
    await setFaults(emu, { sequence: [...Array(15).fill('ok'), ...down] });
    const out = await settle(client.createEvents(events, 500));
    await clearFaults(emu);
    assert.equal(out.ok, false);
    const err = out.error;
    assert.equal(err.name, 'CreateEventsError', err.message);
    checkReports(err, events);
    assert.equal(err.created, 7500);
    // Chunks reported failed whose request was in fact stored (an answer lost on the way):
    // resending them as new uploads would store them twice.
    const have = new Set((await storedEvents(emu, token, { collection: 'outage-lost' })).map((e) => e.externalId));
    const storedButFailed = err.failed.filter((f) => have.has(events[f.from].externalId));
    assert.ok(storedButFailed.length > 0, 'some failed chunks were stored');
    for (const f of err.failed) {
      const n = events.slice(f.from, f.to).filter((e) => have.has(e.externalId)).length;
      assert.ok(n === 0 || n === f.count, `chunk ${f.index}: whole or absent`);
    }
    const resumed = await client.createEvents(events, { chunksize: 500, runId: err.runId });
    for (const s of err.succeeded) assert.deepEqual(resumed.ids.slice(s.from, s.to), s.ids);
    await assertStoredExactlyOnce(emu, token, 'outage-lost', events, resumed.ids);
    const f = await faultCounts(emu);
    figure(t, 'outage-lost-answers', {
      events: 20_000, chunks: 40, failedChunks: err.failed.length, failedButStored: storedButFailed.length,
      lostAnswers: f['lost-response'],
    });
  });
});

test('abort between chunks (concurrency 1): the AbortError lists the stored chunks; resending the rest completes the set', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const events = makeEvents(20_000, 'abort-1');
    const ac = new AbortController();
    const out = await settle(client.createEvents(events, {
      chunksize: 1000,
      concurrency: 1,
      signal: ac.signal,
      onProgress: (p) => p.chunksDone === 7 && ac.abort(),
    }));
    assert.equal(out.ok, false);
    const err = out.error;
    assert.equal(err.name, 'AbortError', err.message);
    checkReports(err, events);
    assert.deepEqual(err.succeeded.map((s) => s.index), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(err.created, 7000);
    assert.deepEqual(err.failed.map((f) => f.attempts), Array(13).fill(0), 'nothing was sent after the abort');
    assert.equal((await stats(emu)).requests.create, 7);
    assert.match(err.message, /^createEvents was aborted: 7000 of 20000 events were stored; not confirmed: events 7000–7999, /);
    await assertStoredExactlyOnce(emu, token, 'abort-1', events.slice(0, 7000), err.succeeded.flatMap((s) => s.ids));

    const pieces = err.succeeded.map((s) => ({ from: s.from, ids: s.ids }));
    for (const f of err.failed) pieces.push({ from: f.from, ids: (await client.createEvents(events.slice(f.from, f.to))).ids });
    await assertStoredExactlyOnce(emu, token, 'abort-1', events, assembleIds(events.length, pieces));
    figure(t, 'abort-between-chunks', { events: 20_000, storedAtAbort: err.created, resentChunks: err.failed.length });
  });
});

test('abort with requests in flight (concurrency 4): stored chunks are exact, in-flight ones whole or absent, and flagged by attempts', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const events = makeEvents(20_000, 'abort-4');
    // Eight chunks answered, then every request held unanswered: when the eighth chunk
    // is reported stored, the abort finds requests in flight, however slow the machine.
    await setFaults(emu, { sequence: [...Array(8).fill('ok'), ...Array(12).fill('hold')] });
    const ac = new AbortController();
    const out = await settle(client.createEvents(events, {
      chunksize: 1000,
      concurrency: 4,
      signal: ac.signal,
      onProgress: (p) => p.chunksDone === 8 && ac.abort(),
    }));
    // Held requests whose connection the emulator has not yet seen close are released
    // and handled now (stored, although the client gave up on them): clearing the
    // faults answers once they were.
    await clearFaults(emu);
    assert.equal(out.ok, false);
    const err = out.error;
    assert.equal(err.name, 'AbortError', err.message);
    checkReports(err, events);
    assert.equal(err.succeeded.length, 8);
    const inFlight = err.failed.filter((f) => f.attempts > 0);
    assert.ok(inFlight.length > 0, 'the abort cut requests in flight');
    assert.ok(err.failed.every((f) => f.error.name === 'AbortError'));
    const sent = (await stats(emu)).requests.create - 8;
    assert.ok(sent >= 0 && sent <= inFlight.length, `only chunks flagged in flight may have reached the server (${sent})`);

    // The succeeded chunks are stored under their ids; an in-flight chunk is all or nothing.
    const stored = await storedEvents(emu, token, { collection: 'abort-4' });
    const have = new Set(stored.map((e) => e.externalId));
    for (const s of err.succeeded) {
      assert.ok(events.slice(s.from, s.to).every((e) => have.has(e.externalId)), `chunk ${s.index} stored`);
    }
    let inFlightStored = 0;
    for (const f of err.failed) {
      const n = events.slice(f.from, f.to).filter((e) => have.has(e.externalId)).length;
      if (f.attempts === 0) assert.equal(n, 0, `chunk ${f.index} was never sent`);
      else assert.ok(n === 0 || n === f.count, `in-flight chunk ${f.index} is whole or absent (${n})`);
      if (n) inFlightStored++;
    }
    // Resume with the error's runId: the same events and chunking give the same
    // Idempotency-Keys, so a chunk the server stored is replayed, never stored twice.
    assert.equal(typeof err.runId, 'string');
    const resumed = await client.createEvents(events, { chunksize: 1000, concurrency: 4, runId: err.runId });
    assert.equal(resumed.runId, err.runId);
    for (const s of err.succeeded) assert.deepEqual(resumed.ids.slice(s.from, s.to), s.ids, `chunk ${s.index} replayed`);
    await assertStoredExactlyOnce(emu, token, 'abort-4', events, resumed.ids);
    figure(t, 'abort-in-flight', {
      events: 20_000, storedAtAbort: err.created, inFlightAborted: inFlight.length, inFlightStoredAnyway: inFlightStored,
    });
  });
});

test('token expiry mid-upload: 401s after expiry are renewed once; no chunk lost or repeated', async (t) => {
  // Tokens live 10 minutes, within the client's 15-minute renewal margin (the
  // contract's rule): it renews before every request, as it would near the end of a
  // token's life.
  await withEmulator(['--token-ttl', '600', '--log'], async (emu) => {
    const { token, refreshToken } = await login(emu);
    const client = new EventsClient({ token, refreshToken, baseUrl: emu.api, maxRetries: 0, timeoutMs: 20_000 });
    const events = makeEvents(10_000, 'token-expiry');
    // One request at a time. Every eighth request is held; while it waits, the test
    // expires every token issued so far, then releases it: its token has expired when
    // the emulator checks it. The request after a held one is never held, so the single
    // retry after the renewal gets through (a second 401 would be final, as the
    // contract says). 20 chunks and 3 retries: requests 4, 12 and 20 are held.
    const plan = Array.from({ length: 40 }, (_, i) => (i % 8 === 4 ? 'hold' : 'ok'));
    await setFaults(emu, { sequence: plan });
    const before = await stats(emu);
    const started = performance.now();
    const { outcome, rounds } = await expireTokensAtEachHold(emu, client.createEvents(events, { chunksize: 500, concurrency: 1 }), 1);
    const ms = Math.round(performance.now() - started);
    await clearFaults(emu);
    assert.ok(outcome.ok, outcome.error?.message);
    const result = outcome.value;
    const after = await stats(emu);
    const unauthorized = emu.stderr().split('\n').filter((l) => l.startsWith('POST /api/v1/events 401 ')).length;
    const held = after.faults.hold;
    assert.equal(held, 3, 'requests 4, 12 and 20 were held');
    assert.deepEqual(rounds.map((r) => r.released), [1, 1, 1]);
    assert.ok(rounds.every((r) => r.expired >= 1), `each round expired the held request's token: ${JSON.stringify(rounds)}`);
    assert.equal(unauthorized, held, 'each held request met an expired token, and no other request did');
    assert.deepEqual(
      result.chunks.filter((c) => c.attempts > 1).map((c) => c.attempts),
      Array(held).fill(2),
      'each of those chunks took one retry after a renewal, and only those',
    );
    assert.equal(after.requests.create - before.requests.create, 20 + held);
    const refreshes = after.requests.auth - before.requests.auth;
    assert.ok(refreshes > held, `tokens renewed ${refreshes} times`);
    await assertStoredExactlyOnce(emu, (await login(emu)).token, 'token-expiry', events, result.ids);
    figure(t, 'token-expiry-sequential', {
      events: 10_000, chunks: 20, tokenTtlS: 600, heldAndExpired: held, expiredTokenRequests: unauthorized, refreshes, ms,
    });
  });
});

test('token expiry with 4 chunks in flight: concurrent renewals lose and repeat nothing', async (t) => {
  await withEmulator(['--token-ttl', '600', '--log'], async (emu) => {
    const { token, refreshToken } = await login(emu);
    const client = new EventsClient({ token, refreshToken, baseUrl: emu.api, maxRetries: 3 });
    const events = makeEvents(60_000, 'token-concurrent');
    // Three times during the upload, four consecutive requests are held: all four of
    // the client's slots wait. The test then expires every token and releases them:
    // four 401s at once, four renewals racing, four retries.
    const holdAt = new Set([20, 21, 22, 23, 60, 61, 62, 63, 100, 101, 102, 103]);
    await setFaults(emu, { sequence: Array.from({ length: 140 }, (_, i) => (holdAt.has(i) ? 'hold' : 'ok')) });
    const before = await stats(emu);
    const started = performance.now();
    const { outcome, rounds } = await expireTokensAtEachHold(emu, client.createEvents(events, { chunksize: 500, concurrency: 4 }), 4);
    const ms = Math.round(performance.now() - started);
    await clearFaults(emu);
    assert.ok(outcome.ok, outcome.error?.message);
    const result = outcome.value;
    const after = await stats(emu);
    const unauthorized = emu.stderr().split('\n').filter((l) => l.startsWith('POST /api/v1/events 401 ')).length;
    assert.deepEqual(rounds.map((r) => r.released), [4, 4, 4], 'three rounds of four held requests');
    assert.equal(after.faults.hold, 12);
    assert.equal(unauthorized, 12, 'exactly the held requests met an expired token');
    assert.equal(result.created, 60_000);
    assert.deepEqual(
      result.chunks.map((c) => c.attempts).sort(),
      [...Array(108).fill(1), ...Array(12).fill(2)],
      'the twelve chunks held took one retry each, the others none',
    );
    assert.equal(after.requests.create - before.requests.create, 132);
    const refreshes = after.requests.auth - before.requests.auth;
    assert.ok(refreshes >= rounds.length, `${refreshes} renewals`);
    await assertStoredExactlyOnce(emu, (await login(emu)).token, 'token-concurrent', events, result.ids);
    figure(t, 'token-expiry-concurrent', {
      events: 60_000, chunks: 120, tokenTtlS: 600, heldAndExpired: after.faults.hold, expiredTokenRequests: unauthorized,
      refreshes, requests: after.requests.create - before.requests.create, ms,
    });
  });
});
