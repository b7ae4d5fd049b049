// Real networks, against real emulator processes: gzip request bodies (and the 415
// fallback), backpressure from 429, a caller's own `fetch`, and `onRequest` reports.
import test from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import vm from 'node:vm';
import { withEmulator, login, loadClient, stats, makeEvents, assertStoredExactlyOnce, figure, setFaults, expireTokens } from './helpers.mjs';

const { EventsClient } = loadClient();

/**
 * A `fetch` that records every request it carries (`{ url, method, headers, body,
 * status }`) and every token a refresh answer issued.
 */
function recordingFetch() {
  const calls = [];
  const issued = [];
  const fetchFn = async (url, init) => {
    const record = { url, method: init.method, headers: { ...init.headers }, body: init.body, status: undefined };
    calls.push(record);
    const r = await fetch(url, init);
    record.status = r.status;
    record.answerEncoding = r.headers.get('content-encoding');
    if (new URL(url).pathname.endsWith('/refresh-token') && r.ok) {
      const answer = await r.clone().json();
      issued.push(answer.token, answer.refreshToken);
    }
    return r;
  };
  return { calls, issued, fetchFn };
}

const creates = (calls) => calls.filter((c) => c.method === 'POST' && new URL(c.url).pathname.endsWith('/events'));
const bodyText = (c) => (c.headers['Content-Encoding'] === 'gzip' ? gunzipSync(c.body).toString('utf8') : new TextDecoder().decode(c.body));

test('compression: gzip bodies are stored exactly as sent; auto leaves loopback bodies plain', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const { calls, fetchFn } = recordingFetch();
    const client = new EventsClient({ token, baseUrl: emu.api, fetch: fetchFn, compression: 'gzip' });
    const events = makeEvents(5000, 'gz');
    const result = await client.createEvents(events, 1000);
    assert.equal(result.compressionRefused, false);
    assert.ok(result.chunks.every((c) => c.compressed), 'every chunk went compressed');
    const sent = creates(calls);
    assert.equal(sent.length, 5);
    let plainBytes = 0;
    let gzBytes = 0;
    for (const c of sent) {
      assert.equal(c.headers['Content-Encoding'], 'gzip');
      gzBytes += c.body.length;
      plainBytes += bodyText(c).length;
      assert.equal(JSON.parse(bodyText(c)).length, 1000);
    }
    assert.ok(gzBytes * 4 < plainBytes, `${plainBytes} bytes of JSON went as ${gzBytes} bytes`);
    await assertStoredExactlyOnce(emu, token, 'gz', events, result.ids);
    figure(t, 'gzip-ratio', { plainBytes, gzBytes, ratio: +(plainBytes / gzBytes).toFixed(1) });

    // 'auto' (the default) on loopback: the CPU costs more than the bytes; per-call override.
    const auto = new EventsClient({ token, baseUrl: emu.api, fetch: fetchFn });
    const mark = calls.length;
    const plain = await auto.createEvents(makeEvents(2000, 'auto'), 1000);
    assert.ok(plain.chunks.every((c) => !c.compressed));
    assert.ok(creates(calls.slice(mark)).every((c) => c.headers['Content-Encoding'] === undefined));
    const forced = await auto.createEvents(makeEvents(1000, 'forced'), { chunksize: 1000, compression: 'gzip' });
    assert.ok(forced.chunks[0].compressed);
  });
});

