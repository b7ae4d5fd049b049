#!/usr/bin/env node
// make smoke: the built package (dist/package/, `make pack`) against a real environment.
//
//   GENOMCORE_TOKEN=… [GENOMCORE_REFRESH_TOKEN=…] ENV=dev make smoke
//   GENOMCORE_TOKEN=… BASE_URL=https://…/api/v1 [AUTH_URL=…] make smoke
//   GENOMCORE_TOKEN=… ENV=prod make smoke YES_PROD=1        (or: node scripts/smoke.mjs --yes-prod)
//
// In a fresh scratch collection (a name with the time and 64 random bits, checked empty
// before anything is written) it creates SMOKE_EVENTS events (default 300) with the
// client, probes the raw API with plain fetch (the same chunk twice under one
// Idempotency-Key, the same key with another body, a gzip-compressed body), queries them
// back in the seed's query shape, pages through them with queryAll, deletes the
// collection and checks it is empty. It prints what each step saw, with the headers
// that matter (Retry-After, rate limits, Content-Encoding, Idempotent-Replayed).
//
// It writes to no other collection, refuses the prod hosts without --yes-prod, and never
// prints a token (every line goes through a filter that would mask one).
// Exit code: 0 when every step saw what the contract says, 1 when one did not, 2 when
// it did not start (no token, no environment, prod without --yes-prod, no package).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ROOT, readContract } from './contract-check.mjs';

const env = process.env;
const argv = process.argv.slice(2);
const SECRETS = [env.GENOMCORE_TOKEN, env.GENOMCORE_REFRESH_TOKEN].filter((s) => s && s.length >= 8);

/** Every line goes out through here: a token can never be printed. */
function redact(text) {
  let t = String(text);
  for (const s of SECRETS) t = t.split(s).join('<token>');
  // Anything shaped like a JWT, too (a token echoed back by a server, a new one).
  return t.replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g, '<jwt>');
}
const say = (line = '') => process.stdout.write(redact(line) + '\n');
const fail = (line) => {
  process.stderr.write(redact(`smoke: ${line}`) + '\n');
  process.exit(2);
};

