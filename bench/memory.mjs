// Item 4: peak memory (RSS) of a Node process creating N events, minus the same
// process holding the array without uploading; one fresh process per measurement,
// against one `--sink` emulator.
//
//   node bench/memory.mjs [--sizes 200000,1000000] [--repeat 1]
//
// Modes, each in its own `node --expose-gc` process:
//   hold         builds the events, holds them (the reference)
//   hold + ids   also holds N ids as the emulator answers them (what createEvents returns)
//   client       createEvents(events, {chunksize: 10000, concurrency: 4}), keeps the result
//   JS-parallel  the baseline, keeps its ids
//   …, gc() per chunk   the same with a full GC after every chunk sent: the live working
//                set, without the garbage V8 lets pile up (more on a bigger heap)
// Each reports its peak RSS (`resourceUsage().maxRSS`), its RSS right after building the
// array, and, sampled every 5 ms during the upload, the peaks of the V8 heap in use and
// of external memory (ArrayBuffers: request bodies in flight), the size of the client's
// wasm linear memory at the end (it grows, never shrinks) and the garbage collections
// (major = mark-compact). Prints one line `RESULT {json}`.
//
//   node bench/memory.mjs --modes 'client;JS-parallel' --sizes 1000000 --node-args --trace-gc
// runs some modes only, with Node flags for the children (their stdout: add
// `--child MODE N API TOKEN ENTRY` by hand to read a trace).
import { spawn } from 'node:child_process';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { clientEntry, loadClient, makeEvents, median, startEmulator, watchWasmMemory } from './lib.mjs';
import { jsParallelCreate } from './baselines.mjs';

const CHUNK = 10000;
const MODES = ['hold', 'hold + ids', 'client', 'JS-parallel', 'client, gc() per chunk', 'JS-parallel, gc() per chunk'];
const args = process.argv.slice(2);

if (args[0] === '--child') {
  const [, mode, n, api, token, entry] = args;
  // The client's wasm linear memory (it grows, never shrinks): noted as the glue instantiates it.
  const wasmMemory = watchWasmMemory();
  const N = Number(n);
  const events = makeEvents(N);
  globalThis.gc();
  const rssBuilt = process.memoryUsage().rss;
  // Sampled every 5 ms: RSS, the V8 heap in use, memory outside it (ArrayBuffers: request
  // bodies, the wasm memory), and the garbage collections during the upload.
  const peak = { rss: rssBuilt, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const u = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], u[k]);
  };
  const gcs = { major: 0, minor: 0, incremental: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind;
      if (kind === perf.NODE_PERFORMANCE_GC_MAJOR) {
        gcs.major++;
        gcs.majorMs += e.duration;
      } else if (kind === perf.NODE_PERFORMANCE_GC_MINOR) gcs.minor++;
      else gcs.incremental++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const sampler = setInterval(sample, 5);
  const t0 = performance.now();
  let kept;
  if (mode === 'hold + ids') {
    kept = [];
    const answer = JSON.stringify({ created: CHUNK, ids: Array.from({ length: CHUNK }, (_, i) => String(i).padStart(16, '0')) });
    for (let i = 0; i < N; i += CHUNK) kept.push(JSON.parse(answer).ids);
    kept = kept.flat();
  } else if (mode.startsWith('client')) {
    const { EventsClient } = loadClient(entry);
    const client = new EventsClient({ baseUrl: api, token });
    const onProgress = mode.includes('gc()') ? () => globalThis.gc() : undefined;
    kept = await client.createEvents(events, { chunksize: CHUNK, concurrency: 4, onProgress });
    if (kept.created !== N) throw new Error(`created ${kept.created}`);
  } else if (mode.startsWith('JS-parallel')) {
    const onChunk = mode.includes('gc()') ? () => globalThis.gc() : undefined;
    kept = await jsParallelCreate(events, { api, token, chunksize: CHUNK, concurrency: 4, onChunk });
    if (kept.length !== N) throw new Error(`${kept.length} ids`);
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  sample();
  await new Promise((r) => setImmediate(r));
  observer.disconnect();
  const out = {
    mode,
    n: N,
    ms,
    maxRss: process.resourceUsage().maxRSS * 1024,
    rssBuilt,
    peakSampled: peak.rss,
    peakHeapUsed: peak.heapUsed,
    peakExternal: peak.external,
    peakArrayBuffers: peak.arrayBuffers,
    wasmMemory: wasmMemory(),
    gcs,
    held: events.length + (kept ? 1 : 0),
  };
  console.log(`RESULT ${JSON.stringify(out)}`);
  process.exit(0);
}

const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('sizes', '200000,1000000').split(',').map(Number);
// For investigating: some modes only, extra Node flags for the children (e.g. --trace-gc).
const modes = opt('modes', MODES.join(';')).split(';');
const nodeArgs = (opt('node-args', '') || '').split(' ').filter(Boolean);
const repeat = Number(opt('repeat', 1));
const entry = clientEntry();
const self = fileURLToPath(import.meta.url);

function child(mode, n, api, token) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', ...nodeArgs, self, '--child', mode, String(n), api, token, entry], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`memory child ${mode} ${n} exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

const emulator = await startEmulator({ sink: true });
try {
  const rows = [];
  for (const n of sizes) {
    const runs = Object.fromEntries(modes.map((m) => [m, []]));
    for (let r = 0; r < repeat; r++) {
      for (const mode of modes) runs[mode].push(await child(mode, n, emulator.api, emulator.token));
    }
    for (const mode of modes) {
      const rs = runs[mode];
      rows.push({
        mode,
        n,
        maxRss: median(rs.map((x) => x.maxRss)),
        rssBuilt: median(rs.map((x) => x.rssBuilt)),
        peakSampled: median(rs.map((x) => x.peakSampled)),
        peakHeapUsed: median(rs.map((x) => x.peakHeapUsed)),
        peakExternal: median(rs.map((x) => x.peakExternal)),
        peakArrayBuffers: median(rs.map((x) => x.peakArrayBuffers)),
        wasmMemory: median(rs.map((x) => x.wasmMemory)),
        majorGcs: median(rs.map((x) => x.gcs.major)),
        ms: median(rs.map((x) => x.ms)),
      });
    }
  }
  console.log(`RESULT ${JSON.stringify({ chunk: CHUNK, concurrency: 4, repeat, rows })}`);
} finally {
  await emulator.stop();
}
