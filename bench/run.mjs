// `make bench`: runs every benchmark, each in its own Node process, writes
// bench/results.md and prints it. Benchmarks, not tests: nothing fails on a slow machine
// (only a broken build or a wrong answer stops it).
//
//   node bench/run.mjs            # the full run (~3 minutes on 2 shared cores, builds aside)
//   BENCH_QUICK=1 node bench/run.mjs   # smaller sizes, fewer rounds, to try the pipeline;
//                                      # writes target/bench-results-quick.md instead
//
// Expects the builds of `make bench`: dist/package (make pack), target/crossing-bench,
// target/bench-variants/{o3,os} (optional) and target/emulator/events-emulator.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { clientEntry, ROOT } from './lib.mjs';

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

const f0 = (x) => Math.round(x).toLocaleString('en-US');
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const verdict = (ok) => (ok ? '**met**' : '**missed**');

const entry = clientEntry();
const variants = [
  // The core crate (validation) is at opt-level 3 in every build (its own profile entry);
  // these change the rest of the crate.
  ['all at opt-level 3', 'target/bench-variants/o3'],
  ['rest at opt-level "s"', 'target/bench-variants/os'],
].filter(([, dir]) => process.env.BENCH_VARIANTS !== '0' && existsSync(path.join(ROOT, dir, 'genomcore_events_wasm.js')));
const rounds = (full, quick) => String(QUICK ? quick : full);
const load0 = os.loadavg()[0];

// ---------------------------------------------------------------- measurements
say('crossing: ways of reading JS events into wasm (bench/crossing.mjs)');
const crossing = (await run(process.execPath, ['bench/crossing.mjs', 'target/crossing-bench'])).trim();

say('2. CPU cost per event (stub fetch)');
const cpu = await node('cpu.mjs', [
  '--rounds', rounds(11, 3),
  '--events', QUICK ? '50000' : '200000',
  ...variants.flatMap(([name, dir]) => ['--variant', `${name}=${dir}/genomcore_events_wasm.js`]),
]);

say('1. createEvents throughput, --sink emulator');
const createSink = await node('create.mjs', ['--sink', '--rounds', rounds(9, 2), '--events', QUICK ? '50000' : '200000']);
say('1. createEvents throughput, SQLite emulator');
const createDb = await node('create.mjs', ['--sqlite', '--rounds', rounds(7, 2), '--events', QUICK ? '50000' : '200000']);

say('3. queryAll against a plain fetch loop');
const query = await node('query.mjs', ['--rounds', rounds(9, 2), '--events', QUICK ? '20000' : '100000']);

say('4. peak RSS, one process per figure');
const memory = await node('memory.mjs', ['--sizes', QUICK ? '20000,100000' : '200000,1000000']);

say('5. import to first request');
const startup = await node('startup.mjs', ['--runs', rounds(11, 3)]);

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
const sizeRows = ['web/genomcore_events_wasm_bg.wasm', 'web/genomcore_events_wasm.js', 'web/index.js', 'web/errors.js', 'node/genomcore_events_wasm.cjs', 'node/index.cjs', 'node/index.mjs', 'node/errors.cjs']
  .map(sizeOf)
  .filter(Boolean);
const wasmSize = sizeRows.find((r) => r.rel.endsWith('.wasm'));
const webJs = sizeRows.filter((r) => r.rel.startsWith('web/') && r.rel.endsWith('.js'));
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
const variantSizes = variants.map(([name, dir]) => {
  const p = path.join(ROOT, dir, 'genomcore_events_wasm_bg.wasm');
  return { name, raw: readFileSync(p).length, gz: gz(p) };
});

// ---------------------------------------------------------------- the report
const byName = (rows, name) => rows.find((r) => r.name === name);
const cpuBase = byName(cpu.rows, 'stringify').cpuMs;
const cpuPar = byName(cpu.rows, 'JS-parallel (stub fetch)').cpuMs;
const cpuClient = byName(cpu.rows, 'shipped: createEvents').cpuMs;
// The client's own work per event: pass one (stringify, copy into wasm, validate) and pass
// two's JSON.stringify of each chunk; the rest (Request, Response, JSON.parse of the ids)
// JS-parallel does as well.
const cpuPassOne = byName(cpu.rows, 'shipped: pass one').cpuMs;
const ownRatio = (cpuPassOne + cpuBase) / cpuBase;
const sinkClient = byName(createSink.rows, 'client');
const dbClient = byName(createDb.rows, 'client');
const qAll = byName(query.rows, 'client queryAll');
const mem = (mode, n) => memory.rows.find((r) => r.mode === mode && r.n === n);
const [nSmall, nBig] = [...new Set(memory.rows.map((r) => r.n))];
const growth = (mode) => {
  const d = (n) => mem(mode, n).maxRss - mem('hold + ids', n).maxRss;
  return { small: d(nSmall), big: d(nBig), growth: d(nBig) - d(nSmall) };
};
const memClient = growth('client, gc() per chunk');
const memPar = growth('JS-parallel, gc() per chunk');
// "Does not grow": the client's working set (with garbage collected as it goes) at the big
// size is within 32 MB (a few chunks' worth) of the one at the small size, ids aside.
const memOk = memClient.growth < 32 * 1048576;
const st = (mode) => startup.rows.find((r) => r.mode === mode);
const sizeBudget = 60 * 1024;

