// What the client promises about its own behaviour, against a real emulator:
// - what is sent is exactly what was validated, even when the caller changes the
//   array while createEvents runs (from a getter, a timer, onProgress);
// - queryAll fails lazily, and return()/throw() end it and abort the page in flight;
// - errors that wrap another carry it as `cause` (AbortError: the signal's reason).
//
// Every request the client makes is seen through a wrapper around the global `fetch`
// (the wasm calls the global at each request), so that the tests can read the bodies
// actually sent and the signals they were sent with.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withEmulator, login, loadClient, stats, setFaults, makeEvents, storedEvents, settle, assertStoredExactlyOnce } from './helpers.mjs';

const { EventsClient, EventsApiError, AbortError } = loadClient();

const realFetch = globalThis.fetch;
/** Every create and query request of the client: `{ path, body, signal, key, status }`. */
const sent = [];
globalThis.fetch = (url, init = {}) => {
  const path = new URL(url).pathname;
  if (init.method === 'POST' && (path.endsWith('/events') || path.endsWith('/events/query'))) {
    const body = init.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : String(init.body);
    const record = { path, body, signal: init.signal, key: init.headers?.['Idempotency-Key'], status: undefined };
    sent.push(record);
    return realFetch(url, init).then((r) => {
      record.status = r.status;
      return r;
    });
  }
  return realFetch(url, init);
};

/** The events of every create body sent since `mark` (parsed from the bytes on the wire). */
function eventsSentSince(mark) {
  return sent.slice(mark).filter((r) => r.path.endsWith('/events')).flatMap((r) => JSON.parse(r.body));
}

const BAD_START = 'not a date';

/** Fails if any create body sent since `mark` carries an event the contract refuses. */
function assertNothingInvalidSent(mark) {
  for (const e of eventsSentSince(mark)) {
    assert.notEqual(e.start, BAD_START, `an invalid event was sent: ${JSON.stringify(e)}`);
  }
}

/** Resolves once `predicate()` holds, polling; fails after `ms` (a safety cap, not a timing). */
async function until(predicate, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function clientFor(emu, extra = {}) {
  const { token } = await login(emu);
  return { token, client: new EventsClient({ token, baseUrl: emu.api, ...extra }) };
}

test('an event changed after it was validated is sent as validated (kept bytes) or validated again (maxBufferedBytes: 0)', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    for (const [collection, maxBufferedBytes] of [['kept', undefined], ['revalidated', 0]]) {
      const events = makeEvents(30_000, collection);
      const original = { ...events[5] };
      // Pass one reads event 20000 long after event 5 was validated: its getter breaks
      // event 5 (deterministic: JSON.stringify calls the getter during pass one).
      const value = events[20_000].value;
      Object.defineProperty(events[20_000], 'value', {
        enumerable: true,
        get() {
          events[5].start = BAD_START;
          return value;
        },
      });
      const mark = sent.length;
      const outcome = await settle(client.createEvents(events, { chunksize: 1000, maxBufferedBytes }));
      assertNothingInvalidSent(mark);
      const stored = await storedEvents(emu, token, { collection });
      if (maxBufferedBytes === undefined) {
        // The bytes pass one validated were kept and sent: event 5 as it was then.
        assert.ok(outcome.ok, outcome.error?.message);
        assert.equal(stored.length, 30_000);
        assert.equal(stored.find((e) => e.externalId === original.externalId).start, original.start);
      } else {
        // Nothing was kept: chunk 0 was serialized again, validated again, refused.
        assert.equal(outcome.ok, false);
        const err = outcome.error;
        assert.equal(err.name, 'CreateEventsError', err.message);
        assert.equal(err.created, 29_000);
        assert.deepEqual(err.failed.map((f) => [f.from, f.to, f.attempts, f.error.name]), [[0, 1000, 0, 'ValidationError']]);
        assert.deepEqual(err.failed[0].error.problems.map((p) => [p.index, p.field]), [[5, 'start']]);
        assert.equal(err.cause, err.failed[0].error, 'the first failed chunk\'s error is the cause');
        assert.equal(stored.length, 29_000);
        assert.ok(!stored.some((e) => e.externalId === original.externalId));
      }
    }
  });
});

