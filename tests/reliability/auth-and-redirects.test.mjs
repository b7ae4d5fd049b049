// Redirects are not followed (a followed one would carry the refresh token and the
// events to whatever host it names), and a token renewal that fails is an AuthError
// saying why, its passing trouble retried, its refusal shared by the requests that
// waited on it. Scripted HTTP servers play the redirecting host, the host it points to
// and a failing Auth API; the Events API is the real emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { loadClient, withEmulator, login, stats, makeEvents, expireTokens, waitFor } from './helpers.mjs';

const { EventsClient, EventsApiError, NetworkError } = loadClient();

/** An unsigned JWT whose `exp` is `secondsFromNow` away (the client reads only `exp`). */
const jwt = (secondsFromNow) =>
  `e30.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + secondsFromNow })).toString('base64url')}.x`;

/** A loopback server answering with `answer(req, body, n)` (n: 1 for its first request); it records every request. */
async function scripted(answer) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const { status, headers = {}, text = '' } = await answer(req, body, seen.length);
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(text);
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, api: `${origin}/api/v1`, seen, close: () => new Promise((ok) => server.close(ok)) };
}

test('a 3xx answer is not followed: nothing reaches the host it names, the call fails at once saying so', async () => {
  const thief = await scripted(() => ({ status: 200, text: '{"items":[],"total":0,"deleted":0,"token":"stolen"}' }));
  const redirector = await scripted((req) => ({ status: 307, headers: { Location: `${thief.origin}${req.url}` } }));
  try {
    const client = new EventsClient({ token: jwt(3600), baseUrl: redirector.api, maxRetries: 3 });
    const query = await client.queryEvents({ filter: { owner: 'patient-42' } }, { pageSize: 10 }).then(() => null, (e) => e);
    assert.equal(query?.name, 'EventsApiError', String(query));
    assert.equal(query.status, 307);
    assert.equal(query.retryable, false);
    assert.match(query.message, /redirect, which the client does not follow/);

    const create = await client.createEvents(makeEvents(3, 'redirected'), { compression: 'none' }).then(() => null, (e) => e);
    assert.equal(create?.name, 'CreateEventsError', String(create));
    assert.equal(create.failed[0].error.status, 307);
    assert.equal(create.failed[0].attempts, 1, 'not retried');

    const del = await client.deleteEvents('redirected').then(() => null, (e) => e);
    assert.equal(del?.status, 307, String(del));

    // The renewal too: an expired token's refresh meets the redirect.
    const renewing = new EventsClient({ token: jwt(-60), refreshToken: 'refresh-secret', baseUrl: thief.api, authUrl: redirector.api });
    const auth = await renewing.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e);
    assert.equal(auth?.name, 'AuthError', String(auth));
    assert.equal(auth.status, 307);
    assert.match(auth.message, /^token refresh failed: the Auth API answered 307.*does not follow/);

    assert.deepEqual(thief.seen, [], 'the host a redirect names never hears from the client');
    assert.deepEqual(
      redirector.seen.map((r) => `${r.method} ${new URL(r.url, redirector.origin).pathname}`),
      ['POST /api/v1/events/query', 'POST /api/v1/events', 'DELETE /api/v1/events', 'POST /api/v1/auth/refresh-token'],
      'each request once: a redirect is not passing trouble',
    );
  } finally {
    await thief.close();
    await redirector.close();
  }
});

