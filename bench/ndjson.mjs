// Uploading an NDJSON file from disk in Node (the streams issue): the wasm client given
// the file's stream, against JS-streaming (readline, JSON.parse each line, batch,
// JSON.stringify, fetch) and two floors that parse and validate nothing: the raw floor
// (1 MiB reads cut at newlines with `Buffer.indexOf`, bytes `[` + lines + `]`) and the
// readline floor (the same through `readline`, as JS-streaming reads); same chunksize,
// concurrency and answers (plain on loopback, as the client asks), the answers' ids
// counted, not kept (the client keeps none of a stream's), to the `--sink`
// emulator, interleaved rounds (order rotated each round), medians and medians of per-round ratios. Then the peak RSS of a fresh Node
// process uploading a file of each of `--rss-sizes` events with the client (no forced
// GC): memory must not grow with the file.
//
//   node bench/ndjson.mjs [--events N] [--rounds R] [--rss-sizes 1000000,5000000] [--rss-only]
//
// Prints one line `RESULT {json}`. `--rss-only` skips the throughput rounds (the RSS
// figures alone, e.g. to refresh them in bench/results.json: bench/README.md).
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { byteBatches, lineBatches, parsedBatch, pool, sender } from './streaming.mjs';
import os from 'node:os';
import path from 'node:path';
import { clientEntry, loadClient, login, median, roundOrder, startEmulator, watchWasmMemory, writeNdjson } from './lib.mjs';

const CHUNK = 10000;
const CONCURRENCY = 4;
const args = process.argv.slice(2);

if (args[0] === '--rss-child') {
  await rssChild(...args.slice(1));
  process.exit(0);
}

const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('events', 1000000));
const ROUNDS = Number(opt('rounds', 3));
const RSS_SIZES = opt('rss-sizes', '1000000,5000000').split(',').map(Number);
const RSS_ONLY = args.includes('--rss-only');

const entry = clientEntry();
const { EventsClient } = loadClient(entry);
const dir = mkdtempSync(path.join(os.tmpdir(), 'events-ndjson-'));
const file = path.join(dir, 'events.ndjson');
const emulator = await startEmulator({ sink: true });
const result = { events: N, chunksize: CHUNK, concurrency: CONCURRENCY };
try {
  const token = await login(emulator.api);
  if (!RSS_ONLY) Object.assign(result, await throughput(token));
  result.rss = await peakRss(token);
  // Measured apart from the rest of a `make bench` run (bench/report.mjs says so).
  if (RSS_ONLY) result.rss.rssOnly = true;
} finally {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify(result)}`);

/** The three uploads of the N-event file, interleaved rounds after a warm-up. */
async function throughput(token) {
  const out = { mb: +(writeNdjson(file, N) / 1e6).toFixed(1) };
  const send = sender(emulator.api, token);
  const runs = {
    'wasm client': async () => {
      const client = new EventsClient({ token, baseUrl: emulator.api });
      const r = await client.createEvents(createReadStream(file, { highWaterMark: 1 << 20 }), { chunksize: CHUNK, concurrency: CONCURRENCY });
      client.free();
      return r.created;
    },
    'JS-streaming': async () => (await pool(lineBatches(file, parsedBatch, CHUNK), send, CONCURRENCY)).created,
    'raw floor': async () => (await pool(byteBatches(file, CHUNK), send, CONCURRENCY)).created,
    'readline floor': async () => (await pool(lineBatches(file, (lines) => `[${lines.join(',')}]`, CHUNK), send, CONCURRENCY)).created,
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const name of roundOrder(Object.keys(runs), round)) {
      const run = runs[name];
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
  out.rounds = ROUNDS;
  out.rows = Object.keys(runs).map((name) => ({
    name,
    ms: Math.round(median(times[name])),
    eventsPerSecond: Math.round(N / (median(times[name]) / 1000)),
    cpuNsPerEvent: Math.round((median(cpu[name]) * 1e6) / N),
  }));
  // Speed of the client against each (higher: the client is faster): the median of the
  // rounds' ratios (each round runs all of them, in roundOrder).
  const vs = (name) => +median(times[name].map((t, i) => t / times['wasm client'][i])).toFixed(2);
  out.vsJsStreaming = vs('JS-streaming');
  out.vsRawFloor = vs('raw floor');
  out.vsReadlineFloor = vs('readline floor');
  return out;
}

/**
 * For each size: a file written to the temp dir (the throughput file when it is that
 * size), uploaded by a fresh `node` process (no --expose-gc, no forced GC), then deleted.
 */
async function peakRss(token) {
  const rows = [];
  for (const n of RSS_SIZES) {
    const reuse = n === N && !RSS_ONLY;
    const f = reuse ? file : path.join(dir, `rss-${n}.ndjson`);
    if (!reuse) writeNdjson(f, n);
    try {
      rows.push({ ...(await child(f, n, token)), mb: +(statSync(f).size / 1e6).toFixed(1) });
    } finally {
      if (!reuse) rmSync(f, { force: true });
    }
  }
  const [small, big] = [rows[0], rows[rows.length - 1]];
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    rows,
    ratio: +(big.maxRss / small.maxRss).toFixed(3),
  };
}

function child(f, n, token) {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--rss-child', f, String(n), emulator.api, token, entry], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`rss child ${n} exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

/**
 * In the child: the upload, then the process's peak RSS (the kernel's high-water mark),
 * and, sampled every 5 ms, the peaks of the V8 heap in use and of external memory
 * (ArrayBuffers: pieces read, bodies in flight), and the wasm memory at the end (it grows,
 * never shrinks): where a growth would come from.
 */
async function rssChild(f, n, api, token, clientPath) {
  const wasmMemory = watchWasmMemory();
  const { EventsClient: Client } = loadClient(clientPath);
  const client = new Client({ token, baseUrl: api });
  const rssStart = process.memoryUsage().rss;
  const peak = { heapUsed: 0, external: 0 };
  const sampler = setInterval(() => {
    const u = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, u.heapUsed);
    peak.external = Math.max(peak.external, u.external);
  }, 5);
  const t0 = performance.now();
  const r = await client.createEvents(createReadStream(f, { highWaterMark: 1 << 20 }), { chunksize: CHUNK, concurrency: CONCURRENCY });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  if (r.created !== Number(n)) throw new Error(`created ${r.created} of ${n}`);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  console.log(`RESULT ${JSON.stringify({
    events: Number(n),
    ms: Math.round(ms),
    rssStart,
    // resourceUsage().maxRSS is the same high-water mark in KiB, on every platform.
    maxRss: hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024,
    peakHeapUsed: peak.heapUsed,
    peakExternal: peak.external,
    wasmMemory: wasmMemory(),
    idsKept: r.ids.length,
  })}`);
}