test('changes from onProgress while chunks are sent: kept bodies go as validated; re-serialized ones are validated again', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    for (const [collection, maxBufferedBytes] of [['progress-kept', undefined], ['progress-fresh', 0]]) {
      const events = makeEvents(10_000, collection);
      const before = { changed: events[3000].value, broken: events[5000].start };
      const mark = sent.length;
      let changed = false;
      const onProgress = () => {
        if (changed) return;
        changed = true; // after the first chunk: a valid change to chunk 3, a bad one to chunk 5
        events[3000].value = 'changed while sending';
        events[5000].start = BAD_START;
      };
      const outcome = await settle(client.createEvents(events, { chunksize: 1000, maxBufferedBytes, onProgress }));
      assertNothingInvalidSent(mark);
      const stored = new Map((await storedEvents(emu, token, { collection })).map((e) => [e.externalId, e]));
      if (maxBufferedBytes === undefined) {
        assert.ok(outcome.ok, outcome.error?.message);
        assert.equal(stored.size, 10_000);
        assert.equal(stored.get(events[3000].externalId).value, before.changed, 'sent as pass one validated it');
        assert.equal(stored.get(events[5000].externalId).start, before.broken);
      } else {
        const err = outcome.error;
        assert.equal(err?.name, 'CreateEventsError', err?.message);
        // Serialized again, both changed chunks differ from what pass one validated: the
        // valid change too (the events sent are the events validated, or none).
        assert.deepEqual(err.failed.map((f) => [f.from, f.error.name]), [[3000, 'ValidationError'], [5000, 'ValidationError']]);
        assert.match(err.failed[0].error.problems[0].message, /events 3000–3999 are not the ones validated/);
        assert.deepEqual(err.failed[1].error.problems.map((p) => [p.index, p.field]), [[5000, 'start']]);
        assert.equal(stored.size, 8000);
        assert.ok(!stored.has(events[3000].externalId));
      }
    }
  });
});

test('an array cut short while sending: the missing events are reported, never sent as a short chunk', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const events = makeEvents(5000, 'shrunk');
    const onProgress = (p) => {
      if (p.chunksDone === 1) events.length = 2500;
    };
    const err = (await settle(client.createEvents(events, { chunksize: 1000, maxBufferedBytes: 0, onProgress }))).error;
    assert.equal(err?.name, 'CreateEventsError', err?.message);
    assert.deepEqual(err.failed.map((f) => [f.from, f.to, f.error.name]), [[2000, 3000, 'ValidationError'], [3000, 4000, 'ValidationError'], [4000, 5000, 'ValidationError']]);
    assert.match(err.failed[0].error.problems[0].message, /the events array changed during createEvents: it now holds 2500 events/);
    assert.equal(err.failed[0].error.problems[0].index, 2500);
    assert.equal((await storedEvents(emu, token, { collection: 'shrunk' })).length, 2000);
  });
});

test('an event shifted in while sending (unshift) fails the chunks it moved instead of storing them in other places', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const events = makeEvents(5000, 'shifted');
    const original = events.slice();
    const onProgress = (p) => {
      if (p.chunksDone === 1) events.unshift(makeEvents(1, 'shifted', 'intruder')[0]);
    };
    const err = (await settle(client.createEvents(events, { chunksize: 1000, maxBufferedBytes: 0, onProgress }))).error;
    assert.equal(err?.name, 'CreateEventsError', err?.message);
    assert.deepEqual(err.failed.map((f) => [f.from, f.to]), [[1000, 2000], [2000, 3000], [3000, 4000], [4000, 5000]]);
    assert.match(err.failed[0].error.problems[0].message, /not the ones validated/);
    // Only the chunk sent before the change: nothing stored twice, nothing out of place.
    await assertStoredExactlyOnce(emu, token, 'shifted', original.slice(0, 1000));
  });
});

