// How should a chunk of JS events get into the wasm for validation? Measures the
// three candidates of issue 3 side by side, against JSON.stringify alone:
//   node bench/crossing.mjs <dir of a `--target nodejs` build with feature crossing-bench>
// Prints a table, then one line `RESULT {json}`.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? 'target/crossing-bench');
const wasm = createRequire(import.meta.url)(path.join(dir, 'genomcore_events_wasm.js'));
const N = 100_000, CHUNK = 10_000, ROUNDS = 7;
const events = Array.from({ length: N }, (_, i) => ({
  owner: String(i % 50), collection: 'bench', start: new Date(1.7e12 + i * 1000).toISOString(),
  value: `reading ${i}`, type: 'heart-rate', source: 'bench', externalId: `bench-${i}`,
}));
const chunks = [];
for (let i = 0; i < N; i += CHUNK) chunks.push(events.slice(i, i + CHUNK));

const candidates = {
  'JSON.stringify only (baseline)': (c) => JSON.stringify(c).length > 0 ? c.length : 0,
  'JSON.stringify + validate in wasm (chosen)': (c) => wasm.__benchStringifyValidate(c),
  'JSON.stringify + copy into wasm, no validation': (c) => wasm.__benchStringifyCopy(c),
  'serde-wasm-bindgen': (c) => wasm.__benchSerdeWasmBindgen(c),
  'field by field (Reflect.get)': (c) => wasm.__benchFieldByField(c),
};
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const rows = [];
for (const [name, fn] of Object.entries(candidates)) {
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let valid = 0;
    for (const c of chunks) valid += fn(c);
    times.push(performance.now() - t0);
    if (valid !== N) throw new Error(`${name}: ${valid} of ${N} valid`);
  }
  rows.push([name, median(times)]);
}
const base = rows[0][1];
console.log(`| way (${N} events, chunks of ${CHUNK}, median of ${ROUNDS}) | ms | ns/event | × JSON.stringify |`);
console.log('|---|---|---|---|');
for (const [name, ms] of rows) {
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms * 1e6 / N).toFixed(0)} | ${(ms / base).toFixed(2)} |`);
}
console.log(`RESULT ${JSON.stringify({ events: N, chunk: CHUNK, rounds: ROUNDS, rows: rows.map(([name, ms]) => ({ name, ms })) })}`);
