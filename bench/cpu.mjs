// Item 2: the client's own CPU cost per event (validation + serialization), against
// `JSON.stringify` of the same events, with no network: `fetch` is replaced by a stub
// that builds the `Request` and reads its body (as fetch does when it sends it: a string
// body is encoded to UTF-8 then) and answers 201 with the right number of ids at once.
// Measured in process CPU time (robust to the other processes sharing the machine),
// variants interleaved, medians.
//
//   node --expose-gc bench/cpu.mjs [--events N] [--rounds R] [--crossing DIR] [--variant NAME=ENTRY ...]
//
// The plain-JS validator (bench/plain-validate.mjs) and JS-parallel + plain-JS validation
// are the baselines that check what the client checks.
// Phases come from the `crossing-bench` build (same validator, extra exports):
// stringify → + copy into wasm (encodeInto) → + validation = the core of pass one.
// Prints one line `RESULT {json}`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { makeEvents, median, ROOT, variantsFrom } from './lib.mjs';
import { jsParallelCreate, jsValidatedParallelCreate } from './baselines.mjs';
import { validateEvents } from './plain-validate.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('events', 200000));
const CHUNK = 10000;
const ROUNDS = Number(opt('rounds', 9));
const require = createRequire(import.meta.url);
const crossingDir = path.resolve(ROOT, opt('crossing', 'target/crossing-bench'));
const crossing = require(path.join(crossingDir, 'genomcore_events_wasm.js'));
const variants = variantsFrom(args, 'shipped');

const events = makeEvents(N);
// The same array with one bad event at the end: createEvents runs all of pass one, then rejects.
const withBadLast = events.concat([{ owner: '' }]);
const idsBody = JSON.stringify({
  created: CHUNK,
  ids: Array.from({ length: CHUNK }, (_, i) => String(i).padStart(16, '0')),
});
globalThis.fetch = async (input, init) => {
  // Reading the body is what encodes a string body (undici encodes it as it sends it);
  // a Uint8Array body is copied here.
  await new Request(input, init).arrayBuffer();
  return new Response(idsBody, { status: 201, headers: { 'Content-Type': 'application/json' } });
};
const API = 'http://127.0.0.1:9/api/v1';
// An unsigned token far from expiry: the client only reads `exp`.
const TOKEN = `e30.${Buffer.from(JSON.stringify({ exp: 4102444800 })).toString('base64url')}.x`;

const windows = [];
for (let i = 0; i < N; i += CHUNK) windows.push([i, Math.min(i + CHUNK, N)]);
const perWindow = (fn) => () => {
  let n = 0;
  for (const [a, b] of windows) n += fn(events.slice(a, b));
  return n;
};

const fns = {
  stringify: perWindow((c) => (JSON.stringify(c).length > 0 ? c.length : 0)),
  'stringify + copy': perWindow((c) => crossing.__benchStringifyCopy(c)),
  'stringify + copy + validate': perWindow((c) => crossing.__benchStringifyValidate(c)),
  // The plain-JS validator baseline over the input pass one is given (what it is held against).
  'plain-JS validation': () => {
    if (validateEvents(withBadLast).invalidEvents !== 1) throw new Error('plain-JS validation: not exactly the bad event');
  },
  'JS-parallel (stub fetch)': () => jsParallelCreate(events, { api: API, token: TOKEN, chunksize: CHUNK, concurrency: 4 }),
  'JS-parallel + plain-JS validation (stub fetch)': () =>
    jsValidatedParallelCreate(events, { api: API, token: TOKEN, chunksize: CHUNK, concurrency: 4 }),
};
for (const [name, entry] of variants) {
  const { EventsClient } = require(entry);
  const client = new EventsClient({ baseUrl: API, token: TOKEN });
  fns[`${name}: pass one`] = async () => {
    try {
      await client.createEvents(withBadLast, { chunksize: CHUNK, concurrency: 4 });
    } catch (e) {
      if (!/1 invalid event/.test(e.message)) throw e;
      return;
    }
    throw new Error('pass one accepted a bad event');
  };
  fns[`${name}: createEvents`] = async () => {
    const r = await client.createEvents(events, { chunksize: CHUNK, concurrency: 4 });
    if (r.created !== N) throw new Error(`created ${r.created}`);
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const names = Object.keys(fns);
const cpu = Object.fromEntries(names.map((n) => [n, []]));
const wall = Object.fromEntries(names.map((n) => [n, []]));
for (let r = -2; r < ROUNDS; r++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + Math.max(r, 0)) % names.length];
    globalThis.gc?.();
    const c0 = cpuMs();
    const t0 = performance.now();
    await fns[name]();
    if (r >= 0) {
      cpu[name].push(cpuMs() - c0);
      wall[name].push(performance.now() - t0);
    }
  }
}
const rows = names.map((name) => ({ name, cpuMs: median(cpu[name]), wallMs: median(wall[name]), all: cpu[name].map((x) => Math.round(x * 10) / 10) }));
console.log(`RESULT ${JSON.stringify({ events: N, chunk: CHUNK, rounds: ROUNDS, rows })}`);
