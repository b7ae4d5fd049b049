// `make smoke` against the emulator that scripts/with-emulator.sh started for this suite
// (EVENTS_EMULATOR_URL; `make test-contract`), with the built package in dist/package/.
// Also `make contract-check` against the document the emulator serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { ROOT } from '../../scripts/contract-check.mjs';

const ORIGIN = process.env.EVENTS_EMULATOR_URL;
const API = `${ORIGIN}/api/v1`;

test('the suite runs against an emulator', () => {
  assert.ok(ORIGIN, 'EVENTS_EMULATOR_URL is not set: run through `make test-contract` (scripts/with-emulator.sh)');
});

/** `make <args>` at the repository root, with `env` added; never rejects. */
function make(args, env = {}) {
  const clean = { ...process.env };
  for (const k of ['GENOMCORE_TOKEN', 'GENOMCORE_REFRESH_TOKEN', 'ENV', 'BASE_URL', 'AUTH_URL', 'URL', 'YES_PROD']) delete clean[k];
  return new Promise((res) => {
    execFile('make', ['--no-print-directory', '-C', ROOT, ...args], { env: { ...clean, ...env }, maxBuffer: 16 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, all: stdout + stderr });
    });
  });
}
// make reports a failing recipe as its own exit 2; the script's code is in its message.
const scriptCode = (r) => (r.code === 0 ? 0 : Number(/Error (\d+)/.exec(r.stderr)?.[1] ?? r.code));

async function login(user) {
  const r = await fetch(`${API}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: 'pw', organizationId: 'org' }) });
  assert.equal(r.status, 200);
  return r.json();
}
async function stats() {
  return (await fetch(`${ORIGIN}/__emulator/stats`)).json();
}
async function count(token, collection) {
  const r = await fetch(`${API}/events/query?page=0&pageSize=1`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ filter: { collection } }) });
  return (await r.json()).total;
}

function assertNoSecret(out, ...secrets) {
  for (const s of secrets) {
    assert.ok(!out.includes(s), 'a token appears in the output');
    // Nor a recognisable part of one (the JWT's signature).
    assert.ok(!out.includes(s.split('.').pop()), 'a token signature appears in the output');
  }
}

/**
 * What this emulator does where a server may differ from the contract (another body
 * under a used Idempotency-Key: 422; a gzip request body: accepted; gzip answers),
 * asked directly: the smoke's verdicts are held to the contract only when it keeps it.
 */
async function emulatorBehaviour(token) {
  const ev = (id) => [{ owner: '1', collection: 'probe', start: '2024-04-01T00:00:00Z', value: 'v', type: 't', source: 's', externalId: id }];
  const post = (body, headers = {}) => fetch(`${API}/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip', ...headers }, body });
  const key = { 'idempotency-key': `probe-${Math.random()}` };
  const first = await post(JSON.stringify(ev('a')), key);
  const other = await post(JSON.stringify(ev('b')), key);
  const { gzipSync } = await import('node:zlib');
  const gz = await post(gzipSync(Buffer.from(JSON.stringify(ev('c')))), { 'content-encoding': 'gzip' });
  await fetch(`${API}/events?collection=probe`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  return { otherBody422: other.status === 422, gzipAccepted: gz.status === 201, gzipAnswers: first.headers.get('content-encoding') === 'gzip' };
}

test('make smoke against the emulator: every step sees the contract, its own collection only, no token printed', async () => {
  const { token, refreshToken } = await login('smoke');
  const emu = await emulatorBehaviour(token);
  // Someone else's data in the same account: it must stay as it is.
  const keep = [1, 2, 3].map((i) => ({ owner: '1', collection: 'keep-me', start: `2024-04-0${i}T00:00:00Z`, value: 'v', type: 't', source: 's', externalId: `k${i}` }));
  const c = await fetch(`${API}/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(keep) });
  assert.equal(c.status, 201);
  const before = await stats();

  const r = await make(['smoke', `BASE_URL=${API}`], { GENOMCORE_TOKEN: token, GENOMCORE_REFRESH_TOKEN: refreshToken, SMOKE_EVENTS: '250' });
  const out = r.stdout;
  // The emulator keeps the contract (asked directly above), so every step sees it.
  assert.deepEqual(emu, { otherBody422: true, gzipAccepted: true, gzipAnswers: true });
  assert.equal(scriptCode(r), 0, r.all);
  assertNoSecret(r.all, token, refreshToken);
  assert.match(out, /client: genomcore-events-wasm \S+ \(dist\/package\/node\/index\.cjs, built \d{4}-/);
  assert.match(out, /token: given \(\d+ characters, not shown\); refresh token: given \(not shown\); expires in 60 min/);
  const coll = /scratch collection: (smoke-genomcore-events-wasm-\d{8}T\d{6}Z-[0-9a-f]{16})/.exec(out)?.[1];
  assert.ok(coll, out);
  assert.match(out, /createEvents: 250 events, chunksize 100[\s\S]*created: 250, ids 250 \(250 distinct\)/);
  assert.match(out, /chunk 2: \[200, 250\) status 201, attempts 1/);
  assert.match(out, /second: 201 ids .*Idempotent-Replayed: true/);
  assert.match(out, /same key, other body: 422/);
  assert.match(out, /→ ok \(\d+ ms\): honoured \(same ids, Idempotent-Replayed header; another body: 422\)/);
  assert.match(out, /→ ok \(\d+ ms\): a gzip body is accepted/);
  assert.match(out, /content-encoding: gzip/);
  // Events stored: 250 by the client, 2 under one key, and the gzip one.
  const n = 253;
  assert.match(out, new RegExp(`client: items 50, total ${n}, page 0, pageSize 50, sorted by start descending: yes`));
  assert.match(out, new RegExp(`events: ${n} \\(${n} distinct ids\\).*created ids missing: 0`));
  assert.match(out, new RegExp(`deleted: ${n}\n`));
  assert.match(out, /make smoke: every step saw what the contract says/);
  assert.doesNotMatch(out, /FAILED|→ DIFFERS/);

  // Nothing of the run is left, and keep-me is untouched.
  assert.equal(await count(token, coll), 0);
  assert.equal(await count(token, 'keep-me'), 3);
  const after = await stats();
  assert.equal(after.events, before.events);
  // Every delete the run sent named its own collection: one from the client.
  assert.equal(after.requests.delete - before.requests.delete, 1);
});

test('make smoke prints Retry-After and waits as told when the API says 429', async () => {
  const { token } = await login('smoke-429');
  const f = await fetch(`${ORIGIN}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequence: ['429'] }) });
  assert.equal(f.status, 200);
  const r = await make(['smoke', `BASE_URL=${API}`], { GENOMCORE_TOKEN: token, SMOKE_EVENTS: '20' });
  await fetch(`${ORIGIN}/__emulator/faults`, { method: 'DELETE' });
  assert.ok([0, 1].includes(scriptCode(r)), r.all);
  assert.doesNotMatch(r.stdout, /FAILED/);
  assert.match(r.stdout, /429 in \d+ ms; .*retry-after: 1/);
  assert.match(r.stdout, /waiting 1 s \(Retry-After: 1\), then once more/);
  assertNoSecret(r.all, token);
});