test('compression: answers come plain on loopback unless gzip is asked for, on every Events API call', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const exchanges = async (compression) => {
      const { calls, fetchFn } = recordingFetch();
      const client = new EventsClient({ token, baseUrl: emu.api, fetch: fetchFn, compression });
      const created = await client.createEvents(makeEvents(3000, `answers-${compression}`), 1000);
      assert.equal(created.created, 3000);
      const page = await client.queryEvents({ filter: { collection: `answers-${compression}` } }, { pageSize: 3000 });
      assert.equal(page.items.length, 3000);
      let seen = 0;
      for await (const _ of client.queryAll({ filter: { collection: `answers-${compression}` } }, { pageSize: 1000 })) seen++;
      assert.equal(seen, 3000);
      const exported = await new Response(client.exportEvents({ filter: { collection: `answers-${compression}` } })).text();
      assert.equal(exported.trim().split('\n').length, 3000);
      await client.deleteEvents(`answers-${compression}`);
      assert.ok(calls.length >= 9, `${calls.length} requests`);
      return calls;
    };
    // 'auto' (the default) and 'none' on loopback: the request says identity, and the
    // emulator (which gzips for any client asking) answered plain.
    for (const mode of ['auto', 'none']) {
      for (const c of await exchanges(mode)) {
        assert.equal(c.headers['Accept-Encoding'], 'identity', `${mode}: ${c.method} ${c.url}`);
        assert.equal(c.answerEncoding, null, `${mode}: ${c.method} ${c.url} came ${c.answerEncoding}`);
      }
    }
    // 'gzip': the platform's own Accept-Encoding (Node's fetch asks for gzip) and gzipped
    // answers, read as usual.
    const gzipped = (await exchanges('gzip')).filter((c) => c.method === 'POST'); // a delete's few bytes go plain
    assert.equal(gzipped.length, 8, "3 creates, 1 query, 3 queryAll pages, 1 export page");
    for (const c of gzipped) {
      assert.equal(c.headers['Accept-Encoding'], undefined);
      assert.equal(c.answerEncoding, 'gzip', `${c.method} ${c.url}`);
    }
  });
});

test('compression: a 415 sends the chunk again plain and stops compressing for the client', async () => {
  await withEmulator(['--refuse-content-encoding'], async (emu) => {
    const { token } = await login(emu);
    const { calls, fetchFn } = recordingFetch();
    const reports = [];
    const client = new EventsClient({
      token, baseUrl: emu.api, fetch: fetchFn, compression: 'gzip', concurrency: 1, onRequest: (r) => reports.push(r),
    });
    const events = makeEvents(3000, 'refused');
    let lastProgress;
    const result = await client.createEvents(events, { chunksize: 1000, onProgress: (p) => (lastProgress = p) });
    // progress.retries counts what the chunks' attempts count: the plain resend is one.
    assert.equal(lastProgress.retries, result.chunks.reduce((n, c) => n + c.attempts - 1, 0));
    assert.equal(lastProgress.retries, 1);
    assert.equal(result.compressionRefused, true);
    const sent = creates(calls);
    assert.deepEqual(sent.map((c) => [c.headers['Content-Encoding'] ?? 'plain', c.status]),
      [['gzip', 415], ['plain', 201], ['plain', 201], ['plain', 201]]);
    assert.equal(result.chunks[0].attempts, 2, 'the refused request counts as an attempt');
    assert.ok(result.chunks.every((c) => !c.compressed));
    // The refused request says why the chunk is sent again; the plain resend is its attempt 2.
    assert.deepEqual(reports.filter((r) => r.chunk !== undefined).map((r) => [r.chunk, r.status, r.bytesSent < r.bytes, r.attempt, r.retryReason]),
      [[0, 415, true, 1, 'status 415: sent again uncompressed'], [0, 201, false, 2, undefined], [1, 201, false, 1, undefined], [2, 201, false, 1, undefined]]);
    // The same client sends plain from the start from now on.
    const mark = calls.length;
    const again = await client.createEvents(makeEvents(1000, 'refused-2'), 1000);
    assert.equal(again.compressionRefused, true);
    assert.deepEqual(creates(calls.slice(mark)).map((c) => c.headers['Content-Encoding'] ?? 'plain'), ['plain']);
    await assertStoredExactlyOnce(emu, token, 'refused', events, result.ids);
  });
});

test('a failed upload says too that the API refused compressed bodies (compressionRefused)', async () => {
  await withEmulator(['--refuse-content-encoding'], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, compression: 'gzip', concurrency: 1, maxRetries: 0 });
    // The first chunk: refused compressed (415), stored plain; the second: a 503, not retried.
    await setFaults(emu, { sequence: ['ok', 'ok', '503'] });
    const err = await client.createEvents(makeEvents(2000, 'refused-failed'), 1000).then(() => assert.fail('resolved'), (e) => e);
    assert.equal(err.name, 'CreateEventsError', err.message);
    assert.equal(err.created, 1000);
    assert.equal(err.compressionRefused, true);
    assert.deepEqual(err.warnings, []);
  });
});