if (argv.includes('-h') || argv.includes('--help')) {
  say(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 20).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
for (const a of argv) if (a !== '--yes-prod') fail(`unknown argument ${a} (only --yes-prod)`);
const yesProd = argv.includes('--yes-prod');

// ------------------------------------------------------------------ where, and may we

const contract = readContract();
const C = (n) => contract[n].value;
const token = env.GENOMCORE_TOKEN;
if (!token) fail('GENOMCORE_TOKEN is not set (an access token for the environment; it is never printed)');
const which = env.ENV || '';
if (which && which !== 'dev' && which !== 'prod') fail(`ENV must be dev or prod, not "${which}"`);
if (!which && !env.BASE_URL) fail('say where: ENV=dev (or prod), or BASE_URL=https://…/api/v1');
const baseUrl = (env.BASE_URL || C(which === 'prod' ? 'PROD_EVENTS_URL' : 'DEV_EVENTS_URL')).replace(/\/+$/, '');
const authUrl = (env.AUTH_URL || (env.BASE_URL ? baseUrl : C(which === 'prod' ? 'PROD_AUTH_URL' : 'DEV_AUTH_URL'))).replace(/\/+$/, '');
for (const u of [baseUrl, authUrl]) {
  try {
    const url = new URL(u);
    if (url.username || url.password || url.search) fail('BASE_URL and AUTH_URL take no credentials or query string');
  } catch {
    fail(`not a URL: ${u}`);
  }
}
const prodHosts = [C('PROD_EVENTS_URL'), C('PROD_AUTH_URL')].map((u) => new URL(u).host);
const isProd = which === 'prod' || [baseUrl, authUrl].some((u) => prodHosts.includes(new URL(u).host));
if (isProd && !yesProd) fail(`refusing to run against prod (${new URL(baseUrl).host}) without --yes-prod (make smoke ENV=prod YES_PROD=1): it writes and deletes a scratch collection there`);

const PKG = env.SMOKE_PACKAGE || join(ROOT, 'dist/package/node/index.cjs');
if (!existsSync(PKG)) fail(`${PKG} is missing: run 'make pack'`);
const pkg = createRequire(import.meta.url)(PKG);
let pkgVersion = '?';
try {
  pkgVersion = JSON.parse(readFileSync(join(PKG, '../../package.json'), 'utf8')).version;
} catch {}

const N = Number(env.SMOKE_EVENTS || 300);
const PAGE_SIZE = Number(env.SMOKE_PAGE_SIZE || 50);
const CHUNK = Number(env.SMOKE_CHUNKSIZE || 100);
if (!(N >= 1 && N <= 100000 && PAGE_SIZE >= 1 && PAGE_SIZE <= C('MAX_PAGE_SIZE') && CHUNK >= 1)) fail('SMOKE_EVENTS 1…100000, SMOKE_PAGE_SIZE 1…MAX_PAGE_SIZE, SMOKE_CHUNKSIZE ≥ 1');
// The seed's query: owner 1 (a number, compared with the owner string "1"), the seed's dates.
const OWNER = env.SMOKE_OWNER || '1';
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const COLLECTION = `smoke-genomcore-events-wasm-${stamp}-${randomBytes(8).toString('hex')}`;
const START0 = Date.parse('2024-04-01T06:00:00Z');

function events(n, from, tag) {
  return Array.from({ length: n }, (_, i) => ({
    owner: OWNER,
    collection: COLLECTION,
    start: new Date(START0 + (from + i) * 15 * 60 * 1000).toISOString().replace('.000Z', 'Z'),
    value: `smoke ${tag} ${from + i}`,
    type: 'smoke-test',
    source: 'genomcore-events-wasm make smoke',
    externalId: `${tag}-${from + i}`,
  }));
}

/** What the access token's `exp` means for this run (its claims are not printed). */
function expiry(jwt) {
  let exp;
  try {
    exp = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).exp;
  } catch {}
  if (typeof exp !== 'number') return 'no readable exp claim (the client renews only after a 401)';
  const left = Math.round(exp - Date.now() / 1000);
  const renew = C('RENEW_BEFORE_SECS');
  if (left <= 0) return `expired ${-left} s ago${env.GENOMCORE_REFRESH_TOKEN ? ': the client renews it first (the refresh route is exercised)' : ': expect 401'}`;
  return `expires in ${Math.round(left / 60)} min${left < renew ? `, under ${renew / 60} min: ${env.GENOMCORE_REFRESH_TOKEN ? 'the client renews it first (the refresh route is exercised)' : 'no refresh token to renew it with'}` : ''}`;
}

// ------------------------------------------------------------------ reporting

const results = [];
let stepNo = 0;
async function step(name, fn) {
  stepNo += 1;
  say('');
  say(`[${stepNo}] ${name}`);
  const t0 = performance.now();
  let verdict;
  try {
    verdict = (await fn()) || { ok: true };
  } catch (e) {
    verdict = { ok: false, failed: true, why: describe(e) };
  }
  const ms = Math.round(performance.now() - t0);
  const word = verdict.failed ? 'FAILED' : verdict.ok ? 'ok' : 'DIFFERS';
  say(`    → ${word} (${ms} ms)${verdict.why ? `: ${verdict.why}` : ''}`);
  results.push({ name, word, why: verdict.why });
  return verdict;
}
const see = (label, value) => say(`    ${label}: ${value}`);

function describe(e) {
  if (!e || typeof e !== 'object') return String(e);
  const bits = [`${e.name || 'Error'}: ${e.message}${e.cause ? ` (${e.cause.code || e.cause.message || e.cause})` : ''}`];
  if (e.status) bits.push(`status ${e.status}`);
  if (e.serverMessage?.length) bits.push(`server says: ${e.serverMessage.slice(0, 3).join(' | ')}`);
  if (e.failed?.length) bits.push(`${e.failed.length} chunk(s) failed, first: ${describe(e.failed[0].error)}`);
  return bits.join('; ');
}

const HEADERS = /^(retry-after|content-encoding|content-type|idempotent-replayed|idempotency-key|vary|x-request-id|x-correlation-id|www-authenticate)$|ratelimit|rate-limit/i;
function headerLines(h) {
  const out = [];
  h.forEach((v, k) => {
    if (HEADERS.test(k)) out.push(`${k}: ${v}`);
  });
  return out.length ? out.join(', ') : '(none of interest)';
}

