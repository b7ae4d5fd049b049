// `make bench`: runs every benchmark, each in its own Node process, writes every figure
// to bench/results.json, generates bench/results.md and the marked blocks of the READMEs
// from it (bench/report.mjs), and prints results.md. Benchmarks, not tests: nothing fails on a slow machine
// (only a broken build or a wrong answer stops it).
//
//   node bench/run.mjs            # the full run (~3 minutes on 2 shared cores, builds aside)
//   BENCH_QUICK=1 node bench/run.mjs   # smaller sizes, fewer rounds, to try the pipeline;
//                                      # writes target/bench-results-quick.{json,md} instead
//                                      # and leaves the READMEs alone
//
// Expects the builds of `make bench`: dist/package (make pack), target/crossing-bench,
// target/bench-variants/{o3,os} (optional) and target/emulator/events-emulator.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { clientEntry, ROOT } from './lib.mjs';
import { blocks, fillBlocks, GENERATED_FILES, RESULTS_JSON, RESULTS_MD, resultsMarkdown } from './report.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const started = Date.now();
const say = (m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);

function run(cmd, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out}`))));
  });
}
const result = (out) => {
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in:\n${out}`);
  return JSON.parse(line.slice(7));
};
const node = (script, args = [], opts) => run(process.execPath, ['--expose-gc', path.join('bench', script), ...args], opts).then(result);

const entry = clientEntry();
const variants = [
  // The core crate (validation) is at opt-level 3 in every build (its own profile entry);
  // these change the rest of the crate.
  ['all at opt-level 3', 'target/bench-variants/o3'],
  ['rest at opt-level "s"', 'target/bench-variants/os'],
].filter(([, dir]) => process.env.BENCH_VARIANTS !== '0' && existsSync(path.join(ROOT, dir, 'api.js')));
const rounds = (full, quick) => String(QUICK ? quick : full);
const load0 = os.loadavg()[0];

// ---------------------------------------------------------------- measurements
say('the plain-JS validator agrees with the client (bench/plain-validate.test.mjs)');
await run(process.execPath, ['--test', '--test-reporter=dot', 'bench/plain-validate.test.mjs']);

say('crossing: ways of reading JS events into wasm (bench/crossing.mjs)');
const crossing = result(await run(process.execPath, ['bench/crossing.mjs', 'target/crossing-bench']));

say('2. CPU cost per event (stub fetch)');
const cpu = await node('cpu.mjs', [
  '--rounds', rounds(11, 3),
  '--events', QUICK ? '50000' : '200000',
  ...variants.flatMap(([name, dir]) => ['--variant', `${name}=${dir}/api.js`]),
]);

say('1. createEvents throughput, --sink emulator');
const createSink = await node('create.mjs', ['--sink', '--rounds', rounds(9, 2), '--events', QUICK ? '50000' : '200000']);
say('1. createEvents throughput, SQLite emulator');
const createDb = await node('create.mjs', ['--sqlite', '--rounds', rounds(7, 2), '--events', QUICK ? '50000' : '200000']);

say('3. queryAll against a plain fetch loop');
const query = await node('query.mjs', ['--rounds', rounds(9, 2), '--link-rounds', rounds(5, 1), '--events', QUICK ? '20000' : '100000']);

say('4. peak RSS, one process per figure');
const memory = await node('memory.mjs', ['--sizes', QUICK ? '20000,100000' : '200000,1000000']);

say('5. import to first request');
const startup = await node('startup.mjs', ['--runs', rounds(11, 3)]);

say('7. real networks: over an emulated link (bench/link.mjs), and gzip\'s CPU price on loopback');
const network = await node('network.mjs', ['--rounds', rounds(3, 1), '--events', QUICK ? '20000' : '200000']);
network.rounds = Number(rounds(3, 1));

say('8. an NDJSON file uploaded from disk: the client against JS-streaming and the raw floor; peak RSS for 1 and 5 million events');
const ndjson = await node('ndjson.mjs', ['--rounds', rounds(3, 1), '--events', QUICK ? '50000' : '1000000', '--rss-sizes', QUICK ? '50000,250000' : '1000000,5000000']);