const rate = (n, ms) => `${f0((n / ms) * 1000)} events/s`;
const summary = table(
  ['#', 'what', 'measured', 'goal', ''],
  [
    ['1', `createEvents, ${f0(createSink.events)} events, chunks of ${f0(createSink.chunk)}, concurrency ${createSink.concurrency}, \`--sink\` emulator`,
      `${f2(sinkClient.vsParallel)}× JS-parallel, ${f2(sinkClient.vsSequential)}× SDK-style sequential`, '≥ 1.0× JS-parallel', verdict(sinkClient.vsParallel >= 1)],
    ['1', 'the same, SQLite emulator', `${f2(dbClient.vsParallel)}× JS-parallel, ${f2(dbClient.vsSequential)}× SDK-style sequential`, '≥ 1.0× JS-parallel', verdict(dbClient.vsParallel >= 1)],
    ['2', 'client CPU per event, validation + serialization (pass one + pass two\'s `JSON.stringify`), × `JSON.stringify`',
      `${f2(ownRatio)}× (whole createEvents with a stub fetch: ${f2(cpuClient / cpuPar)}× JS-parallel with the same stub)`, '≤ 1.5×', verdict(ownRatio <= 1.5)],
    ['3', `queryAll over ${f0(query.events)} events`, `${f2(qAll.vsPlain)}× a plain fetch + json loop`, '≥ 0.9×', verdict(qAll.vsPlain >= 0.9)],
    ['4', `peak RSS creating ${f0(nSmall)} → ${f0(nBig)} events, minus the same process holding the events and the ids returned (full GC after each chunk)`,
      `client ${mb(memClient.small)} → ${mb(memClient.big)}; JS-parallel ${mb(memPar.small)} → ${mb(memPar.big)}`, 'no growth with the number of events', verdict(memOk)],
    ['5', 'size: .wasm; JS for browsers (web/*.js), raw / gzip -9', wasmSize ? `${kb(wasmSize.raw)} / **${kb(wasmSize.gz)}**; ${kb(sum(webJs, 'raw'))} / ${kb(sum(webJs, 'gz'))}` : 'package not built', '.wasm ≤ 60 KB gzipped', wasmSize ? verdict(wasmSize.gz <= sizeBudget) : ''],
    ['5', 'Node: `import` to first request leaving / first answer', `${f1(st('client').fetchCalled)} ms / ${f1(st('client').answered)} ms (plain fetch: first answer ${f1(st('plain fetch').answered)} ms)`, '', ''],
    ['6', 'emulator ingest into SQLite (cargo bench --bench ingest)', `${f0(ingestMedian)} events/s`, '', ''],
  ],
);

const createTable = (res) =>
  table(
    ['client', 'median ms', 'events/s', '× JS-parallel', '× SDK-style sequential', 'of which pass one (validation), ms'],
    res.rows.map((r) => [r.name, f0(r.ms), f0((res.events / r.ms) * 1000), f2(r.vsParallel), f2(r.vsSequential), r.passOneMs !== undefined ? f0(r.passOneMs) : '']),
  );

const cpuTable = table(
  ['what (stub fetch, no network)', 'CPU ms', 'ns/event', '× JSON.stringify'],
  cpu.rows.map((r) => [r.name, f0(r.cpuMs), f0((r.cpuMs * 1e6) / cpu.events), f2(r.cpuMs / cpuBase)]),
);

const queryTable = table(
  ['reader', 'median ms', 'events/s', '× plain loop (speed)'],
  query.rows.map((r) => [r.name, f0(r.ms), f0((query.events / r.ms) * 1000), f2(r.vsPlain)]),
);

const memTable = table(
  ['events', 'process', 'peak RSS', '− hold', '− hold + ids', 'upload ms'],
  memory.rows.map((r) => [
    f0(r.n),
    r.mode,
    mb(r.maxRss),
    r.mode === 'hold' ? '' : mb(r.maxRss - mem('hold', r.n).maxRss),
    r.mode.startsWith('hold') ? '' : mb(r.maxRss - mem('hold + ids', r.n).maxRss),
    r.mode === 'hold' ? '' : f0(r.ms),
  ]),
);

const sizeTable = table(
  ['file (dist/package)', 'raw', 'gzip -9'],
  [
    ...sizeRows.map((r) => [r.rel, kb(r.raw), kb(r.gz)]),
    ...variantSizes.map((v) => [`.wasm, ${v.name} (for comparison, not shipped)`, kb(v.raw), kb(v.gz)]),
  ],
);

const startupTable = table(
  ['fresh Node process', 'import done', 'client constructed', 'first request leaves', 'first answer'],
  startup.rows.map((r) => [
    r.mode,
    r.imported !== undefined ? `${f1(r.imported)} ms` : '',
    r.constructed !== undefined ? `${f1(r.constructed)} ms` : '',
    `${f1(r.fetchCalled)} ms`,
    `${f1(r.answered)} ms`,
  ]),
);