/** One raw request with plain fetch: never through the client, so headers show as sent. */
async function raw(method, path, { body, headers = {}, gzip = false } = {}) {
  const h = { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip', ...headers };
  let payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) h['content-type'] = 'application/json';
  if (gzip && payload !== undefined) {
    payload = gzipSync(Buffer.from(payload));
    h['content-encoding'] = 'gzip';
  }
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    const r = await fetch(`${baseUrl}${path}`, { method, headers: h, body: payload, signal: AbortSignal.timeout(60000) });
    const text = await r.text();
    const ms = Math.round(performance.now() - t0);
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    see(`${method} ${path.replace(/\?.*/, '?…')}${gzip ? ' (gzip body)' : ''}`, `${r.status} in ${ms} ms; ${headerLines(r.headers)}`);
    if (r.status >= 400) see('  message', json?.message !== undefined ? [].concat(json.message).slice(0, 3).join(' | ') : text.slice(0, 200) || '(empty)');
    // Passing trouble: wait as told, once; the client does the same (with more patience).
    const ra = r.headers.get('retry-after');
    if ((r.status === 429 || r.status === 503) && attempt === 1) {
      const wait = Math.min(60, /^\d+$/.test(ra || '') ? Number(ra) : Math.max(0, (Date.parse(ra) - Date.now()) / 1000) || 2);
      see('passing trouble', `waiting ${wait} s (Retry-After: ${ra ?? 'absent'}), then once more`);
      await new Promise((res) => setTimeout(res, wait * 1000));
      continue;
    }
    return { status: r.status, headers: r.headers, json, text };
  }
}

const q = (page, pageSize) => `${C('QUERY_PATH')}?${C('PAGE_PARAM')}=${page}&${C('PAGE_SIZE_PARAM')}=${pageSize}`;
const collectionOnly = { filter: { collection: { $in: [COLLECTION] } } };
const seedQuery = {
  filter: { owner: { $in: [/^\d+$/.test(OWNER) ? Number(OWNER) : OWNER] }, collection: { $in: [COLLECTION] } },
  sort: { start: -1 },
  beforeDate: '2024-04-01',
  afterDate: '2024-04-08',
};

// ------------------------------------------------------------------ the run

say(`make smoke: ${isProd ? 'PROD' : which || 'custom'} — events ${baseUrl}, auth ${authUrl}`);
say(`client: genomcore-events-wasm ${pkgVersion} (${PKG.replace(ROOT + '/', '')}, built ${statSync(PKG.replace(/index\.cjs$/, 'genomcore_events_wasm.js')).mtime.toISOString()}), Node ${process.version}`);
say(`token: given (${token.length} characters, not shown)${env.GENOMCORE_REFRESH_TOKEN ? '; refresh token: given (not shown)' : '; no refresh token'}; ${expiry(token)}`);
say(`scratch collection: ${COLLECTION}`);
say(`plan: ${N} events in chunks of ${CHUNK}, queryAll pages of ${PAGE_SIZE}, owner "${OWNER}"`);

let client;
try {
  client = new pkg.EventsClient({
    token,
    ...(env.GENOMCORE_REFRESH_TOKEN ? { refreshToken: env.GENOMCORE_REFRESH_TOKEN } : {}),
    ...(env.BASE_URL ? { baseUrl } : { env: which }),
    ...(env.AUTH_URL ? { authUrl } : {}),
  });
} catch (e) {
  fail(`the client refuses these options: ${describe(e)}`);
}
say(`client base URL: ${client.baseUrl}`);
let mayWrite = false;
let expected = 0;
const createdIds = new Set();
let deleted = false;

