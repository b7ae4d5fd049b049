// queryAll's own cost, without a server: 100000 events in pages of 10000 served from
// memory by a stub `fetch` (the client's `fetch` option; the plain baseline calls the same
// stub), against the plain loop written as an async generator (bench/baselines.mjs's
// shape). Under load the server-bound figure of bench/query.mjs moves by ±30 % from run
// to run; this one is the client's share alone. Interleaved rounds, medians of per-round
// ratios. Not part of `make bench` (yet): run it by hand after `make pack`.
//
//   node --expose-gc bench/query-cpu.mjs [--rounds R] [--variant NAME=ENTRY ...]
//
// Prints one line `RESULT {json}`.
import { createRequire } from 'node:module';
import { interleaved, makeEvents, median, variantsFrom } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = 100000;
const PAGE = 10000;
const ROUNDS = Number(opt('rounds', 15));
const require = createRequire(import.meta.url);
const variants = variantsFrom(args);

const items = makeEvents(PAGE, 'stub').map((e, i) => ({ id: `id-${i}`, createdAt: '2024-01-01T00:00:00.000Z', ...e }));
const bodies = Array.from({ length: N / PAGE }, (_, page) => JSON.stringify({ items, page, pageSize: PAGE, total: N }));
/** An answer per page from memory, one macrotask later (as a socket's would come). */
const stub = async (url) => {
  const page = Number(new URL(url).searchParams.get('page'));
  await new Promise((resolve) => setImmediate(resolve));
  return new Response(bodies[page], { status: 200, headers: { 'content-type': 'application/json' } });
};

async function* plainGenerator(body) {
  for (let page = 0; ; page++) {
    const response = await stub(`http://stub/api/v1/events/query?page=${page}&pageSize=${PAGE}`, { method: 'POST', body: JSON.stringify(body) });
    const { items, total } = await response.json();
    yield* items;
    if (items.length < PAGE || (page + 1) * PAGE >= total) return;
  }
}

const body = { sort: { id: 1 } };
const generator = 'plain loop as async generator';
const fns = {
  [generator]: async () => {
    let n = 0;
    for await (const _ of plainGenerator(body)) n++;
    return n;
  },
};
for (const [name, entry] of variants) {
  const { EventsClient } = require(entry);
  const client = new EventsClient({ baseUrl: 'http://127.0.0.1:1/api/v1', token: 't', fetch: stub });
  fns[`${name} queryAll`] = async () => {
    let n = 0;
    for await (const _ of client.queryAll(body, { pageSize: PAGE })) n++;
    return n;
  };
}
const names = Object.keys(fns);
const checked = Object.fromEntries(names.map((name) => [name, async () => {
  const n = await fns[name]();
  if (n !== N) throw new Error(`${name}: ${n} of ${N} events`);
}]));
const times = await interleaved(checked, ROUNDS, { warmup: 2 });
const rows = names.map((name) => ({
  name,
  ms: median(times[name]),
  vsGenerator: median(times[generator].map((t, r) => t / times[name][r])),
}));
console.log(`RESULT ${JSON.stringify({ events: N, pageSize: PAGE, rounds: ROUNDS, rows })}`);