test('a timer changing events while pass one runs: whatever the timing, nothing invalid is sent', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    for (const maxBufferedBytes of [undefined, 0]) {
      const collection = `timer-${maxBufferedBytes ?? 'kept'}`;
      const events = makeEvents(200_000, collection);
      const mark = sent.length;
      const timer = setTimeout(() => {
        for (const i of [0, 99_999, 199_999]) events[i].start = BAD_START;
      }, 0);
      const outcome = await settle(client.createEvents(events, { chunksize: 2000, maxBufferedBytes }));
      clearTimeout(timer);
      assertNothingInvalidSent(mark);
      const stored = await storedEvents(emu, token, { collection });
      assert.ok(stored.every((e) => e.start !== BAD_START));
      if (!outcome.ok) {
        assert.ok(['ValidationError', 'CreateEventsError'].includes(outcome.error.name), outcome.error.message);
        if (outcome.error.name === 'CreateEventsError') {
          assert.ok(outcome.error.failed.every((f) => f.error.name === 'ValidationError'));
        }
      }
    }
  });
});

test('queryAll: a bad argument rejects the first next(), not the call; nothing is sent', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const before = (await stats(emu)).requests;
    for (const [args, name, message] of [
      [[{}, { pageSize: 0 }], 'RangeError', 'pageSize must be an integer from 1 to 10000, got 0'],
      [[5], 'TypeError', 'the query body must be an object, got number'],
      [[{}, { page: 1 }], 'TypeError', "queryAll options: unknown option 'page' (known: pageSize, signal, timeoutMs, maxRetries)"],
    ]) {
      const it = client.queryAll(...args); // does not throw
      await assert.rejects(it.next(), (e) => e.name === name && e.message === message);
      assert.deepEqual(await it.next(), { done: true, value: undefined });
    }
    // for await sees the same rejection.
    await assert.rejects(async () => {
      for await (const _ of client.queryAll({}, { pageSize: 0 }));
    }, RangeError);
    assert.deepEqual((await stats(emu)).requests, before);
  });
});

test('queryAll: break (return) and throw() end the iteration and abort the page request in flight', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    await client.createEvents(makeEvents(10, 'paged'), 10);
    for (const how of ['break', 'throw']) {
      // The second page request (the read-ahead) is held long enough never to answer.
      await setFaults(emu, { sequence: ['ok', 'delay'], delayMs: 60_000 });
      const mark = sent.length;
      const it = client.queryAll({ filter: { collection: 'paged' } }, { pageSize: 3 });
      const first = await it.next();
      assert.equal(first.done, false);
      await until(() => sent.length - mark === 2, 'the read-ahead request');
      const readAhead = sent[mark + 1];
      assert.equal(readAhead.signal.aborted, false);
      if (how === 'break') {
        for await (const _ of { [Symbol.asyncIterator]: () => it }) break; // calls return()
        assert.deepEqual(await it.return('x'), { done: true, value: 'x' });
      } else {
        const reason = new Error('stop');
        await assert.rejects(it.throw(reason), (e) => e === reason);
      }
      assert.equal(readAhead.signal.aborted, true, `${how}: the page request in flight was aborted`);
      assert.deepEqual(await it.next(), { done: true, value: undefined });
      assert.equal(sent.length - mark, 2, 'no further page was requested');
    }
  });
});

test('queryAll: an abort ends the iteration at the next event, with the engine\'s AbortError, also within a page already here', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    await client.createEvents(makeEvents(10, 'aborted-paging'), 10);
    const query = { filter: { collection: 'aborted-paging' } };
    for (const pageSize of [10, 4]) {
      const controller = new AbortController();
      const reason = new Error('user left');
      const seen = [];
      const error = await (async () => {
        try {
          for await (const event of client.queryAll(query, { pageSize, signal: controller.signal })) {
            seen.push(event);
            controller.abort(reason);
          }
        } catch (e) {
          return e;
        }
      })();
      assert.equal(seen.length, 1, `pageSize ${pageSize}: no event after the abort`);
      assert.ok(error instanceof AbortError, String(error));
      assert.equal(error.cause, reason);
      // The same error as the engine gives an aborted call.
      const engine = await client.queryEvents(query, { signal: controller.signal }).catch((e) => e);
      assert.equal(engine.name, 'AbortError');
      assert.equal(error.message, engine.message);
    }
  });
});

