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
import { lineBatches, parsedBatch, pool, sender } from './streaming.mjs';
import os from 'node:os';
import path from 'node:path';
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
    'JS-streaming': async () => (await pool(lineBatches(file, parsedBatch, CHUNK), send, CONCURRENCY)).length,
    'raw floor': async () => (await pool(lineBatches(file, (lines) => `[${lines.join(',')}]`, CHUNK), send, CONCURRENCY)).length,
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