try {
  const pre = await step(`the scratch collection is empty (raw POST ${C('QUERY_PATH')}, then the client)`, async () => {
    const r = await raw('POST', q(0, 1), { body: collectionOnly });
    if (r.status === 401 || r.status === 403) return { ok: false, failed: true, why: `the token is refused (${r.status}): ${r.json?.message ?? r.text.slice(0, 200)}` };
    const notEmpty = { ok: false, failed: true, why: 'the new collection is not empty: stopping without writing (nothing of it was made by this run)' };
    if (r.status >= 200 && r.status <= 299) {
      see('answer keys', r.json && typeof r.json === 'object' ? Object.keys(r.json).join(', ') : typeof r.json);
      const rawItems = r.json?.[C('ITEMS_FIELD')];
      if (Array.isArray(rawItems) && rawItems.length) return notEmpty;
    }
    let page;
    try {
      page = await client.queryEvents(collectionOnly, { page: 0, pageSize: 1 });
    } catch (e) {
      see('client', describe(e));
    }
    if (page) see('client', `items ${page.items.length}, total ${page.total}`);
    if (page && (page.items.length || page.total)) return notEmpty;
    // The query itself may be what differs (a first run against the real service): the
    // name holds the time and 64 random bits, so it is still a collection of our own.
    mayWrite = true;
    if (!page) return { ok: false, why: `could not check by query (${r.status}); going on: the name is fresh (time and 64 random bits)` };
  });
  if (!mayWrite) throw new Error(pre.why);

  await step(`createEvents: ${N} events, chunksize ${CHUNK}`, async () => {
    let reports = 0;
    const res = await client.createEvents(events(N, 0, 'client'), { chunksize: CHUNK, onProgress: () => (reports += 1) });
    expected += res.created;
    res.ids.forEach((id) => createdIds.add(id));
    see('created', `${res.created}, ids ${res.ids.length} (${createdIds.size} distinct), progress reports ${reports}`);
    for (const c of res.chunks) see(`chunk ${c.index}`, `[${c.from}, ${c.to}) status ${c.status}, attempts ${c.attempts}, ${c.ms} ms`);
    if (res.created !== N || createdIds.size !== N) return { ok: false, why: `expected ${N} distinct ids` };
  });

  await step('Idempotency-Key: the same chunk twice under one key, then the key with another body (raw)', async () => {
    const key = `smoke-${COLLECTION}-replay`;
    const chunk = events(2, N, 'replay');
    const first = await raw('POST', C('EVENTS_PATH'), { body: chunk, headers: { [C('IDEMPOTENCY_HEADER')]: key } });
    if (first.status < 200 || first.status > 299) return { ok: false, failed: true, why: `first send: ${first.status} ${first.text.slice(0, 200)}` };
    expected += chunk.length;
    const second = await raw('POST', C('EVENTS_PATH'), { body: chunk, headers: { [C('IDEMPOTENCY_HEADER')]: key } });
    const ids1 = first.json?.[C('IDS_FIELD')];
    const ids2 = second.json?.[C('IDS_FIELD')];
    see('first', `${first.status} ids ${JSON.stringify(ids1)}`);
    see('second', `${second.status} ids ${JSON.stringify(ids2)}, Idempotent-Replayed: ${second.headers.get('idempotent-replayed') ?? 'absent'}`);
    const same = JSON.stringify(ids1) === JSON.stringify(ids2) && second.status === first.status;
    if (!same && second.status >= 200 && second.status <= 299) expected += chunk.length;
    const other = await raw('POST', C('EVENTS_PATH'), { body: events(1, N + 2, 'replay'), headers: { [C('IDEMPOTENCY_HEADER')]: key } });
    const replayedFirst = JSON.stringify(other.json?.[C('IDS_FIELD')]) === JSON.stringify(ids1);
    see('same key, other body', `${other.status}${replayedFirst ? ' replaying the first answer' : ''} (the contract: 422, nothing stored)`);
    if (other.status >= 200 && other.status <= 299 && !replayedFirst) expected += 1;
    if (!same) return { ok: false, why: 'NOT honoured: the repeated chunk was stored again, so a client retry after a lost answer duplicates events' };
    if (other.status !== 422) return { ok: false, why: `honoured for the same body; another body under the key got ${other.status}, not 422` };
    return { ok: true, why: `honoured (same ids${second.headers.get('idempotent-replayed') ? ', Idempotent-Replayed header' : ''}; another body: 422)` };
  });

  await step('Content-Encoding: gzip request body (raw)', async () => {
    const r = await raw('POST', C('EVENTS_PATH'), { body: events(1, N + 3, 'gzip'), gzip: true });
    if (r.status >= 200 && r.status <= 299) {
      expected += 1;
      return { ok: true, why: 'a gzip body is accepted' };
    }
    return { ok: false, why: `a gzip body got ${r.status} (the contract: accepted; 415 only for other encodings)` };
  });

  await step(`queryEvents in the seed's shape (owner $in [${seedQuery.filter.owner.$in[0]}], collection $in, sort start -1, beforeDate/afterDate), page 0 of ${PAGE_SIZE}`, async () => {
    const r = await raw('POST', q(0, PAGE_SIZE), { body: seedQuery });
    see('raw answer keys', r.json && typeof r.json === 'object' ? Object.keys(r.json).join(', ') : typeof r.json);
    const page = await client.queryEvents(seedQuery, { page: 0, pageSize: PAGE_SIZE });
    const starts = page.items.map((e) => Date.parse(e.start));
    const sorted = starts.every((s, i) => i === 0 || starts[i - 1] >= s);
    see('client', `items ${page.items.length}, total ${page.total}, page ${page.page}, pageSize ${page.pageSize}, sorted by start descending: ${sorted ? 'yes' : 'NO'}`);
    if (page.items[0]) see('first item keys', Object.keys(page.items[0]).join(', '));
    const problems = [];
    if (page.total !== expected) problems.push(`total ${page.total}, expected ${expected}${page.total === 0 && typeof seedQuery.filter.owner.$in[0] === 'number' ? ' (a number in $in does not match the owner string?)' : ''}`);
    if (page.items.length !== Math.min(PAGE_SIZE, expected)) problems.push(`${page.items.length} items on page 0, expected ${Math.min(PAGE_SIZE, expected)}`);
    if (!sorted) problems.push('not sorted by start descending');
    if (problems.length) return { ok: false, why: problems.join('; ') };
  });

  await step(`queryAll, pages of ${PAGE_SIZE}`, async () => {
    const t0 = performance.now();
    const seen = new Set();
    let n = 0;
    for await (const e of client.queryAll(collectionOnly, { pageSize: PAGE_SIZE })) {
      n += 1;
      seen.add(e.id);
    }
    const missing = [...createdIds].filter((id) => !seen.has(id)).length;
    see('events', `${n} (${seen.size} distinct ids) in ${Math.round(performance.now() - t0)} ms, ~${Math.ceil(n / PAGE_SIZE)} pages; created ids missing: ${missing}`);
    if (n !== expected || seen.size !== n || missing) return { ok: false, why: `expected ${expected} distinct events with every created id` };
  });

  await step(`deleteEvents("${COLLECTION}")`, async () => {
    const r = await client.deleteEvents(COLLECTION);
    deleted = true;
    see('deleted', r.deleted);
    if (r.deleted !== expected) return { ok: false, why: `deleted ${r.deleted}, expected ${expected}` };
  });

  await step('the scratch collection is empty again', async () => {
    const r = await raw('POST', q(0, 1), { body: collectionOnly });
    const items = r.json?.[C('ITEMS_FIELD')];
    see('items', Array.isArray(items) ? items.length : 'none');
    if (!Array.isArray(items) || items.length) return { ok: false, why: 'events are left' };
  });
} catch (e) {
  if (!results.length || results[results.length - 1].word === 'ok') results.push({ name: 'run', word: 'FAILED', why: describe(e) });
} finally {
  if (mayWrite && !deleted) {
    // Only our own collection, checked empty before the first write.
    try {
      const r = await client.deleteEvents(COLLECTION);
      say(`cleanup: deleteEvents("${COLLECTION}") → ${r.deleted}`);
    } catch (e) {
      say(`cleanup FAILED: ${describe(e)}; delete "${COLLECTION}" by hand`);
    }
  }
  client.free();
}

say('');
say('summary:');
for (const r of results) say(`  ${r.word.padEnd(7)} ${r.name}${r.word === 'ok' ? '' : `: ${r.why}`}`);
const bad = results.filter((r) => r.word !== 'ok').length;
say(bad ? `make smoke: ${bad} step(s) did not see what the contract says (exit 1); run make contract-check URL=… on this environment and see README "Against the real service"` : 'make smoke: every step saw what the contract says');
process.exitCode = bad ? 1 : 0;