const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const md = `# Benchmark results

Written by \`make bench\` (\`bench/run.mjs\`) on ${date}${QUICK ? ' — **quick run (BENCH_QUICK=1): small sizes, few rounds**' : ''}.
Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, load average ${f1(load0)} at the start: the
cores are shared with other jobs, so absolute times move between runs; the ratios, taken
between variants run back to back in the same round and then the median over rounds, hold
better. The client is \`${path.relative(ROOT, entry)}\` (Cargo.toml's release profile, \`wasm-opt -Oz\`).

## Summary

${summary}

## 1. createEvents throughput

${f0(createSink.events)} events (~230 bytes of JSON each, one in three with \`end\` and \`batch\`), chunks of
${f0(createSink.chunk)}, ${createSink.concurrency} requests in flight, over HTTP to the emulator on the same machine.
JS-parallel: \`JSON.stringify\` of each chunk and \`fetch\`, ${createSink.concurrency} in flight, no validation;
SDK-style sequential: the same, one chunk at a time (\`bench/baselines.mjs\`). The client
validates every event before it sends anything (pass one, synchronous inside the call).

\`--sink\` emulator (checks and answers, stores nothing), median of ${createSink.rounds} rounds:

${createTable(createSink)}

SQLite emulator (file database, collection deleted between runs), median of ${createDb.rounds} rounds:

${createTable(createDb)}

## 2. CPU cost per event

${f0(cpu.events)} events, windows/chunks of ${f0(cpu.chunk)}, process CPU time, median of ${cpu.rounds} rounds; \`fetch\` is a
stub that builds the \`Request\` (the body is encoded there, as in a real fetch) and answers
201 with ${f0(cpu.chunk)} ids. "pass one" is createEvents given the same events plus one bad event at
the end: it validates everything, then rejects. The phases use the \`crossing-bench\` build
(same validator). The client's own work is pass one plus pass two's \`JSON.stringify\` of
each chunk: ${f2(ownRatio)}× \`JSON.stringify\`. The rest of the path (building the \`Request\`, which
encodes the body, the \`Response\`, \`JSON.parse\` of the ids) both clients pay: JS-parallel
with the stub costs ${f2(cpuPar / cpuBase)}× \`JSON.stringify\` (this line moves most between runs: some
rounds include a major GC, some not).

${cpuTable}

How a chunk of JS events gets into wasm (\`bench/crossing.mjs\`, its own events and sizes):

${crossing}

## 3. queryAll

${f0(query.events)} events in a SQLite emulator, pages of ${f0(query.pageSize)}, query \`${JSON.stringify(query.query)}\` (the emulator's
cheapest: the figure is the clients', not SQLite's), every event visited, median of ${query.rounds} rounds.

${queryTable}

## 4. Peak memory

One fresh \`node --expose-gc\` process per line, against a \`--sink\` emulator, createEvents with
chunks of ${f0(memory.chunk)} and concurrency ${memory.concurrency}. "hold" only builds the array; "hold + ids" also holds
as many ids as the emulator returns (every client returns them: they grow with the input
by design). The "gc() per chunk" lines run a full GC after each chunk, so that their peak
is the live working set rather than the garbage V8 lets pile up (V8 lets more pile up on a
bigger heap, so the plain lines grow with the array for any client).

${memTable}

## 5. Size and start

${sizeTable}

${startupTable}

(median of ${startup.runs} processes each, ms from just before \`await import('${startup.entry}')\`. Node loads its
\`fetch\` implementation, undici, on first use, which both pay: the plain script inside its first
\`fetch\` call, the client when it builds its first \`Request\`, before calling \`fetch\`. So compare
the first answers.)

## 6. Emulator ingest into SQLite

\`cargo bench -p events-emulator --profile emulator --bench ingest\`: ${ingestWhat}.
Median **${f0(ingestMedian)} events/s** over ${ingestRuns.length} runs (${ingestRuns.map(f0).join(', ')}).
For comparison, the client's createEvents into the SQLite emulator above: ${rate(createDb.events, dbClient.ms)}.
`;

// A quick run does not replace the published results.
const outFile = QUICK ? 'target/bench-results-quick.md' : 'bench/results.md';
writeFileSync(path.join(ROOT, outFile), md);

// The summary in the READMEs: replaced between the markers wherever they are (a quick
// run never replaces it).
const START = '<!-- bench:summary:start -->';
const END = '<!-- bench:summary:end -->';
if (!QUICK) {
  for (const readme of ['README.md', 'bench/README.md']) {
    const file = path.join(ROOT, readme);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    if (a < 0 || b < a) continue;
    const block = `${START}\n${summary}\n\n(\`make bench\`, ${date}; every figure and how it is measured: [bench/results.md](${readme === 'README.md' ? 'bench/results.md' : 'results.md'}).)\n${END}`;
    writeFileSync(file, text.slice(0, a) + block + text.slice(b + END.length));
    say(`updated the summary in ${readme}`);
  }
}
process.stdout.write(md);
say(`done; wrote ${outFile}`);
