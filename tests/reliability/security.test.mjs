// Tokens never leak; plain http:// only to loopback; odd collection names delete exactly
// themselves. (Every emulator route's token check: emulator/tests/route_auth.rs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  loadClient, withEmulator, login, stats, setFaults, clearFaults, raw, makeEvents, settle, figure, expireTokens,
} from './helpers.mjs';

const { EventsClient } = loadClient();

/**
 * Records every request the client makes through the global `fetch` (URL, headers,
 * body) and the tokens handed out by refresh answers, while `fn` runs.
 */
async function recordingFetch(fn) {
  const realFetch = globalThis.fetch;
  const requests = [];
  const issued = [];
  globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    const body = req.body ? await req.clone().text() : '';
    requests.push({ url: req.url, method: req.method, headers: Object.fromEntries(req.headers), body });
    const resp = await realFetch(req);
    if (new URL(req.url).pathname.endsWith('/auth/refresh-token') && resp.ok) {
      const answer = await resp.clone().json();
      issued.push(answer.token, answer.refreshToken);
    }
    return resp;
  };
  try {
    return { result: await fn(), requests, issued };
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** Captures everything written through `console` while `fn` runs. */
async function capturingConsole(fn) {
  const lines = [];
  const saved = {};
  for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    saved[k] = console[k];
    console[k] = (...args) => lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 8 }))).join(' '));
  }
  try {
    return { result: await fn(), lines };
  } finally {
    Object.assign(console, saved);
  }
}

/** Every way an error can be shown, nested errors included. */
function renderings(err) {
  const out = [String(err), err.message, err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })];
  for (const f of err.failed ?? []) out.push(...renderings(f.error));
  return out;
}

test('tokens never appear in URLs, bodies, error messages, logs, console output or the client itself', async (t) => {
  await withEmulator(['--log', '--token-ttl', '600'], async (emu) => {
    const { token, refreshToken } = await login(emu, 'secret-keeper');
    const given = []; // tokens handed to clients later in the test
    const shown = [];
    const { result: consoleLines, requests, issued } = await recordingFetch(async () => {
      const { lines } = await capturingConsole(async () => {
        // The given token is expired (on demand) before the first request: the client
        // renews it after the 401. Held requests never answer: the 2 s timeout gives up on them (a timeout
        // error) however slow the machine; other requests have 2 s to answer.
        const client = new EventsClient({ token, refreshToken, baseUrl: emu.api, maxRetries: 2, timeoutMs: 2000 });
        shown.push(String(client), `${client}`, JSON.stringify(client), JSON.stringify({ client }),
          inspect(client, { depth: 10, showHidden: true }), Object.keys(client).join(','));
        const events = makeEvents(2000, 'secrets');
        await expireTokens(emu);
        // Creates through every fault kind, then a query, a page iterator and a delete.
        await setFaults(emu, { sequence: ['503', 'reset', 'lost-response', 'hold', '429'] });
        const created = await client.createEvents(events, 500);
        assert.equal(created.created, 2000);
        await clearFaults(emu);
        await client.queryEvents({ filter: { collection: 'secrets' } }, { pageSize: 10 });
        let n = 0;
        for await (const _ of client.queryAll({ filter: { collection: 'secrets' } }, { pageSize: 700 })) n++;
        assert.equal(n, 2000);
        // Errors of every kind, each rendered every way.
        const errors = [];
        errors.push((await settle(client.queryEvents({ filter: { nope: 1 } }))).error);                 // 400
        await setFaults(emu, { sequence: ['hold'] });
        errors.push((await settle(client.queryEvents({}, { maxRetries: 0 }))).error);                   // timeout
        await setFaults(emu, { sequence: ['reset'] });
        errors.push((await settle(client.deleteEvents('secrets', { maxRetries: 0 }))).error);          // network
        await setFaults(emu, { sequence: Array(3).fill('503') });
        errors.push((await settle(client.createEvents(events.slice(0, 10), { maxRetries: 0 }))).error); // CreateEventsError
        const ac = new AbortController();
        ac.abort();
        errors.push((await settle(client.createEvents(events.slice(0, 10), { signal: ac.signal }))).error);
        await clearFaults(emu);
        // A token the server refuses and a refresh token it refuses: a 401, then a refused
        // renewal (an AuthError whose message carries the Auth API's, never the token).
        const refused = new EventsClient({ token: `${token}x`, refreshToken: `${refreshToken}x`, baseUrl: emu.api, maxRetries: 0 });
        errors.push((await settle(refused.queryEvents({}))).error);
        // getToken that hands over a real token (a fresh one: the first was expired).
        const fresh = await login(emu, 'secret-keeper');
        given.push(fresh.token, fresh.refreshToken);
        const viaCallback = new EventsClient({ getToken: () => fresh.token, baseUrl: emu.api });
        shown.push(inspect(viaCallback, { showHidden: true }), JSON.stringify(viaCallback));
        const deleted = await viaCallback.deleteEvents('secrets');
        assert.equal(deleted.deleted, 2000);
        for (const e of errors) {
          assert.ok(e instanceof Error, String(e));
          shown.push(...renderings(e));
        }
        assert.deepEqual(
          errors.map((e) => e.name),
          ['EventsApiError', 'TimeoutError', 'NetworkError', 'CreateEventsError', 'AbortError', 'AuthError'],
        );
      });
      return lines;
    });
    // The secrets: the tokens given to the clients and every one a refresh handed out.
    assert.ok(issued.length >= 2, 'the client renewed its tokens');
    const secrets = [token, refreshToken, ...given, ...issued].filter(Boolean);
    const parts = secrets.flatMap((s) => [s, s.split('.')[2]]); // whole tokens and their signatures
    const leaks = (where, text) => parts.filter((p) => text.includes(p)).map(() => where);

    // The recorder sees tokens where they belong, so the search below can fail.
    const authorized = requests.filter((r) => r.headers.authorization);
    assert.ok(authorized.some((r) => r.headers.authorization === `Bearer ${token}` || issued.some((s) => r.headers.authorization === `Bearer ${s}`)));
    const found = [];
    for (const r of requests) {
      found.push(...leaks(`URL ${r.url}`, decodeURIComponent(r.url)));
      const isRefresh = new URL(r.url).pathname.endsWith('/auth/refresh-token');
      if (!isRefresh) found.push(...leaks(`body of ${r.method} ${r.url}`, r.body));
      else assert.deepEqual(Object.keys(JSON.parse(r.body)), ['refreshToken'], 'a refresh sends only the refresh token');
      for (const [k, v] of Object.entries(r.headers)) if (k !== 'authorization') found.push(...leaks(`header ${k}`, v));
      if (r.headers.authorization) assert.ok(!isRefresh, 'a refresh carries no access token');
    }
    shown.forEach((s, i) => found.push(...leaks(`rendering ${i}`, s)));
    consoleLines.forEach((l) => found.push(...leaks('console', l)));
    found.push(...leaks('emulator log', emu.stderr()));
    assert.deepEqual(found, []);
    assert.ok(emu.stderr().includes('POST /api/v1/events 201'), 'the emulator log was recorded');
    figure(t, 'token-leak-search', {
      tokensSearched: secrets.length, requests: requests.length, renderings: shown.length,
      consoleLines: consoleLines.length, logLines: emu.stderr().trim().split('\n').length, leaks: found.length,
    });
  });
});