test('a caller\'s fetch that gives no Response: a NetworkError naming it, not a crash; a minimal Response-like answer works', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    // A wrapper that forgot to return the Response.
    const forgot = new EventsClient({ token, baseUrl: emu.api, maxRetries: 0, fetch: async (url, init) => void (await fetch(url, init)) });
    for (const call of [() => forgot.queryEvents({}), () => forgot.createEvents(makeEvents(3, 'no-response'), 10)]) {
      const err = await call().then(() => assert.fail('resolved'), (e) => e);
      const network = err.name === 'CreateEventsError' ? err.cause : err;
      assert.equal(network.name, 'NetworkError', `${err.name}: ${err.message}`);
      assert.match(network.message, /fetch did not give a Response/);
    }
    // An answer whose text() throws: that error is the cause.
    const unreadable = new Error('body already used');
    const throwing = new EventsClient({ token, baseUrl: emu.api, maxRetries: 0, fetch: async (url, init) => {
      const r = await fetch(url, init);
      return { status: r.status, headers: r.headers, text() { throw unreadable; } };
    } });
    const unread = await throwing.queryEvents({}).then(() => assert.fail('resolved'), (e) => e);
    assert.equal(unread.name, 'NetworkError');
    assert.equal(unread.cause, unreadable);
    // A test double with only status and text(): no headers, no statusText.
    const double = new EventsClient({
      token, baseUrl: emu.api, fetch: async (url, init) => {
        const r = await fetch(url, init);
        const text = await r.text();
        return { status: r.status, text: async () => text };
      },
    });
    const page = await double.queryEvents({}, { pageSize: 5 });
    assert.equal(page.pageSize, 5);
    // A "Deferred" Promise subclass whose constructor ignores its executor: its `then`
    // throws (as `await` of it does in JS). Given by fetch or getToken, the call fails
    // with that error as its cause, rather than never settling.
    class Deferred extends Promise {
      constructor() {
        let resolve;
        super((ok) => (resolve = ok));
        this.resolve = resolve;
      }
    }
    const deferredAnswer = new EventsClient({ token, baseUrl: emu.api, maxRetries: 0, fetch: (url, init) => {
      const d = new Deferred();
      fetch(url, init).then(d.resolve);
      return d;
    } });
    const viaFetch = await deferredAnswer.queryEvents({}).then(() => assert.fail('resolved'), (e) => e);
    assert.equal(viaFetch.name, 'NetworkError', viaFetch.message);
    assert.equal(viaFetch.cause?.name, 'TypeError');
    const deferredToken = new EventsClient({ baseUrl: emu.api, getToken: () => {
      const d = new Deferred();
      d.resolve(token);
      return d;
    } });
    const viaToken = await deferredToken.queryEvents({}).then(() => assert.fail('resolved'), (e) => e);
    assert.equal(viaToken.name, 'AuthError', viaToken.message);
    assert.equal(viaToken.cause?.name, 'TypeError');
    // A Promise of another realm (an iframe's) and a thenable are awaited as `await` would.
    for (const getToken of [() => vm.runInNewContext('Promise').resolve(token), () => ({ then: (ok) => ok(token) })]) {
      const other = new EventsClient({ baseUrl: emu.api, getToken });
      assert.equal((await other.queryEvents({}, { pageSize: 5 })).pageSize, 5);
    }
    // The same client still works after the failures (nothing left broken in the engine).
    const ok = new EventsClient({ token, baseUrl: emu.api });
    assert.equal((await ok.createEvents(makeEvents(3, 'after-no-response'), 10)).created, 3);
  });
});

test('onRequest counts a query\'s body in UTF-8 bytes, as sent', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const { calls, fetchFn } = recordingFetch();
    const reports = [];
    const client = new EventsClient({ token, baseUrl: emu.api, fetch: fetchFn, onRequest: (r) => reports.push(r) });
    await client.queryEvents({ filter: { collection: 'Ñandú 😀 患者' } });
    const sent = Buffer.byteLength(calls.at(-1).body);
    assert.ok(sent > calls.at(-1).body.length, 'the body has characters of more than one byte');
    assert.equal(reports.at(-1).bytes, sent);
    assert.equal(reports.at(-1).bytesSent, sent);
  });
});

