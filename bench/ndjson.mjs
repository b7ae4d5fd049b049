// Uploading an NDJSON file from disk in Node (the streams issue): the wasm client given
// the file's stream, against JS-streaming (readline, JSON.parse each line, batch,
// JSON.stringify, fetch) and the raw floor (cut the file at newlines and send `[` +
// lines + `]`, parsing and validating nothing); same chunksize and concurrency, to the
// `--sink` emulator, interleaved rounds, medians.
//
//   node bench/ndjson.mjs [--events N] [--rounds R]
//
// Prints one line `RESULT {json}`.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { clientEntry, loadClient, login, makeEvents, median, startEmulator } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('events', 1000000);
const ROUNDS = opt('rounds', 3);
const CHUNK = 10000;
const CONCURRENCY = 4;

/** Runs `send(body)` for each body `next()` gives, `CONCURRENCY` at a time; resolves the ids. */
async function pool(next, send) {
  const ids = [];
  let k = 0;
  async function worker() {
    for (;;) {
      const body = await next();
      if (body === null) return;
      const i = k++;
      ids[i] = await send(body);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ids.flat();
}

function sender(api, token) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  return async (body) => {
    const r = await fetch(`${api}/events`, { method: 'POST', headers, body });
    if (r.status !== 201) throw new Error(`${r.status} ${await r.text()}`);
    return (await r.json()).ids;
  };
}

/** Chunks of `CHUNK` lines of the file, one at a time, in order. */
function lineBatches(file, make) {
  const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  return () => {
    // Batches are taken one after the other, whichever worker asks.
    const take = queue.then(async () => {
      const batch = [];
      while (batch.length < CHUNK) {
        const { value, done } = await lines.next();
        if (done) break;
        if (value.trim()) batch.push(value);
      }
      return batch.length ? make(batch) : null;
    });
    queue = take.then(() => {}, () => {});
    return take;
  };
}

const { EventsClient } = loadClient(clientEntry());
const dir = mkdtempSync(path.join(os.tmpdir(), 'events-ndjson-'));
const file = path.join(dir, 'events.ndjson');
const emulator = await startEmulator({ sink: true });
const result = { events: N, chunksize: CHUNK, concurrency: CONCURRENCY };
try {
  writeFileSync(file, makeEvents(N).map((e) => JSON.stringify(e)).join('\n') + '\n');
  result.mb = +(statSync(file).size / 1e6).toFixed(1);
  const token = await login(emulator.api);
  const send = sender(emulator.api, token);
  const runs = {
    'wasm client': async () => {
      const client = new EventsClient({ token, baseUrl: emulator.api });
      const r = await client.createEvents(createReadStream(file, { highWaterMark: 1 << 20 }), { chunksize: CHUNK, concurrency: CONCURRENCY });
      client.free();
      return r.created;
    },
    'JS-streaming': async () =>
      (await pool(lineBatches(file, (lines) => JSON.stringify(lines.map((l) => JSON.parse(l)))), send)).length,
    'raw floor': async () => (await pool(lineBatches(file, (lines) => `[${lines.join(',')}]`), send)).length,
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const created = await run();
      const ms = performance.now() - t0;
      const used = process.cpuUsage(c0);
      if (created !== N) throw new Error(`${name}: ${created} of ${N}`);
      if (round < 0) continue; // warm-up
      times[name].push(ms);
      cpu[name].push((used.user + used.system) / 1000);
    }
  }
  result.rounds = ROUNDS;
  result.rows = Object.keys(runs).map((name) => ({
    name,
    ms: Math.round(median(times[name])),
    eventsPerSecond: Math.round(N / (median(times[name]) / 1000)),
    cpuNsPerEvent: Math.round((median(cpu[name]) * 1e6) / N),
  }));
  const ms = (name) => median(times[name]);
  result.vsJsStreaming = +(ms('JS-streaming') / ms('wasm client')).toFixed(2);
  result.vsRawFloor = +(ms('raw floor') / ms('wasm client')).toFixed(2);
} finally {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify(result)}`);