test('queryAll: next() calls that overlap (not awaited one by one) answer in call order; a failed read-ahead comes out of the next() that needs its page', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    await client.createEvents(makeEvents(7, 'overlap'), 10);
    const query = () => client.queryAll({ filter: { collection: 'overlap' }, sort: { externalId: 1 } }, { pageSize: 3 });
    const sequential = [];
    const one = query();
    for (let i = 0; i < 8; i++) sequential.push((await one.next()).value?.externalId);
    const all = await Promise.all(Array.from({ length: 8 }, ((it) => () => it.next())(query())));
    assert.deepEqual(all.map((step) => step.value?.externalId), sequential);
    assert.equal(sequential.filter(Boolean).length, 7);
    assert.equal(sequential[7], undefined, 'the 8th call is past the end');

    // The page requests after the first fail (page 1, read ahead, and page 2, requested
    // ahead of it: the emulator may see them in either order): the first page's events
    // come first, then the error, from the 4th next().
    await setFaults(emu, { sequence: ['ok', '503', '503'] });
    const it = client.queryAll({ filter: { collection: 'overlap' } }, { pageSize: 3, maxRetries: 0 });
    const got = [];
    const error = await (async () => {
      try {
        for await (const e of it) got.push(e);
      } catch (e) {
        return e;
      }
    })();
    assert.equal(got.length, 3);
    assert.ok(error instanceof EventsApiError, String(error));
    assert.equal(error.status, 503);
  });
});

test('errors carry their cause: the abort reason, AbortSignal.timeout(), fetch, getToken', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu);
    // An abort reason of the caller's own.
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    controller.abort(reason);
    const aborted = (await settle(client.createEvents(makeEvents(3, 'c'), { signal: controller.signal }))).error;
    assert.equal(aborted.name, 'AbortError');
    assert.equal(aborted.cause, reason);
    // AbortSignal.timeout(): fires while the query is held (for a minute) by the emulator.
    await setFaults(emu, { sequence: ['delay'], delayMs: 60_000 });
    const timedOut = (await settle(client.queryEvents({}, { signal: AbortSignal.timeout(100) }))).error;
    assert.equal(timedOut.name, 'AbortError', timedOut.message);
    assert.equal(timedOut.cause?.name, 'TimeoutError', 'the signal\'s reason: a TimeoutError DOMException');
    // An upload aborted midway: the AbortError that reports what was stored has the reason too.
    const midway = new AbortController();
    const stop = new Error('stop after the first chunk');
    const partial = (await settle(client.createEvents(makeEvents(3000, 'midway'), {
      chunksize: 1000, concurrency: 1, signal: midway.signal, onProgress: () => midway.abort(stop),
    }))).error;
    assert.equal(partial.name, 'AbortError');
    assert.equal(partial.created, 1000);
    assert.equal(partial.cause, stop);
    // fetch's own error, from a port where nothing listens.
    const nowhere = new EventsClient({ token, baseUrl: 'http://127.0.0.1:9/api/v1', maxRetries: 0 });
    const network = (await settle(nowhere.deleteEvents('c'))).error;
    assert.equal(network.name, 'NetworkError');
    assert.ok(network.cause instanceof Error, 'fetch\'s error is the cause');
    assert.ok(!Object.keys(network).includes('cause'), 'cause is not enumerable, as on platform errors');
    // getToken's error.
    const vault = new Error('the vault is sealed');
    const noToken = new EventsClient({ baseUrl: emu.api, getToken: () => Promise.reject(vault) });
    const auth = (await settle(noToken.queryEvents())).error;
    assert.equal(auth.name, 'AuthError');
    assert.equal(auth.cause, vault);
    assert.match(auth.message, /^getToken failed: the vault is sealed$/);
    // A caller's value shaped like one of the engine's errors, or another realm's Error,
    // is the cause as it was given: the face converts only the engine's own values.
    const { runInNewContext } = await import('node:vm');
    const shaped = { name: 'TimeoutError', message: 'the vault timed out', code: 7 };
    const shapedAuth = (await settle(new EventsClient({ baseUrl: emu.api, getToken: () => Promise.reject(shaped) }).queryEvents())).error;
    assert.equal(shapedAuth.name, 'AuthError');
    assert.equal(shapedAuth.cause, shaped, 'the same object, not a TimeoutError made of it');
    for (const given of [{ name: 'NetworkError', message: 'app went offline' }, runInNewContext('new TypeError("other realm", { cause: 42 })')]) {
      const shapedAbort = new AbortController();
      shapedAbort.abort(given);
      const aborted = (await settle(client.queryEvents({}, { signal: shapedAbort.signal }))).error;
      assert.equal(aborted.name, 'AbortError');
      assert.equal(aborted.cause, given, 'the abort reason as it was given');
    }
    // A getToken that never settles: bounded by timeoutMs, and an abort stops it at once.
    const never = new EventsClient({ baseUrl: emu.api, timeoutMs: 300, getToken: () => new Promise(() => {}) });
    const slow = (await settle(never.queryEvents())).error;
    assert.equal(slow?.name, 'AuthError', String(slow));
    assert.match(slow.message, /^getToken did not settle within timeoutMs \(300 ms\)$/);
    const patient = new EventsClient({ baseUrl: emu.api, timeoutMs: 3_600_000, getToken: () => new Promise(() => {}) });
    const leave = new AbortController();
    const pending = settle(patient.createEvents(makeEvents(3, 'never'), { signal: leave.signal }));
    leave.abort(reason);
    const left = (await pending).error;
    assert.equal(left?.name, 'AbortError', String(left));
    assert.equal(left.cause, reason);
  });
});