test('a refused renewal is an AuthError with the Auth API\'s status and message, shared by the requests that waited on it', async () => {
  await withEmulator([], async (emu) => {
    const auth = await scripted(() => ({ status: 401, text: '{"statusCode":401,"message":"refresh token revoked","error":"Unauthorized"}' }));
    try {
      const client = new EventsClient({ token: jwt(-60), refreshToken: 'revoked-refresh', baseUrl: emu.api, authUrl: auth.api });
      const before = (await stats(emu)).requests;
      const errors = await Promise.all(
        [0, 1, 2, 3].map(() => client.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e)),
      );
      for (const err of errors) {
        assert.equal(err?.name, 'AuthError', String(err));
        assert.equal(err.status, 401);
        assert.equal(err.retryable, false);
        assert.equal(err.message, 'token refresh failed: the Auth API answered 401 Unauthorized: refresh token revoked');
        assert.doesNotMatch(err.message, /revoked-refresh/, 'the refresh token is never shown');
      }
      assert.equal(auth.seen.length, 1, 'one refusal answers the four requests that waited on it');
      const after = (await stats(emu)).requests;
      assert.equal(after.query, before.query, 'nothing was sent with the expired token');
    } finally {
      await auth.close();
    }
  });
});

test('a refresh token the Auth API refused is not sent again, and once a token and its renewal are refused, no request leaves only to be refused', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    await expireTokens(emu); // refused by the server, though its `exp` is an hour away
    const auth = await scripted(() => ({ status: 401, text: '{"statusCode":401,"message":"refresh token revoked","error":"Unauthorized"}' }));
    try {
      const client = new EventsClient({ token, refreshToken: 'revoked-refresh', baseUrl: emu.api, authUrl: auth.api });
      const before = (await stats(emu)).requests;
      const failed = await client.createEvents(makeEvents(2_000, 'refused-for-good'), { chunksize: 100, concurrency: 2 }).then(() => null, (e) => e);
      assert.equal(failed?.name, 'CreateEventsError', String(failed));
      assert.equal(failed.failed.length, 20, 'every chunk failed');
      for (const f of failed.failed) assert.equal(f.error.name, 'AuthError', f.error.message);
      const sent = (await stats(emu)).requests.create - before.create;
      assert.ok(sent >= 1 && sent <= 2, `only the first chunks in flight were sent to meet the 401: ${sent}`);
      assert.equal(auth.seen.length, 1, 'the refused refresh token was sent once');
      // A later call of the same client: refused at once, nothing sent.
      const later = await client.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e);
      assert.equal(later?.name, 'AuthError', String(later));
      assert.equal(later.status, 401);
      assert.equal(later.cause?.name, 'EventsApiError', 'the Auth API\'s answer is the cause');
      assert.ok(later.cause instanceof EventsApiError, 'the cause is an instance of its class, not a plain object');
      assert.match(later.cause.message, /^Auth API answered 401 Unauthorized: refresh token revoked/, 'the cause names the API that answered');
      assert.equal(later.cause.status, 401);
      assert.equal((await stats(emu)).requests.query, before.query, 'no query left');
      assert.equal(auth.seen.length, 1);
    } finally {
      await auth.close();
    }
  });
});

test('a renewal that reached no Auth API is an AuthError whose cause is the NetworkError, and is tried again by a later request', async () => {
  await withEmulator([], async (emu) => {
    const closed = await scripted(() => ({ status: 200 }));
    await closed.close(); // nothing listens there now
    const reports = [];
    const client = new EventsClient({
      token: jwt(-60), refreshToken: 'some-refresh', baseUrl: emu.api, authUrl: closed.api, maxRetries: 0, onRequest: (r) => reports.push(r),
    });
    for (let i = 1; i <= 2; i++) {
      const err = await client.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e);
      assert.equal(err?.name, 'AuthError', String(err));
      assert.match(err.message, /^token refresh failed: /);
      assert.equal(err.cause?.name, 'NetworkError', `cause: ${err.cause}`);
      assert.ok(err.cause instanceof NetworkError, 'the cause is an instance of its class');
      assert.ok(err.cause.cause instanceof Error, 'and keeps what fetch threw as its own cause');
      assert.equal(reports.filter((r) => r.url.endsWith('/auth/refresh-token')).length, i, 'no answer is no refusal: tried again');
    }
  });
});