test('a token that cannot be a header value (a space, CR, LF, NUL, non-ASCII) is refused before any request, without being shown', async () => {
  await withEmulator([], async (emu) => {
    const { token: good } = await login(emu);
    const secret = 'SECRETPART1';
    const bad = [`${secret}\nSECRETPART2`, `${secret}\r\nX`, `${secret}\0`, `${secret} 2`, `${secret}\u00e9`];
    const before = (await stats(emu)).requests;
    const { result: outcomes, requests } = await recordingFetch(async () => {
      const outcomes = [];
      for (const t of bad) {
        // As the access token and as the refresh token: refused at construction.
        for (const credentials of [{ token: t }, { token: good, refreshToken: t }]) {
          let thrown;
          try {
            new EventsClient({ ...credentials, baseUrl: emu.api });
          } catch (e) {
            thrown = e;
          }
          outcomes.push(thrown);
          assert.equal(thrown?.name, 'TypeError', JSON.stringify(Object.keys(credentials)));
        }
        // From getToken: each call rejects with an AuthError.
        const client = new EventsClient({ getToken: async () => t, baseUrl: emu.api });
        const err = (await settle(client.queryEvents({}))).error;
        assert.equal(err?.name, 'AuthError');
        assert.equal(err.retryable, false);
        outcomes.push(err);
      }
      return outcomes;
    });
    assert.deepEqual(requests, [], 'nothing was sent');
    assert.deepEqual((await stats(emu)).requests, before);
    for (const err of outcomes) {
      assert.match(err.message, /visible ASCII/);
      for (const shown of renderings(err)) assert.ok(!shown.includes(secret), shown);
    }
  });
});