test('make smoke with a refused token: fails at the first step, writes nothing, prints no token', async () => {
  const { token } = await login('smoke-bad');
  const bad = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const before = await stats();
  const r = await make(['smoke', `BASE_URL=${API}`], { GENOMCORE_TOKEN: bad });
  assert.equal(scriptCode(r), 1, r.all);
  assert.match(r.stdout, /FAILED .*the token is refused \(401\)/);
  assertNoSecret(r.all, bad, token);
  const after = await stats();
  assert.equal(after.requests.create, before.requests.create);
  assert.equal(after.requests.delete, before.requests.delete);
});

test('make smoke refuses prod without YES_PROD, and runs nothing without a token or an environment', async () => {
  const before = await stats();
  const prod = await make(['smoke', 'ENV=prod'], { GENOMCORE_TOKEN: 'x'.repeat(40) });
  assert.equal(scriptCode(prod), 2);
  assert.match(prod.stderr, /refusing to run against prod \(events-api\.genomcore\.net\) without --yes-prod/);
  const prodUrl = await make(['smoke', 'BASE_URL=https://events-api.genomcore.net/api/v1'], { GENOMCORE_TOKEN: 'x'.repeat(40) });
  assert.match(prodUrl.stderr, /refusing to run against prod/);
  // The prod auth host alone is prod too (a refresh would go there).
  const prodAuth = await make(['smoke', `BASE_URL=${API}`, 'AUTH_URL=https://auth-api.genomcore.net/api/v1'], { GENOMCORE_TOKEN: 'x'.repeat(40) });
  assert.equal(scriptCode(prodAuth), 2);
  assert.match(prodAuth.stderr, /refusing to run against prod/);
  const noToken = await make(['smoke', `BASE_URL=${API}`]);
  assert.match(noToken.stderr, /GENOMCORE_TOKEN is not set/);
  const nowhere = await make(['smoke'], { GENOMCORE_TOKEN: 'x'.repeat(40) });
  assert.match(nowhere.stderr, /say where: ENV=dev/);
  assert.ok(!prod.all.includes('x'.repeat(40)));
  const after = await stats();
  assert.deepEqual(after.requests, before.requests);
});

test('make contract-check against the document the emulator serves: no differences', async () => {
  for (const url of [`${ORIGIN}/api/docs`, `${ORIGIN}/api/docs-json`, API]) {
    const r = await make(['contract-check', `URL=${url}`]);
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, new RegExp(`contract-check: ${ORIGIN}/api/docs-json`));
    assert.match(r.stdout, /summary: \d+ match, 0 breaking, 0 other differences/);
  }
  const withAuth = await make(['contract-check', `URL=${ORIGIN}`, `AUTH_URL=${ORIGIN}/api/docs`]);
  assert.equal(withAuth.code, 0, withAuth.all);
  assert.match(withAuth.stdout, /auth: .*\/api\/docs-json/);
});
