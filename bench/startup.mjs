// Item 5 (time): from `import` of the package to its first request, in fresh Node
// processes, against a `--sink` emulator; a plain `fetch` of the same request for
// comparison (Node loads its fetch, undici, lazily on the first call: both pay that).
//
//   node bench/startup.mjs [--runs 11]
//
// Each child records, from just before `await import(...)`: import done, client
// constructed, `fetch` called (the first request leaves), first answer read.
// Prints one line `RESULT {json}`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clientEntry, median, startEmulator } from './lib.mjs';

const args = process.argv.slice(2);

if (args[0] === '--child') {
  const [, mode, entry, api, token] = args;
  const t0 = performance.now();
  const realFetch = globalThis.fetch;
  let fetchCalled;
  globalThis.fetch = (...a) => {
    fetchCalled ??= performance.now();
    return realFetch(...a);
  };
  const out = { mode, processToImport: t0 };
  if (mode === 'client') {
    const { EventsClient } = await import(pathToFileURL(entry).href);
    out.imported = performance.now() - t0;
    const client = new EventsClient({ baseUrl: api, token });
    out.constructed = performance.now() - t0;
    const page = await client.queryEvents({}, { pageSize: 1 });
    if (!Array.isArray(page.items)) throw new Error('no items');
  } else {
    const r = await fetch(`${api}/events/query?page=0&pageSize=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{}',
    });
    if (!Array.isArray((await r.json()).items)) throw new Error('no items');
  }
  out.answered = performance.now() - t0;
  out.fetchCalled = fetchCalled - t0;
  console.log(`RESULT ${JSON.stringify(out)}`);
  process.exit(0);
}

const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('runs', 11));
// The ESM entry of the package when it is built, else the CommonJS build.
const cjs = clientEntry();
const mjs = path.join(path.dirname(cjs), 'index.mjs');
const entry = existsSync(mjs) ? mjs : cjs;
const self = fileURLToPath(import.meta.url);

function child(mode, api, token) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--child', mode, entry, api, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`startup child ${mode} exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

const emulator = await startEmulator({ sink: true });
try {
  const runs = { client: [], 'plain fetch': [] };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of Object.keys(runs)) runs[mode].push(await child(mode === 'client' ? 'client' : 'plain', emulator.api, emulator.token));
  }
  const keys = ['processToImport', 'imported', 'constructed', 'fetchCalled', 'answered'];
  const rows = Object.entries(runs).map(([mode, rs]) => {
    const row = { mode };
    for (const k of keys) if (rs[0][k] !== undefined) row[k] = median(rs.map((x) => x[k]));
    return row;
  });
  console.log(`RESULT ${JSON.stringify({ entry: path.relative(process.cwd(), entry), runs: RUNS, rows })}`);
} finally {
  await emulator.stop();
}