test('bring your own fetch: it carries every request, onRequest reports each, no token outside Authorization', async () => {
  await withEmulator([], async (emu) => {
    const { token, refreshToken } = await login(emu);
    // The given token expired (on demand): the client renews it through the same fetch.
    await expireTokens(emu);
    const { calls, issued, fetchFn } = recordingFetch();
    const reports = [];
    const client = new EventsClient({ token, refreshToken, baseUrl: emu.api, fetch: fetchFn, onRequest: (r) => reports.push(r) });
    await client.createEvents(makeEvents(2500, 'byo'), 1000);
    await client.queryEvents({ filter: { collection: 'byo' } }, { pageSize: 10 });
    for await (const _ of client.queryAll({ filter: { collection: 'byo' } }, { pageSize: 1000 }));
    await client.deleteEvents('byo');
    const paths = calls.map((c) => `${c.method} ${new URL(c.url).pathname}`);
    assert.ok(paths.includes('POST /api/v1/auth/refresh-token'), 'the refresh went through the given fetch');
    // Three chunks stored; the requests sent with the expired token were refused (401) and sent again.
    const creates = calls.filter((c) => c.method === 'POST' && new URL(c.url).pathname === '/api/v1/events');
    assert.equal(creates.filter((c) => c.status === 201).length, 3);
    assert.ok(creates.filter((c) => c.status === 401).length >= 1);
    assert.equal(creates.length, creates.filter((c) => c.status === 201 || c.status === 401).length);
    assert.equal(paths.filter((p) => p === 'DELETE /api/v1/events').length, 1);
    assert.equal(reports.length, calls.length, 'one report per request');
    // Every token seen: the given ones and every one a refresh issued.
    const secrets = new Set([token, refreshToken, ...issued].filter(Boolean));
    assert.ok(issued.length >= 2, 'a refresh issued tokens');
    for (const c of calls) {
      const { Authorization, ...others } = c.headers;
      const isRefresh = new URL(c.url).pathname.endsWith('/refresh-token');
      for (const s of secrets) {
        assert.ok(!c.url.includes(s), `a token in the URL ${c.url}`);
        assert.ok(!JSON.stringify(others).includes(s), 'a token in a header other than Authorization');
        if (!isRefresh && c.body !== undefined) {
          const text = typeof c.body === 'string' ? c.body : new TextDecoder().decode(c.body);
          assert.ok(!text.includes(s), 'a token in a request body');
        }
      }
      if (isRefresh) assert.equal(Authorization, undefined, 'the refresh sends its token in the body only');
    }
    const shown = JSON.stringify(reports);
    for (const s of secrets) assert.ok(!shown.includes(s), 'a token in an onRequest report');
    for (const r of reports) {
      assert.ok(['POST', 'DELETE'].includes(r.method) && r.attempt >= 1 && r.durationMs >= 0 && typeof r.status === 'number', JSON.stringify(r));
    }
    // Each chunk's stored request reported once (those refused with 401 too, before it).
    assert.deepEqual(reports.filter((r) => r.chunk !== undefined && r.status === 201).map((r) => r.chunk).sort(), [0, 1, 2]);
    assert.ok(reports.filter((r) => r.status === 401).every((r) => r.retryReason === 'status 401: token renewed'));
  });
});