say('6. emulator ingest into SQLite (cargo bench --bench ingest)');
const ingestOut = await run('cargo', ['bench', '-q', '-p', 'events-emulator', '--profile', 'emulator', '--bench', 'ingest'], {
  env: { BENCH_REPS: QUICK ? '1' : '5' },
});
const ingestMedian = Number(/ingest median: (\d+)/.exec(ingestOut)?.[1]);
const ingestRuns = [...ingestOut.matchAll(/run \d+: (\d+) events\/s/g)].map((m) => Number(m[1]));
const ingestWhat = /ingest: (.*)/.exec(ingestOut)?.[1] ?? '';

// ---------------------------------------------------------------- sizes
const pkgDir = path.dirname(path.dirname(entry)); // dist/package when the package is built
// `gzip -9` as scripts/pack.sh measures the budget (zlib's level 9 comes out ~1% larger).
const gz = (file) => {
  try {
    return execFileSync('gzip', ['-9c', file], { maxBuffer: 1 << 26 }).length;
  } catch {
    return gzipSync(readFileSync(file), { level: 9 }).length;
  }
};
const sizeOf = (rel) => {
  const p = path.join(pkgDir, rel);
  if (!existsSync(p)) return null;
  return { rel, raw: readFileSync(p).length, gz: gz(p) };
};
const sizeRows = [
  'web/genomcore_events_wasm_bg.wasm', 'web/genomcore_events_wasm.js', 'web/index.js', 'web/load.js', 'web/api.js', 'web/client.js', 'web/errors.js',
  'node/genomcore_events_wasm.js', 'node/index.cjs', 'node/index.mjs', 'node/api.js', 'node/client.js', 'node/errors.js',
]
  .map(sizeOf)
  .filter(Boolean);
const variantSizes = variants.map(([name, dir]) => {
  const p = path.join(ROOT, dir, 'genomcore_events_wasm_bg.wasm');
  return { name, raw: readFileSync(p).length, gz: gz(p) };
});

// ---------------------------------------------------------------- the results
// The code measured: its commit (with uncommitted changes to it, if any) and the shipped
// wasm's hash, so that a figure can be traced to what produced it.
const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
const measured = {
  commit: git('rev-parse', '--short=12', 'HEAD'),
  uncommitted: git('status', '--porcelain', '--', 'src', 'core', 'pkg-template', 'scripts', 'Cargo.toml', 'Cargo.lock').length > 0,
  wasmSha256: createHash('sha256').update(readFileSync(path.join(ROOT, 'dist/package/web/genomcore_events_wasm_bg.wasm'))).digest('hex'),
};
const results = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  measured,
  quick: QUICK,
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'CPU',
  load0,
  entry: path.relative(ROOT, entry),
  crossing,
  cpu,
  createSink,
  createDb,
  query,
  memory,
  startup,
  ingest: { median: ingestMedian, runs: ingestRuns, what: ingestWhat },
  network,
  ndjson,
  sizes: { rows: sizeRows, variants: variantSizes },
};
// A quick run replaces none of the published files.
const jsonFile = QUICK ? 'target/bench-results-quick.json' : RESULTS_JSON;
const mdFile = QUICK ? 'target/bench-results-quick.md' : RESULTS_MD;
writeFileSync(path.join(ROOT, jsonFile), `${JSON.stringify(results, null, 1)}\n`);
const md = resultsMarkdown(results);
writeFileSync(path.join(ROOT, mdFile), md);

// Every generated block of the READMEs (a quick run leaves them alone).
if (!QUICK) {
  const gen = blocks(results);
  for (const file of GENERATED_FILES) {
    const full = path.join(ROOT, file);
    if (!existsSync(full)) continue;
    const before = readFileSync(full, 'utf8');
    const { text, names } = fillBlocks(before, file, gen);
    if (text !== before) writeFileSync(full, text);
    if (names.length) say(`refreshed ${names.join(', ')} in ${file}`);
  }
}
process.stdout.write(md);
say(`done; wrote ${jsonFile} and ${mdFile}`);
