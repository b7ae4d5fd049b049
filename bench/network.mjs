// Real networks (issue "Real networks"): uploads over an emulated link (bench/link.mjs:
// a shared 50 Mbit/s each way and a 40 ms round trip, by default) to the `--sink`
// emulator, the link itself measured first; and, on loopback, the CPU price of gzip.
//
//   node bench/network.mjs [--events N] [--rounds R] [--up MBPS] [--rtt MS]
//
// Clients, same chunksize and concurrency, interleaved rounds (order rotated each round), medians:
//   - the wasm client, compression 'gzip' (the link is on loopback, where 'auto' would
//     not compress: a real uplink is not);
//   - JS-parallel, plain JSON bodies (bench/baselines.mjs);
//   - JS-parallel with gzip added by hand with the same CompressionStream.
// Prints one line `RESULT {json}`.
import { clientEntry, loadClient, login, makeEvents, median, roundOrder, startEmulator, writeNdjson } from './lib.mjs';
import { jsParallelCreate } from './baselines.mjs';
import { measureLink, startLink } from './link.mjs';
import { lineBatches, parsedBatch, pool, sender } from './streaming.mjs';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('events', 200000);
const FILE_EVENTS = opt('file-events', 1000000);
const FILE_ROUNDS = Number(opt('file-rounds', 3));
const ROUNDS = opt('rounds', 3);
const UP = opt('up', 50);
const RTT = opt('rtt', 40);
const CHUNK = 10000;
const CONCURRENCY = 4;

