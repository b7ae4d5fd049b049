// Item 3: `queryAll` over 100000 events against a plain `fetch` + `response.json()`
// loop, on the normal (SQLite) emulator, interleaved rounds, medians and per-round ratios.
// On loopback the client asks for plain answers (`compression: 'auto'`), and so do the
// plain loops (bench/baselines.mjs `answerHeaders`: both sides' answers cost the same);
// the rows with gzipped answers, the client's and a plain loop's, show the other way.
//
//   node --expose-gc bench/query.mjs [--events N] [--rounds R] [--link-rounds R] [--variant NAME=ENTRY ...]
//
// The query is `{"sort": {"id": 1}}` over a database that holds exactly these events:
// the cheapest query for the emulator (no sort step), so that the figure is the
// clients' more than SQLite's. Also measured, to explain the figure: the client's
// `queryEvents` page by page, and the plain loop written as an async generator.
// Prints one line `RESULT {json}`.
import { createRequire } from 'node:module';
import { interleaved, login, makeEvents, median, startEmulator, variantsFrom } from './lib.mjs';
import { plainQueryAll, plainQueryAllGenerator } from './baselines.mjs';
import { startLink } from './link.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('events', 100000));
const ROUNDS = Number(opt('rounds', 9));
const PAGE = 10000;
const LINK = { upMbps: 50, downMbps: 50, rttMs: 40 };
const LINK_ROUNDS = Number(opt('link-rounds', 5));
const require = createRequire(import.meta.url);
const variants = variantsFrom(args);

const emulator = await startEmulator({});
try {
  const token = await login(emulator.api);
  const body = { sort: { id: 1 } };
  const base = { api: emulator.api, token, pageSize: PAGE };
  const count = (name, n) => {
    if (n !== N) throw new Error(`${name}: ${n} of ${N} events`);
  };
  const fns = {
    'plain fetch + json loop': async () => {
      let n = 0;
      await plainQueryAll(body, base, () => n++);
      count('plain', n);
    },
    'plain loop as async generator': async () => {
      let n = 0;
      for await (const _ of plainQueryAllGenerator(body, base)) n++;
      count('generator', n);
    },
    'plain async generator, gzipped answers': async () => {
      let n = 0;
      for await (const _ of plainQueryAllGenerator(body, { ...base, plainAnswers: false })) n++;
      count('generator, gzip', n);
    },
  };
  let seeded = false;
  for (const [name, entry] of variants) {
    const { EventsClient } = require(entry);
    const client = new EventsClient({ baseUrl: emulator.api, token });
    if (!seeded) {
      const r = await client.createEvents(makeEvents(N, 'query'), PAGE);
      if (r.created !== N) throw new Error(`seeding: ${r.created}`);
      seeded = true;
    }
    fns[`${name} queryAll`] = async () => {
      let n = 0;
      for await (const _ of client.queryAll(body, { pageSize: PAGE })) n++;
      count(name, n);
    };
    // Answers gzipped, as Node's fetch asks for them by default: the client's
    // `compression: 'auto'` takes them plain on loopback (README "Real networks").
    const gzipClient = new EventsClient({ baseUrl: emulator.api, token, compression: 'gzip' });
    fns[`${name} queryAll, compression 'gzip'`] = async () => {
      let n = 0;
      for await (const _ of gzipClient.queryAll(body, { pageSize: PAGE })) n++;
      count(`${name} gzip`, n);
    };
    fns[`${name} queryEvents, page by page`] = async () => {
      let n = 0;
      for (let page = 0; ; page++) {
        const r = await client.queryEvents(body, { page, pageSize: PAGE });
        for (const _ of r.items) n++;
        if (r.items.length < PAGE || (page + 1) * PAGE >= r.total) break;
      }
      count(name, n);
    };
  }
  const plain = 'plain fetch + json loop';
  const generator = 'plain loop as async generator';
  const gzipGenerator = 'plain async generator, gzipped answers';
  const rowsOf = (times, names) => names.map((name) => ({
    name,
    ms: median(times[name]),
    all: times[name].map((x) => Math.round(x)),
    // Speed relative to the plain loop (higher is faster), median of per-round ratios.
    vsPlain: times[plain] ? median(times[plain].map((t, r) => t / times[name][r])) : undefined,
    // The same against the plain loop written as an async generator (issue 11's goal:
    // queryAll at least 1.0×), both asking for plain answers.
    vsGenerator: median(times[generator].map((t, r) => t / times[name][r])),
    // Against the generator that takes gzipped answers: for the client given 'gzip'.
    vsGzipGenerator: times[gzipGenerator] ? median(times[gzipGenerator].map((t, r) => t / times[name][r])) : undefined,
  }));
  const rows = rowsOf(await interleaved(fns, ROUNDS), Object.keys(fns));

  // Over an emulated link (bench/link.mjs): there the round trips the client overlaps
  // (it requests the next page while the current one is on its way) count. Both readers
  // get gzipped answers, as `compression: 'auto'` asks for them off loopback.
  const target = new URL(emulator.api);
  const link = await startLink(target.host, LINK);
  let linkRows;
  try {
    const api = `${link.origin}${target.pathname}`;
    const linkFns = {
      [generator]: async () => {
        let n = 0;
        for await (const _ of plainQueryAllGenerator(body, { ...base, api, plainAnswers: false })) n++;
        count('generator over the link', n);
      },
    };
    for (const [name, entry] of variants) {
      const { EventsClient } = require(entry);
      const client = new EventsClient({ baseUrl: api, token, compression: 'gzip' });
      linkFns[`${name} queryAll`] = async () => {
        let n = 0;
        for await (const _ of client.queryAll(body, { pageSize: PAGE })) n++;
        count(`${name} over the link`, n);
      };
    }
    linkRows = rowsOf(await interleaved(linkFns, LINK_ROUNDS), Object.keys(linkFns));
  } finally {
    await link.close();
  }
  console.log(`RESULT ${JSON.stringify({ events: N, pageSize: PAGE, rounds: ROUNDS, query: body, rows, link: { ...LINK, rounds: LINK_ROUNDS, rows: linkRows } })}`);
} finally {
  await emulator.stop();
}