test('a 5xx the contract does not retry (a portal\'s 511) fails the renewal but is no refusal: the next request renews', async () => {
  await withEmulator([], async (emu) => {
    const { refreshToken } = await login(emu);
    const auth = await scripted(async (req, body, n) => {
      if (n === 1) return { status: 511, text: '{"message":"network authentication required"}' };
      const r = await fetch(`${emu.api}/auth/refresh-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      return { status: r.status, text: await r.text() };
    });
    try {
      const client = new EventsClient({ token: jwt(-60), refreshToken, baseUrl: emu.api, authUrl: auth.api });
      const failed = await client.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e);
      assert.equal(failed?.name, 'AuthError', String(failed));
      assert.equal(failed.status, 511);
      assert.equal((await client.queryEvents({}, { pageSize: 10 })).total, 0, 'renewed by the next request');
      assert.equal(auth.seen.length, 2);
    } finally {
      await auth.close();
    }
  });
});

test('an abort ends a call\'s wait for another call\'s renewal at once, as an AbortError', { timeout: 60_000 }, async () => {
  await withEmulator([], async (emu) => {
    const { refreshToken } = await login(emu);
    let answer;
    const held = new Promise((ok) => (answer = ok));
    // The Auth API answers only when the test says so: the renewal stays under way.
    const auth = await scripted(async (req, body) => {
      await held;
      const r = await fetch(`${emu.api}/auth/refresh-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      return { status: r.status, text: await r.text() };
    });
    try {
      const client = new EventsClient({ token: jwt(-60), refreshToken, baseUrl: emu.api, authUrl: auth.api, timeoutMs: 600_000 });
      const first = client.queryEvents({}, { pageSize: 10 });
      await waitFor(() => auth.seen.length === 1, 'the first call\'s renewal reaching the Auth API');
      const controller = new AbortController();
      const second = client.queryEvents({}, { pageSize: 10, signal: controller.signal }).then(() => null, (e) => e);
      await new Promise((ok) => setImmediate(ok)); // the second call is waiting for the renewal's turn
      controller.abort(new Error('the user left'));
      const err = await second; // before the renewal ends: it is still held
      assert.equal(err?.name, 'AbortError', String(err));
      assert.equal(err.cause?.message, 'the user left');
      assert.equal(auth.seen.length, 1, 'the second call did not renew');
      answer();
      assert.equal((await first).total, 0, 'the first call renewed and went on');
    } finally {
      answer();
      await auth.close();
    }
  });
});

test('a renewal meeting passing trouble (503) is retried with backoff, then the call goes on with the new token', async () => {
  await withEmulator([], async (emu) => {
    const { refreshToken } = await login(emu);
    // Two 503s, then the emulator's own answer.
    const auth = await scripted(async (req, body, n) => {
      if (n <= 2) return { status: 503, headers: { 'Retry-After': '0' }, text: '{"statusCode":503,"message":"down"}' };
      const r = await fetch(`${emu.api}/auth/refresh-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      return { status: r.status, text: await r.text() };
    });
    try {
      const reports = [];
      const client = new EventsClient({
        token: jwt(-60), refreshToken, baseUrl: emu.api, authUrl: auth.api, onRequest: (r) => reports.push(r),
      });
      const page = await client.queryEvents({ filter: { collection: 'none' } }, { pageSize: 10 });
      assert.equal(page.total, 0);
      const refreshes = reports.filter((r) => r.url.endsWith('/auth/refresh-token'));
      assert.deepEqual(refreshes.map((r) => [r.attempt, r.retryReason]), [[1, 'status 503'], [2, 'status 503'], [3, undefined]]);
      assert.deepEqual(refreshes.slice(0, 2).map((r) => r.status), [503, 503]);
      assert.ok(refreshes[2].status >= 200 && refreshes[2].status < 300, `renewed: ${refreshes[2].status}`);
      const queries = reports.filter((r) => new URL(r.url).pathname.endsWith('/events/query'));
      assert.deepEqual(queries.map((r) => r.status), [200], 'the query left once, with the new token');
      assert.equal(auth.seen.length, 3);
    } finally {
      await auth.close();
    }
  });
});

test('an Auth API answer of the wrong shape is an AuthError saying what is wrong, never with the token; a refreshToken absent, null or empty keeps the old one', async () => {
  await withEmulator([], async (emu) => {
    const wrong = [
      ['<html>', 'the token refresh answer is not a JSON object'],
      ['["a.b.c"]', 'the token refresh answer is not a JSON object'],
      ['{"token":""}', 'the token refresh answer has no "token" string'],
      ['{"token":7}', 'the token refresh answer has no "token" string'],
      ['{"accessToken":"a.b.c"}', 'the token refresh answer has no "token" string'],
      ['{"token":"SECRET\\nREST"}', 'the token refresh answer\'s "token" '],
      ['{"token":"a.b.c","refreshToken":1}', 'the token refresh answer\'s "refreshToken" is not a string'],
    ];
    for (const [text, why] of wrong) {
      const auth = await scripted(() => ({ status: 200, text }));
      try {
        const client = new EventsClient({ token: jwt(-60), refreshToken: 'REFRESH-SECRET', baseUrl: emu.api, authUrl: auth.api, maxRetries: 0 });
        const err = await client.queryEvents({}, { pageSize: 10 }).then(() => null, (e) => e);
        assert.equal(err?.name, 'AuthError', `${text}: ${err}`);
        assert.ok(err.message.startsWith(`token refresh failed: ${why}`), `${text}: ${err.message}`);
        assert.ok(!/SECRET/.test(err.message), `${text}: no token in ${err.message}`);
      } finally {
        await auth.close();
      }
    }
    // Good answers: the old refresh token is sent again when the answer's is absent,
    // null or empty, the new one when it carries one. Each answer's token expires within
    // the renewal margin, so that every call renews; a scripted Events API answers them.
    const extras = [{}, { refreshToken: null }, { refreshToken: '' }, { refreshToken: 'NEXT' }, {}];
    const issued = [];
    const renewals = await scripted((req, body, n) => {
      issued.push(`${jwt(60)}${n}`); // told apart by their last character
      return { status: 200, text: JSON.stringify({ token: issued[n - 1], ...extras[n - 1] }) };
    });
    const api = await scripted(() => ({ status: 200, text: '{"items":[],"total":0}' }));
    try {
      const client = new EventsClient({ token: jwt(-60), refreshToken: 'FIRST', baseUrl: api.api, authUrl: renewals.api, maxRetries: 0 });
      for (let i = 0; i < extras.length; i++) assert.equal((await client.queryEvents({}, { pageSize: 10 })).total, 0);
      assert.deepEqual(renewals.seen.map((r) => JSON.parse(r.body).refreshToken), ['FIRST', 'FIRST', 'FIRST', 'FIRST', 'NEXT']);
      assert.deepEqual(api.seen.map((r) => r.headers.authorization), issued.map((t) => `Bearer ${t}`), 'each call with the token its renewal gave');
    } finally {
      await renewals.close();
      await api.close();
    }
  });
});

test('an API error body\'s message, a string or a list of them, becomes the error\'s serverMessage lines; another body is its own text', async () => {
  const bodies = [
    ['{"statusCode":400,"message":"token expired"}', ['token expired']],
    ['{"statusCode":400,"message":["0.start must be an RFC 3339 date-time","2.owner is required"]}', ['0.start must be an RFC 3339 date-time', '2.owner is required']],
    ['  Bad Gateway \n', ['Bad Gateway']],
    ['{"message": 5}', ['{"message": 5}']],
  ];
  for (const [text, lines] of bodies) {
    const api = await scripted(() => ({ status: 400, text }));
    try {
      const client = new EventsClient({ token: jwt(3600), baseUrl: api.api, maxRetries: 0 });
      const err = await client.deleteEvents('c').then(() => null, (e) => e);
      assert.equal(err?.name, 'EventsApiError', String(err));
      assert.deepEqual(err.serverMessage, lines, text);
    } finally {
      await api.close();
    }
  }
});
