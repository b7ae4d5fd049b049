// Item 1: createEvents throughput against JS-parallel, JS-parallel + plain-JS validation
// and SDK-style sequential, over HTTP to an emulator (`--sink`: validates and answers,
// stores nothing; `--sqlite`: the normal emulator with a file database), interleaved
// rounds, medians of the per-round ratios.
//
//   node --expose-gc bench/create.mjs --sink|--sqlite [--events N] [--rounds R] [--variant NAME=ENTRY ...]
//
// Also timed, for every variant: from the call to its first `fetch` (the global `fetch`
// is wrapped to note when it is first called), that is the time before the first request
// leaves. For the client that is pass one (stringify, copy into wasm and validate every
// window, keep the first texts), which runs asynchronously: it yields to the event loop
// every 40 ms, so the time until the call returns measures nothing.
// Prints one line `RESULT {json}`.
import { createRequire } from 'node:module';
import { login, makeEvents, median, roundOrder, startEmulator, variantsFrom } from './lib.mjs';
import { jsParallelCreate, jsValidatedParallelCreate, sdkSequentialCreate } from './baselines.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sink = !args.includes('--sqlite');
const N = Number(opt('events', 200000));
const ROUNDS = Number(opt('rounds', 7));
const CHUNK = 10000;
const CONCURRENCY = 4;
const require = createRequire(import.meta.url);
const variants = variantsFrom(args);

// When each run first calls fetch (before the clients are loaded, whichever way they look it up).
const realFetch = globalThis.fetch;
let firstFetch = null;
globalThis.fetch = (...a) => {
  firstFetch ??= performance.now();
  return realFetch(...a);
};

const emulator = await startEmulator({ sink });
try {
  const token = await login(emulator.api);
  const events = makeEvents(N);
  const base = { api: emulator.api, token, chunksize: CHUNK, concurrency: CONCURRENCY };
  const fns = {
    'JS-parallel': async () => {
      const ids = await jsParallelCreate(events, base);
      if (ids.length !== N) throw new Error(`JS-parallel: ${ids.length} ids`);
    },
    'JS-parallel + plain-JS validation': async () => {
      const ids = await jsValidatedParallelCreate(events, base);
      if (ids.length !== N) throw new Error(`JS-parallel + validation: ${ids.length} ids`);
    },
    'SDK-style sequential': async () => {
      const ids = await sdkSequentialCreate(events, base);
      if (ids.length !== N) throw new Error(`sequential: ${ids.length} ids`);
    },
  };
  for (const [name, entry] of variants) {
    const { EventsClient } = require(entry);
    const client = new EventsClient({ baseUrl: emulator.api, token });
    fns[name] = async () => {
      const r = await client.createEvents(events, { chunksize: CHUNK, concurrency: CONCURRENCY });
      if (r.created !== N || r.ids.length !== N) throw new Error(`${name}: created ${r.created}`);
    };
  }
  const names = Object.keys(fns);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const toFirst = Object.fromEntries(names.map((n) => [n, []]));
  const clearDb = async () => {
    if (sink) return;
    const r = await fetch(`${emulator.api}/events?collection=bench`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (r.status !== 200) throw new Error(`delete: ${r.status}`);
  };
  for (let r = -1; r < ROUNDS; r++) {
    for (const name of roundOrder(names, r)) {
      await clearDb();
      globalThis.gc?.();
      firstFetch = null;
      const t0 = performance.now();
      await fns[name]();
      const ms = performance.now() - t0;
      if (r >= 0) {
        times[name].push(ms);
        toFirst[name].push(firstFetch - t0);
      }
    }
  }
  // Ratios are taken per round (the variants of one round ran back to back, under the
  // same load from the machine's other users), then their median.
  const paired = (num, den) => median(times[num].map((t, r) => t / times[den][r]));
  const rows = names.map((name) => ({
    name,
    ms: median(times[name]),
    all: times[name].map((x) => Math.round(x)),
    firstRequestMs: median(toFirst[name]),
    vsParallel: paired('JS-parallel', name),
    vsValidated: paired('JS-parallel + plain-JS validation', name),
    vsSequential: paired('SDK-style sequential', name),
  }));
  console.log(`RESULT ${JSON.stringify({ sink, events: N, chunk: CHUNK, concurrency: CONCURRENCY, rounds: ROUNDS, rows })}`);
} finally {
  await emulator.stop();
}
