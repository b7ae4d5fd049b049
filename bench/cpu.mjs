// Item 2: the client's own CPU cost per event (validation + serialization), against
// `JSON.stringify` of the same events, with no network: `fetch` is replaced by a stub
// that builds the `Request` and reads its body (as fetch does when it sends it: a string
// body is encoded to UTF-8 then) and answers 201 with the right number of ids at once.
// Measured in process CPU time (robust to the other processes sharing the machine),
// each variant in its own Node process (one process's CPU time also holds the garbage
// collection and freeing of external memory a variant leaves behind: shared, one
// variant's would be billed to the next), rounds interleaved across them, medians.
//
//   node bench/cpu.mjs [--events N] [--rounds R] [--crossing DIR] [--variant NAME=ENTRY ...]
//
// The plain-JS validator (bench/plain-validate.mjs) and JS-parallel + plain-JS validation
// are the baselines that check what the client checks.
// Phases come from the `crossing-bench` build (same validator, extra exports):
// stringify → + copy into wasm (encodeInto) → + validation = the core of pass one.
// Prints one line `RESULT {json}`.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEvents, median, ROOT, roundOrder, variantsFrom } from './lib.mjs';
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
// `--child NAME`: this process runs that one variant when its parent says (below).
const CHILD = opt('child', null);

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
  // Loaded when first run: a process loads the one build it measures.
  let loaded = null;
  const client = () => (loaded ??= new (require(entry).EventsClient)({ baseUrl: API, token: TOKEN }));
  fns[`${name}: pass one`] = async () => {
    try {
      await client().createEvents(withBadLast, { chunksize: CHUNK, concurrency: 4 });
    } catch (e) {
      if (!/1 invalid event/.test(e.message)) throw e;
      return;
    }
    throw new Error('pass one accepted a bad event');
  };
  fns[`${name}: createEvents`] = async () => {
    const r = await client().createEvents(events, { chunksize: CHUNK, concurrency: 4 });
    if (r.created !== N) throw new Error(`created ${r.created}`);
  };
}

const names = Object.keys(fns);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

if (CHILD) {
  // One variant: each `run` message runs it once and answers the CPU this process used
  // since the previous answer (its own deferred GC work included, none of another's) and
  // the wall time of the run.
  const fn = fns[CHILD];
  let c0 = cpuMs();
  process.on('message', async () => {
    const t0 = performance.now();
    await fn();
    const wallMs = performance.now() - t0;
    const c1 = cpuMs();
    process.send({ cpuMs: c1 - c0, wallMs });
    c0 = c1;
  });
  process.send({ ready: true });
} else {
  // A child per variant, started one after the other (not measured); then rounds in
  // roundOrder (lib.mjs), two warm-up rounds.
  const self = fileURLToPath(import.meta.url);
  // The child's next message; a child that dies (a wrong answer) fails the run.
  const answer = (name, child) => new Promise((resolve, reject) => {
    const died = (code) => reject(new Error(`${name}: child exited ${code}`));
    child.once('exit', died);
    child.once('message', (m) => {
      child.off('exit', died);
      resolve(m);
    });
  });
  const children = {};
  for (const name of names) {
    // No memory reducer: a child waits seconds between its runs, which would start its
    // full GCs (work the variant, run back to back, would not do).
    children[name] = fork(self, [...args, '--child', name], { execArgv: ['--no-memory-reducer'] });
    await answer(name, children[name]); // ready
  }
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let r = -2; r < ROUNDS; r++) {
      for (const name of roundOrder(names, r)) {
        children[name].send('run');
        const m = await answer(name, children[name]);
        if (r >= 0) {
          cpu[name].push(m.cpuMs);
          wall[name].push(m.wallMs);
        }
      }
    }
  } finally {
    for (const child of Object.values(children)) child.kill();
  }
  const rows = names.map((name) => ({ name, cpuMs: median(cpu[name]), wallMs: median(wall[name]), all: cpu[name].map((x) => Math.round(x * 10) / 10) }));
  console.log(`RESULT ${JSON.stringify({ events: N, chunk: CHUNK, rounds: ROUNDS, perProcess: true, rows })}`);
}