const { EventsClient } = loadClient(clientEntry());
const emulator = await startEmulator({ sink: true });
const result = { events: N, chunksize: CHUNK, concurrency: CONCURRENCY, upMbps: UP, rttMs: RTT };
try {
  // The link itself: a plain 10 MB transfer should take 10 × 8 / UP seconds (plus a round trip).
  const linkCheck = await measureLink({ mb: 10, upMbps: UP, downMbps: UP, rttMs: RTT });
  result.link = { mb: 10, seconds: +linkCheck.seconds.toFixed(3), expected: +linkCheck.expected.toFixed(3),
    error: +((linkCheck.seconds / linkCheck.expected - 1) * 100).toFixed(1) };

  const token = await login(emulator.api);
  const events = makeEvents(N);
  const target = new URL(emulator.origin).host;
  const runs = { 'wasm client, gzip': [], 'JS-parallel': [], 'JS-parallel + gzip': [] };
  const utilisation = { 'wasm client, gzip': [], 'JS-parallel': [], 'JS-parallel + gzip': [] };
  const bytesUp = {};
  // Round -1 warms every client up (JIT, the wasm's first compile) and is not counted.
  for (let round = -1; round < ROUNDS; round++) {
    for (const name of roundOrder(Object.keys(runs), round)) {
      const link = await startLink(target, { upMbps: UP, downMbps: UP, rttMs: RTT });
      const api = `${link.origin}/api/v1`;
      // The link is on loopback; the client is given 'gzip' there, and the baselines take
      // gzipped answers as the platform asks for them (as off loopback).
      const base = { api, token, chunksize: CHUNK, concurrency: CONCURRENCY, plainAnswers: false };
      const t0 = performance.now();
      let ids;
      if (name === 'JS-parallel') ids = await jsParallelCreate(events, base);
      else if (name === 'JS-parallel + gzip') ids = await jsParallelCreate(events, { ...base, gzip: true });
      else {
        const client = new EventsClient({ token, baseUrl: api, compression: 'gzip' });
        ids = (await client.createEvents(events, { chunksize: CHUNK, concurrency: CONCURRENCY })).ids;
        client.free();
      }
      const seconds = (performance.now() - t0) / 1000;
      if (ids.length !== N) throw new Error(`${name}: ${ids.length} ids`);
      await link.close();
      if (round < 0) continue;
      runs[name].push(seconds);
      utilisation[name].push((link.up.bytes * 8) / 1e6 / seconds / UP);
      bytesUp[name] = link.up.bytes;
    }
  }
  result.link50 = Object.fromEntries(Object.keys(runs).map((name) => [name, {
    seconds: +median(runs[name]).toFixed(2),
    eventsPerSecond: Math.round(N / median(runs[name])),
    mbUp: +(bytesUp[name] / 1e6).toFixed(1),
    utilisation: +median(utilisation[name]).toFixed(2),
  }]));
  // Medians of the rounds' ratios (each round runs the three, in roundOrder).
  const vs = (name) => +median(runs[name].map((t, i) => t / runs['wasm client, gzip'][i])).toFixed(2);
  result.vsJsParallel = vs('JS-parallel');
  result.vsJsParallelGzip = vs('JS-parallel + gzip');

  // The NDJSON file over the same link, once each (JS-streaming plain takes ~35 s for
  // a million events): the client from the file's stream, gzip; JS-streaming plain and
  // with gzip by hand.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'events-link-'));
  try {
    const file = path.join(dir, 'events.ndjson');
    writeNdjson(file, FILE_EVENTS, 'file');
    const fileRuns = {};
    const fileSeconds = { 'wasm client, gzip': [], 'JS-streaming + gzip': [], 'JS-streaming': [] };
    // The client and JS-streaming + gzip (the close comparison) in FILE_ROUNDS interleaved
    // rounds; JS-streaming plain once, after them (~35 s, and far behind).
    const order = [];
    for (let round = 0; round < FILE_ROUNDS; round++) order.push(...roundOrder(['wasm client, gzip', 'JS-streaming + gzip'], round));
    order.push('JS-streaming');
    for (const name of order) {
      const link = await startLink(target, { upMbps: UP, downMbps: UP, rttMs: RTT });
      const api = `${link.origin}/api/v1`;
      const t0 = performance.now();
      let created;
      if (name === 'wasm client, gzip') {
        const client = new EventsClient({ token, baseUrl: api, compression: 'gzip' });
        created = (await client.createEvents(createReadStream(file, { highWaterMark: 1 << 20 }), { chunksize: CHUNK, concurrency: CONCURRENCY })).created;
        client.free();
      } else {
        const send = sender(api, token, { gzip: name.endsWith('gzip'), plainAnswers: false });
        created = (await pool(lineBatches(file, parsedBatch, CHUNK), send, CONCURRENCY)).created;
      }
      const seconds = (performance.now() - t0) / 1000;
      await link.close();
      if (created !== FILE_EVENTS) throw new Error(`${name}: ${created} of ${FILE_EVENTS}`);
      fileSeconds[name].push(seconds);
      const all = fileSeconds[name];
      const mid = median(all);
      fileRuns[name] = {
        seconds: +mid.toFixed(2),
        runs: all.length,
        eventsPerSecond: Math.round(FILE_EVENTS / mid),
        mbUp: +(link.up.bytes / 1e6).toFixed(1),
        utilisation: +((link.up.bytes * 8) / 1e6 / mid / UP).toFixed(2),
      };
    }
    const client = fileSeconds['wasm client, gzip'];
    result.file = {
      events: FILE_EVENTS,
      mb: +(statSync(file).size / 1e6).toFixed(1),
      rounds: FILE_ROUNDS,
      runs: fileRuns,
      vsJsStreaming: +(fileSeconds['JS-streaming'][0] / median(client)).toFixed(2),
      vsJsStreamingGzip: +median(fileSeconds['JS-streaming + gzip'].map((t, i) => t / client[i])).toFixed(2),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // On loopback: what compressing costs in CPU, 'gzip' against 'none', same client.
  const cpu = {};
  for (const compression of ['none', 'gzip']) {
    const client = new EventsClient({ token, baseUrl: emulator.api, compression });
    const samples = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await client.createEvents(events, { chunksize: CHUNK, concurrency: CONCURRENCY });
      const used = process.cpuUsage(c0);
      samples.push({ cpuMs: (used.user + used.system) / 1000, ms: performance.now() - t0 });
    }
    cpu[compression] = { cpuMsPerEvent: median(samples.map((s) => s.cpuMs)) / N, wallMs: median(samples.map((s) => s.ms)) };
    client.free();
  }
  result.loopback = {
    cpuNsPerEventNone: Math.round(cpu.none.cpuMsPerEvent * 1e6),
    cpuNsPerEventGzip: Math.round(cpu.gzip.cpuMsPerEvent * 1e6),
    cpuRatio: +(cpu.gzip.cpuMsPerEvent / cpu.none.cpuMsPerEvent).toFixed(2),
    wallMsNone: Math.round(cpu.none.wallMs),
    wallMsGzip: Math.round(cpu.gzip.wallMs),
  };
} finally {
  await emulator.stop();
}
console.log(`RESULT ${JSON.stringify(result)}`);