test('authUrl is readable next to baseUrl', async () => {
  const client = new EventsClient({ token: 't', baseUrl: 'http://127.0.0.1:1/api/v1' });
  assert.equal(client.baseUrl, 'http://127.0.0.1:1/api/v1');
  assert.equal(client.authUrl, 'http://127.0.0.1:1/api/v1');
  const split = new EventsClient({ token: 't', env: 'dev' });
  assert.equal(split.authUrl, 'https://auth-apidev.genomcore.net/api/v1');
  assert.equal(typeof EventsClient.prototype[Symbol.dispose], 'function', 'using client = … frees it');
});

test('callbacks that throw (onProgress, onChunk, onSkip, onRequest) are ignored: the upload goes on and resolves', async () => {
  await withEmulator([], async (emu) => {
    const calls = { onProgress: 0, onChunk: 0, onSkip: 0, onRequest: 0 };
    const thrower = (name) => () => {
      calls[name] += 1;
      throw new Error(`${name} broke`);
    };
    const { token, client } = await clientFor(emu, { onRequest: thrower('onRequest') });
    const events = makeEvents(30, 'throwing-callbacks');
    const result = await client.createEvents(events, { chunksize: 10, onProgress: thrower('onProgress'), onChunk: thrower('onChunk') });
    assert.equal(result.created, 30);
    await assertStoredExactlyOnce(emu, token, 'throwing-callbacks', events, result.ids);
    // Bytes with a bad line skipped: onSkip throws too.
    const lines = makeEvents(20, 'throwing-skip').map((e) => JSON.stringify(e));
    lines[5] = '{"owner":""}';
    const skipped = await client.createEvents(new Blob([lines.join('\n')]), {
      chunksize: 10, onInvalid: 'skip', onSkip: thrower('onSkip'), onProgress: thrower('onProgress'),
    });
    assert.equal(skipped.created, 19);
    // Each was called, and each threw: after every chunk (onProgress also as bytes are read).
    assert.ok(calls.onProgress >= 3 + 3, `onProgress ${calls.onProgress}`);
    // Three creates each (a skipped event ends its chunk: 0-4, 6-15, 16-19).
    assert.deepEqual({ ...calls, onProgress: 0 }, { onProgress: 0, onChunk: 3, onSkip: 1, onRequest: 6 });

    // async callbacks whose Promises reject (a save that fails): ignored too, not left
    // unhandled (which ends a Node process: the test runner fails the file on one).
    const rejected = [];
    const failing = (name) => async () => {
      rejected.push(name);
      throw new Error(`${name} could not save`);
    };
    const asyncClient = new EventsClient({ token, baseUrl: emu.api, onRequest: failing('onRequest') });
    const more = makeEvents(20, 'rejecting-callbacks');
    const done = await asyncClient.createEvents(more, {
      chunksize: 10, onProgress: failing('onProgress'), onChunk: failing('onChunk'),
    });
    assert.equal(done.created, 20);
    const skipping = await asyncClient.createEvents(new Blob([lines.join('\n')]), { chunksize: 10, onInvalid: 'skip', onSkip: failing('onSkip') });
    assert.equal(skipping.created, 19);
    // Let the rejections settle: an unhandled one would be reported by now.
    await new Promise((resolve) => setImmediate(resolve));
    for (const name of ['onRequest', 'onProgress', 'onChunk', 'onSkip']) assert.ok(rejected.includes(name), name);
  });
});