test('backpressure: under a rate limit, 100000 events are stored exactly once and the client lowers its concurrency', async (t) => {
  await withEmulator(['--rate-limit', '10'], async (emu) => {
    const { token } = await login(emu);
    const events = makeEvents(100_000, 'limited');
    let lowest = Infinity;
    const client = new EventsClient({ token, baseUrl: emu.api, concurrency: 8, maxRetries: 100 });
    const before = (await stats(emu)).rateLimited;
    const result = await client.createEvents(events, {
      chunksize: 1000,
      onProgress: (p) => (lowest = Math.min(lowest, p.concurrency)),
    });
    const adaptive429 = (await stats(emu)).rateLimited - before;
    await assertStoredExactlyOnce(emu, token, 'limited', events, result.ids);
    // 100 creates at 8 in flight outrun 10 a second: 429s are certain, and must lower it.
    assert.ok(adaptive429 > 0, 'the rate limit answered no 429');
    assert.ok(lowest < 8, `${adaptive429} 429s were answered, yet concurrency stayed at ${lowest}`);

    // The same upload by a fixed-concurrency client (8 in flight, Retry-After honoured).
    const fixedBefore = (await stats(emu)).rateLimited;
    const chunks = [];
    for (let i = 0; i < events.length; i += 1000) chunks.push(makeEvents(1000, 'limited-fixed', 'limited-fixed', i));
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < chunks.length) {
        const body = JSON.stringify(chunks[next++]);
        for (;;) {
          const r = await fetch(`${emu.api}/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
          if (r.status === 201) break;
          assert.equal(r.status, 429);
          await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after'))));
        }
      }
    }));
    const fixed429 = (await stats(emu)).rateLimited - fixedBefore;
    figure(t, 'backpressure', { events: 100_000, rateLimitPerSecond: 10, adaptive429, fixed429, lowestConcurrency: lowest });
  });
});

test('after a 429 halves the concurrency, the retries of the chunks that were in flight wait for a slot: the requests out never exceed it', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    // The creates out now, counted by a wrapped fetch; the most seen when one starts
    // after the first 429 came back.
    let out = 0;
    let halved = false;
    let most = 0;
    const fetchFn = async (url, init) => {
      if (init.method !== 'POST' || !new URL(url).pathname.endsWith('/events')) return fetch(url, init);
      out += 1;
      if (halved) most = Math.max(most, out);
      try {
        const r = await fetch(url, init);
        if (r.status === 429) halved = true;
        return r;
      } finally {
        out -= 1;
      }
    };
    const client = new EventsClient({ token, baseUrl: emu.api, concurrency: 4, maxRetries: 3, fetch: fetchFn });
    const events = makeEvents(40, 'slots');
    // The four chunks' first requests are refused together; their retries (after
    // Retry-After and at most 500 ms of jitter) are answered slowly, so that retries
    // not held to the halved concurrency would all be out at once.
    await setFaults(emu, { sequence: ['429', '429', '429', '429', 'delay', 'delay', 'delay', 'delay'], delayMs: 1500 });
    const seen = [];
    const result = await client.createEvents(events, { chunksize: 10, onProgress: (p) => seen.push(p.concurrency) });
    await assertStoredExactlyOnce(emu, token, 'slots', events, result.ids);
    assert.equal(seen[0], 2, `halved before the first chunk was stored: ${seen}`);
    assert.equal(most, 2, `2 requests out at most after the halving (its two first retries), saw ${most}`);
  });
});

test('one 503 halves the chunks in flight once, then they climb back one at a time to concurrency, never above; its report says why it was retried', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const reports = [];
    const client = new EventsClient({ token, baseUrl: emu.api, concurrency: 8, maxRetries: 3, onRequest: (r) => reports.push(r) });
    const events = makeEvents(600, 'recovering');
    const seen = [];
    await setFaults(emu, { sequence: ['503'] });
    const result = await client.createEvents(events, { chunksize: 10, onProgress: (p) => seen.push(p.concurrency) });
    await assertStoredExactlyOnce(emu, token, 'recovering', events, result.ids);
    // 60 chunks: halved to 4 by the 503, then +1 after each round of stored chunks (4, 5,
    // 6, 7 of them: 22 chunks) back to 8.
    assert.equal(Math.min(...seen), 4, `${seen}`);
    assert.equal(Math.max(...seen), 8, `${seen}`);
    assert.equal(seen.at(-1), 8, `back at concurrency: ${seen}`);
    // Lowered once, by half (before the first report, or after one if a chunk landed
    // before the 503's answer), then raised one at a time.
    const steps = [8, ...seen].slice(1).map((c, i) => c - [8, ...seen][i]).filter((d) => d !== 0);
    assert.deepEqual(steps.filter((d) => d < 0), [-4], `halved once: ${seen}`);
    assert.ok(steps.filter((d) => d > 0).every((d) => d === 1), `raised one at a time: ${seen}`);
    // onRequest: the refused request says why it is sent again; the others say nothing.
    const refused = reports.filter((r) => r.status === 503);
    assert.equal(refused.length, 1);
    assert.equal(refused[0].retryReason, 'status 503');
    assert.equal(refused[0].attempt, 1);
    const again = reports.find((r) => r.chunk === refused[0].chunk && r.attempt === 2);
    assert.equal(again?.status, 201);
    assert.equal(again.retryReason, undefined);
    assert.equal(reports.filter((r) => r.retryReason !== undefined).length, 1);
  });
});
