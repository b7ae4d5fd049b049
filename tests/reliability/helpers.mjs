// Shared by tests/reliability/*.test.mjs: a real emulator process per test, the
// client built by `make test-reliability` (wasm-pack --target nodejs plus the face), and plain-HTTP
// helpers that check what the emulator really holds (never through the client).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EMULATOR = process.env.EMULATOR || join(ROOT, 'target/debug/events-emulator');
const PKG = process.env.RELIABILITY_PKG || join(ROOT, 'target/reliability-pkg/api.js');

/** The client module: the face's CommonJS build over wasm-pack's --target nodejs glue. */
export function loadClient() {
  return createRequire(import.meta.url)(PKG);
}

/**
 * Starts `events-emulator --addr 127.0.0.1:0 --db :memory: --test-hooks` plus `args`
 * (later flags win) and resolves once it prints its URL. Its stderr (the `--log`
 * lines) is kept in `emu.stderr()`.
 */
export async function startEmulator(args = [], { addr = '127.0.0.1:0' } = {}) {
  const child = spawn(EMULATOR, ['--addr', addr, '--db', ':memory:', '--test-hooks', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const origin = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`emulator did not start: ${err}`)), 30_000);
    lines.on('line', (l) => {
      out += l + '\n';
      const m = /^listening on (\S+)/.exec(l);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`emulator exited (${code ?? signal}) before listening: ${err}`));
    });
  });
  const ready = /^token: (\S+)/m.exec(out);
  const emu = {
    origin,
    api: `${origin}/api/v1`,
    port: Number(new URL(origin).port),
    pid: child.pid,
    readyToken: ready ? ready[1] : undefined,
    stdout: () => out,
    stderr: () => err,
    exited,
    /** SIGKILL, and wait until it is gone. */
    async kill9() {
      child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  lines.on('line', (l) => (out += l + '\n'));
  return emu;
}

/** Runs `fn(emu)` against a fresh emulator and always stops it. */
export async function withEmulator(args, fn) {
  const emu = await startEmulator(args);
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
  }
}

/** A temporary directory, removed by the returned `cleanup`. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'events-reliability-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function json(resp) {
  const text = await resp.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${resp.status} answer is not JSON: ${text.slice(0, 200)}`);
  }
}

/** `{ token, refreshToken }` for a fresh login as `user`. */
export async function login(emu, user = 'reliability') {
  const r = await fetch(`${emu.api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'pw', organizationId: 'org' }),
  });
  assert.equal(r.status, 200);
  return json(r);
}

export async function stats(emu) {
  const r = await fetch(`${emu.origin}/__emulator/stats`);
  assert.equal(r.status, 200);
  return json(r);
}

export async function setFaults(emu, plan) {
  const r = await fetch(`${emu.origin}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(plan),
  });
  assert.equal(r.status, 200, await r.text());
}

/** Clears the fault plan; the emulator also releases every held request (handled). */
export async function clearFaults(emu) {
  const r = await fetch(`${emu.origin}/__emulator/faults`, { method: 'DELETE' });
  assert.equal(r.status, 200);
}

async function hook(emu, path, body) {
  const r = await fetch(`${emu.origin}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

/**
 * Releases requests held by `hold` faults (`{ count?, then?: 'handle' | 'reset' }`,
 * default: all, handled normally); resolves `{ released }` once each was handled.
 */
export function release(emu, body = {}) {
  return hook(emu, 'release', body);
}

/** Every access token issued so far is refused as expired from now on: `{ expired }`. */
export function expireTokens(emu) {
  return hook(emu, 'expire-tokens');
}

/**
 * Polls `check` (sync or async) every `intervalMs` until it returns a truthy value,
 * which it resolves; fails with `what` after `timeoutMs`. For waiting on observable
 * state (counters, held requests) instead of sleeping for a fixed time.
 */
export async function waitFor(check, what, { timeoutMs = 120_000, intervalMs = 10 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A raw HTTP call to the API with `token` (a string, or a function resolving one per
 * call); resolves `{ status, body, headers }`.
 */
export async function raw(emu, token, method, path, body, headers = {}) {
  if (typeof token === 'function') token = await token();
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
  const r = await fetch(`${emu.api}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

/**
 * Every stored event matching `filter`, in id order, over plain HTTP: pages of 10000
 * by keyset (`id > last`), so that reading a million events stays linear.
 */
export async function storedEvents(emu, token, filter = {}) {
  const items = [];
  let total;
  for (let after; ; ) {
    const f = after === undefined ? filter : { ...filter, id: { $gt: after } };
    const r = await raw(emu, token, 'POST', '/events/query?page=0&pageSize=10000', { filter: f, sort: { id: 1 } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    total ??= r.body.total;
    items.push(...r.body.items);
    if (r.body.items.length < 10000) break;
    after = items[items.length - 1].id;
  }
  assert.equal(items.length, total, 'the pages add up to the first answer\'s total');
  return items;
}

/** `n` valid events of `collection`, externalIds `${prefix}-0` … */
export function makeEvents(n, collection, prefix = collection, from = 0) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = from + i;
    const start = new Date(Date.UTC(2024, 0, 1) + k * 1000).toISOString();
    out[i] = {
      owner: String(1 + (k % 7)),
      collection,
      start,
      value: `v${k}`,
      type: 'reading',
      source: 'reliability',
      externalId: `${prefix}-${k}`,
      ...(k % 3 === 0 ? { end: start, batch: `b${k % 11}` } : {}),
    };
  }
  return out;
}

/**
 * Checks that the emulator holds each of `events` exactly once, as sent, and (when
 * `ids` is given) under the id the client reported for it. Returns the stored events.
 */
export async function assertStoredExactlyOnce(emu, token, collection, events, ids) {
  const stored = await storedEvents(emu, token, { collection });
  const byExt = new Map();
  for (const e of stored) {
    const seen = byExt.get(e.externalId);
    assert.equal(seen, undefined, `externalId ${e.externalId} stored twice: ids ${seen?.id} and ${e.id}`);
    byExt.set(e.externalId, e);
  }
  const missing = events.filter((e) => !byExt.has(e.externalId)).map((e) => e.externalId);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events missing`);
  assert.equal(stored.length, events.length, 'no event other than the ones sent');
  events.forEach((e, i) => {
    const s = byExt.get(e.externalId);
    for (const k of Object.keys(e)) assert.equal(s[k], e[k], `${e.externalId}.${k}`);
    if (ids) assert.equal(ids[i], s.id, `ids[${i}] is the id of ${e.externalId}`);
  });
  if (ids) assert.equal(new Set(ids).size, ids.length, 'ids are distinct');
  return stored;
}

/** Resolves the settled outcome of a Promise: `{ ok, value }` or `{ ok: false, error }`. */
export async function settle(p) {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Faults injected so far, by kind, from the emulator's stats. */
export async function faultCounts(emu) {
  return (await stats(emu)).faults;
}

/**
 * Records one measured figure: a diagnostic line in the test report, and a line of
 * `test-output/reliability/figures.jsonl` (the README's Reliability section quotes them).
 */
export function figure(t, name, values) {
  const line = JSON.stringify({ name, ...values });
  t.diagnostic(`figure ${line}`);
  const dir = join(ROOT, 'test-output/reliability');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'figures.jsonl'), line + '\n');
}