test('a freed client fails each method with a TypeError (a rejected Promise, or a throw where the method throws), and frees only once', async () => {
  const client = new EventsClient({ token: 't', baseUrl: 'http://127.0.0.1:1/api/v1' });
  client.free();
  client.free();
  client[Symbol.dispose]();
  const freed = (e) => e instanceof TypeError && /this EventsClient was freed/.test(e.message);
  for (const call of [
    () => client.createEvents([]),
    () => client.queryEvents({}),
    () => client.deleteEvents('c'),
    () => client.queryAll({}).next(),
  ]) {
    const p = call();
    assert.ok(p instanceof Promise, 'a Promise, not a synchronous throw');
    await assert.rejects(p, freed);
  }
  assert.throws(() => client.exportEvents({}), freed);
  assert.equal(client.baseUrl, 'http://127.0.0.1:1/api/v1', 'the URLs stay readable');
});

test('idempotency: a 409 (the same key still in flight) is retried; a 422 (the key first used with other events) is final and explained', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { maxRetries: 100 });
    const events = makeEvents(10, 'keys');
    // The first upload's request is held by the emulator after it claimed its key.
    await setFaults(emu, { sequence: ['hold-claimed'] });
    const mark = sent.length;
    const first = client.createEvents(events, { runId: 'same-run' });
    await until(async () => (await stats(emu)).held === 1, 'the first request to be held');
    // The same upload again, as a second tab or a restarted job would: its key is in flight.
    const second = client.createEvents(events, { runId: 'same-run' });
    await until(() => sent.slice(mark).some((r) => r.status === 409), 'a 409 for the second upload');
    const r = await realFetch(`${emu.origin}/__emulator/release`, { method: 'POST' });
    assert.equal(r.status, 200);
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(b.ids, a.ids, 'the retried request was answered as the first one');
    assert.ok(b.chunks[0].attempts >= 2);
    await assertStoredExactlyOnce(emu, token, 'keys', events, a.ids);

    // Resuming that run with other events: the server refuses the key's new body with 422.
    const changed = events.map((e) => ({ ...e, value: `${e.value} (edited)` }));
    const err = (await settle(client.createEvents(changed, { runId: 'same-run' }))).error;
    assert.equal(err?.name, 'CreateEventsError', err?.message);
    const chunkError = err.failed[0].error;
    assert.equal(chunkError.status, 422);
    assert.equal(err.failed[0].attempts, 1, 'a 422 is not retried');
    assert.match(chunkError.message, /differ from those first sent under its Idempotency-Key; typically a resume with a runId whose events or chunking changed/);
    await assertStoredExactlyOnce(emu, token, 'keys', events, a.ids);
  });
});
