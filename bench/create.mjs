// Item 1: createEvents throughput against JS-parallel and SDK-style sequential, over
// HTTP to an emulator (`--sink`: validates and answers, stores nothing; `--sqlite`: the
// normal emulator with a file database), interleaved rounds, medians.
//
//   node --expose-gc bench/create.mjs --sink|--sqlite [--events N] [--rounds R] [--variant NAME=ENTRY ...]
//
// The client's pass one (validation, synchronous inside the createEvents call) is timed
// apart. Prints one line `RESULT {json}`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { clientEntry, login, makeEvents, median, ROOT, startEmulator } from './lib.mjs';
import { jsParallelCreate, sdkSequentialCreate } from './baselines.mjs';

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
const variants = [['client', clientEntry()]];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--variant') {
    const [name, entry] = args[++i].split('=');
    variants.push([name, path.resolve(ROOT, entry)]);
  }
}

const emulator = await startEmulator({ sink });
try {
  const token = await login(emulator.api);
  const events = makeEvents(N);
  const base = { api: emulator.api, token, chunksize: CHUNK, concurrency: CONCURRENCY };
  const passOne = {};
  const fns = {
    'JS-parallel': async () => {
      const ids = await jsParallelCreate(events, base);
      if (ids.length !== N) throw new Error(`JS-parallel: ${ids.length} ids`);
    },
    'SDK-style sequential': async () => {
      const ids = await sdkSequentialCreate(events, base);
      if (ids.length !== N) throw new Error(`sequential: ${ids.length} ids`);
    },
  };
  for (const [name, entry] of variants) {
    const { EventsClient } = require(entry);
    const client = new EventsClient({ baseUrl: emulator.api, token });
    passOne[name] = [];
    fns[name] = async () => {
      const t0 = performance.now();
      const pending = client.createEvents(events, { chunksize: CHUNK, concurrency: CONCURRENCY });
      passOne[name].push(performance.now() - t0);
      const r = await pending;
      if (r.created !== N || r.ids.length !== N) throw new Error(`${name}: created ${r.created}`);
    };
  }
  const names = Object.keys(fns);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const clearDb = async () => {
    if (sink) return;
    const r = await fetch(`${emulator.api}/events?collection=bench`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (r.status !== 200) throw new Error(`delete: ${r.status}`);
  };
  for (let r = -1; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + Math.max(r, 0)) % names.length];
      await clearDb();
      globalThis.gc?.();
      const t0 = performance.now();
      await fns[name]();
      const ms = performance.now() - t0;
      if (r >= 0) times[name].push(ms);
      else if (passOne[name]) passOne[name].length = 0;
    }
  }
  // Ratios are taken per round (the variants of one round ran back to back, under the
  // same load from the machine's other users), then their median.
  const paired = (num, den) => median(times[num].map((t, r) => t / times[den][r]));
  const rows = names.map((name) => ({
    name,
    ms: median(times[name]),
    all: times[name].map((x) => Math.round(x)),
    passOneMs: passOne[name] ? median(passOne[name]) : undefined,
    vsParallel: paired('JS-parallel', name),
    vsSequential: paired('SDK-style sequential', name),
  }));
  console.log(`RESULT ${JSON.stringify({ sink, events: N, chunk: CHUNK, concurrency: CONCURRENCY, rounds: ROUNDS, rows })}`);
} finally {
  await emulator.stop();
}