test('plain http:// to a non-loopback host is refused unless allowInsecureHttp', () => {
  const refused = [
    'http://example.com/api/v1', 'HTTP://EXAMPLE.COM/api/v1', 'http://10.0.0.1:8787/api/v1', 'http://192.168.1.2/api/v1',
    'http://localhost.example.com/api/v1', 'http://127.0.0.1.nip.io/api/v1', 'http://127.1/api/v1', 'http://0.0.0.0:8787/api/v1',
    'http://[::ffff:127.0.0.1]/api/v1', 'http://[0:0:0:0:0:0:0:1]/api/v1', 'http://128.0.0.1/api/v1', 'http://127.0.0.256/api/v1',
  ];
  for (const url of refused) {
    for (const opts of [{ baseUrl: url }, { baseUrl: 'https://events.example.com/api/v1', authUrl: url }]) {
      assert.throws(() => new EventsClient({ token: 't', ...opts }), (e) => e.name === 'RangeError' && /plain http:\/\//.test(e.message), `${JSON.stringify(opts)}`);
      assert.throws(() => new EventsClient({ token: 't', ...opts, allowInsecureHttp: false }), { name: 'RangeError' });
      const ok = new EventsClient({ token: 't', ...opts, allowInsecureHttp: true });
      assert.equal(ok.baseUrl, (opts.baseUrl).replace(/^HTTP:\/\/EXAMPLE\.COM/, 'http://EXAMPLE.COM'));
    }
  }
  // Credentials, queries and fragments are refused whatever allowInsecureHttp says.
  for (const url of ['http://example.com@127.0.0.1/api/v1', 'https://user:pw@events.example.com/api/v1', 'http://127.0.0.1/api/v1?x=1', 'http://127.0.0.1/api/v1#x']) {
    for (const allowInsecureHttp of [false, true]) {
      assert.throws(() => new EventsClient({ token: 't', baseUrl: url, allowInsecureHttp }), { name: 'TypeError' }, url);
    }
  }
  for (const url of ['http://127.0.0.1:8787/api/v1', 'http://localhost:8787/api/v1', 'http://LOCALHOST/api/v1', 'http://[::1]:8787/api/v1', 'http://127.255.255.254/api/v1', 'https://example.com/api/v1']) {
    assert.doesNotThrow(() => new EventsClient({ token: 't', baseUrl: url }), url);
  }
  // The default hosts are https.
  assert.match(new EventsClient({ token: 't' }).baseUrl, /^https:\/\//);
  assert.match(new EventsClient({ token: 't', env: 'dev' }).baseUrl, /^https:\/\//);
});

test('a collection name with / ? # & % spaces and non-ASCII deletes exactly that collection', async (t) => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const names = [
      'a', 'A', 'a/b', 'a?b', 'a#b', 'a&b', 'a%b', 'a b', 'a+b', 'a=b', 'a%2Fb', 'a%20b', 'a%25b', '%', '%25', '%2',
      '?', '#', '&', '/', '//', '..', '../a', 'a\\b', ' a', 'a ', '  ', '+', 'é', 'e\u0301', '日本', '😀 emoji',
      'a&collection=b', 'collection=a', '?collection=a', "x' OR '1'='1", 'a;b', '*', '\t', 'a\nb', 'nul\u0000byte',
      'a/b?c#d&e f%g é/日本',
    ];
    // Each name gets its own number of events, so that a wrong delete shows in the counts.
    const all = names.flatMap((name, i) => makeEvents(1 + (i % 5), name, `c${i}`));
    await client.createEvents(all);
    const count = async (collection) => {
      const r = await raw(emu, token, 'POST', '/events/query?pageSize=1', { filter: { collection: { $eq: collection } } });
      assert.equal(r.status, 200);
      return r.body.total;
    };
    const expected = new Map(names.map((name, i) => [name, 1 + (i % 5)]));
    for (const name of names) assert.equal(await count(name), expected.get(name), JSON.stringify(name));
    const before = await stats(emu);
    // Delete them in an order that puts look-alikes after each other.
    for (const name of [...names].reverse()) {
      const { deleted } = await client.deleteEvents(name);
      assert.equal(deleted, expected.get(name), `deleteEvents(${JSON.stringify(name)})`);
      expected.set(name, 0);
      for (const other of names) assert.equal(await count(other), expected.get(other), `${JSON.stringify(other)} after deleting ${JSON.stringify(name)}`);
    }
    const after = await stats(emu);
    assert.equal(after.events, 0);
    assert.equal(after.requests.delete - before.requests.delete, names.length, 'one request per delete');
    figure(t, 'odd-collection-names', { names: names.length, events: all.length });
  });
});
