// Everything the benchmarks publish is generated here from one results object (what
// `bench/run.mjs` measures and writes to bench/results.json): bench/results.md, and the
// marked blocks of the READMEs,
//
//   <!-- bench:NAME:start -->…<!-- bench:NAME:end -->
//
// which `make bench` refreshes and `bench/check-readme.mjs` (run by `make test`) checks
// against the committed bench/results.json. No figure in a README is typed by hand.
import path from 'node:path';

export const RESULTS_JSON = 'bench/results.json';
export const RESULTS_MD = 'bench/results.md';
/** The files whose marked blocks are generated (paths from the repository root). */
export const GENERATED_FILES = ['README.md', 'bench/README.md', 'emulator/README.md'];

const f0 = (x) => Math.round(x).toLocaleString('en-US');
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const verdict = (ok) => (ok ? '**met**' : '**missed**');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Round numbers the way prose does: 312,345 → "312,000". */
const about = (x) => f0(Number(x.toPrecision(3)));

// "Does not grow": a client's working set at the big size is within this of the one at the
// small size, ids aside (a few chunks' worth of bodies).
export const MEMORY_GROWTH_LIMIT = 32 * 1048576;
export const WASM_GZ_BUDGET = 50 * 1024; // issue 11

/** The figures the summary and the prose use, derived from the raw results. */
export function derive(r) {
  const byName = (rows, name) => {
    const row = rows.find((x) => x.name === name);
    if (!row) throw new Error(`no result named ${JSON.stringify(name)}`);
    return row;
  };
  const cpu = (name) => byName(r.cpu.rows, name);
  // Ratios of CPU time are taken per round (variants of one round ran back to back), then the median.
  const cpuRatio = (num, den) => median(cpu(num).all.map((x, i) => x / cpu(den).all[i]));
  // The middle half of those per-round ratios, shown where a ratio sits next to the
  // medians it is not the quotient of: when it holds 1, the two are within noise.
  const cpuSpread = (num, den) => {
    const all = cpu(num).all.map((x, i) => x / cpu(den).all[i]).sort((a, b) => a - b);
    const at = (q) => all[Math.min(all.length - 1, Math.floor(q * all.length))];
    const [lo, hi] = [at(0.25), at(0.75)];
    return `rounds' middle half ${f2(lo)}–${f2(hi)}×${lo <= 1 && hi >= 1 ? ': within noise' : ''}`;
  };
  const stringify = cpu('stringify').cpuMs;
  const d = {
    cpuStringifyNs: (stringify * 1e6) / r.cpu.events,
    copyRatio: cpuRatio('stringify + copy', 'stringify'),
    // The client's own work per event: pass one (stringify, copy into wasm, validate, frame
    // and keep the bodies); pass two sends the kept bytes as they are (within
    // maxBufferedBytes, which the benchmark's input fits). The rest (Request, Response,
    // JSON.parse of the ids) JS-parallel does as well.
    ownRatio: cpuRatio('shipped: pass one', 'stringify'),
    clientVsParallelCpu: cpuRatio('shipped: createEvents', 'JS-parallel (stub fetch)'),
    clientVsValidatedCpu: cpuRatio('shipped: createEvents', 'JS-parallel + plain-JS validation (stub fetch)'),
    clientVsValidatedSpread: cpuSpread('shipped: createEvents', 'JS-parallel + plain-JS validation (stub fetch)'),
    clientVsParallelSpread: cpuSpread('shipped: createEvents', 'JS-parallel (stub fetch)'),
    validatedVsParallelCpu: cpuRatio('JS-parallel + plain-JS validation (stub fetch)', 'JS-parallel (stub fetch)'),
    passOneVsPlainValidation: cpuRatio('shipped: pass one', 'plain-JS validation'),
    plainValidationNs: (cpu('plain-JS validation').cpuMs * 1e6) / r.cpu.events,
    passOneNs: (cpu('shipped: pass one').cpuMs * 1e6) / r.cpu.events,
    clientNs: (cpu('shipped: createEvents').cpuMs * 1e6) / r.cpu.events,
    validatedNs: (cpu('JS-parallel + plain-JS validation (stub fetch)').cpuMs * 1e6) / r.cpu.events,
    sink: byName(r.createSink.rows, 'client'),
    sinkParallel: byName(r.createSink.rows, 'JS-parallel'),
    sinkValidated: byName(r.createSink.rows, 'JS-parallel + plain-JS validation'),
    db: byName(r.createDb.rows, 'client'),
    dbValidated: byName(r.createDb.rows, 'JS-parallel + plain-JS validation'),
    queryAll: byName(r.query.rows, 'client queryAll'),
    queryAllGzip: byName(r.query.rows, "client queryAll, compression 'gzip'"),
    queryAllLink: byName(r.query.link.rows, 'client queryAll'),
  };
  d.floorRatio = d.copyRatio;
  // The validated baseline does JS-parallel's work and the plain validator's: measured
  // below JS-parallel plus half the validator alone, the CPU rows contradict each other
  // (one variant's work billed to another), and the ratios against it are not published.
  {
    const [validated, parallel, plain] = ['JS-parallel + plain-JS validation (stub fetch)', 'JS-parallel (stub fetch)', 'plain-JS validation'].map((n) => cpu(n).cpuMs);
    d.cpuInconsistent = validated < parallel + 0.5 * plain
      ? `the CPU rows are inconsistent (JS-parallel + plain-JS validation ${f0(validated)} ms < JS-parallel ${f0(parallel)} + ½ × plain-JS validation ${f0(plain)} ms)`
      : null;
  }

  const mem = (mode, n) => {
    const row = r.memory.rows.find((x) => x.mode === mode && x.n === n);
    if (!row) throw new Error(`no memory result for ${mode} at ${n}`);
    return row;
  };
  const [nSmall, nBig] = [...new Set(r.memory.rows.map((x) => x.n))];
  const growth = (mode) => {
    const over = (n) => mem(mode, n).maxRss - mem('hold + ids', n).maxRss;
    return { small: over(nSmall), big: over(nBig), growth: over(nBig) - over(nSmall) };
  };
  // Where the peak is: the V8 heap above "hold + ids", and external memory (ArrayBuffers).
  const parts = (mode) => {
    const heap = (n) => mem(mode, n).peakHeapUsed - mem('hold + ids', n).peakHeapUsed;
    return { heapSmall: heap(nSmall), heapBig: heap(nBig), extSmall: mem(mode, nSmall).peakExternal, extBig: mem(mode, nBig).peakExternal };
  };
  d.mem = {
    clientParts: parts('client'),
    parallelParts: parts('JS-parallel'),
    nSmall,
    nBig,
    client: growth('client'),
    parallel: growth('JS-parallel'),
    clientGc: growth('client, gc() per chunk'),
    parallelGc: growth('JS-parallel, gc() per chunk'),
  };

  const st = (mode) => r.startup.rows.find((x) => x.mode === mode);
  d.startClient = st('client');
  d.startPlain = st('plain fetch');
  d.wasm = r.sizes.rows.find((x) => x.rel.endsWith('.wasm'));
  const webJs = r.sizes.rows.filter((x) => x.rel.startsWith('web/') && x.rel.endsWith('.js'));
  d.webJs = { raw: webJs.reduce((a, x) => a + x.raw, 0), gz: webJs.reduce((a, x) => a + x.gz, 0) };
  return d;
}

function summaryTable(r, d) {
  const m = d.mem;
  const memRow = (label, client, parallel) => [
    '4',
    `peak RSS creating ${f0(m.nSmall)} → ${f0(m.nBig)} events, minus the same process holding the events and the ids returned, ${label}`,
    `client ${mb(client.small)} → ${mb(client.big)}; JS-parallel ${mb(parallel.small)} → ${mb(parallel.big)}`,
    `no growth with the number of events (under ${MEMORY_GROWTH_LIMIT / 1048576} MB, the allowance for GC timing)`,
    verdict(client.growth < MEMORY_GROWTH_LIMIT),
  ];
  return table(
    ['#', 'what', 'measured', 'goal', ''],
    [
      ['1', `createEvents, ${f0(r.createSink.events)} events, chunks of ${f0(r.createSink.chunk)}, concurrency ${r.createSink.concurrency}, \`--sink\` emulator`,
        `${f2(d.sink.vsParallel)}× JS-parallel, ${f2(d.sink.vsValidated)}× JS-parallel + plain-JS validation, ${f2(d.sink.vsSequential)}× SDK-style sequential`,
        '≥ 1.0× JS-parallel', verdict(d.sink.vsParallel >= 1)],
      ['1', 'the same, SQLite emulator',
        `${f2(d.db.vsParallel)}× JS-parallel, ${f2(d.db.vsValidated)}× JS-parallel + plain-JS validation, ${f2(d.db.vsSequential)}× SDK-style sequential`,
        '≥ 1.0× JS-parallel', verdict(d.db.vsParallel >= 1)],
      ['1', 'the same (`--sink`): from the call until the first request leaves (the client: pass one)',
        `client ${f0(d.sink.firstRequestMs)} ms; JS-parallel ${f0(d.sinkParallel.firstRequestMs)} ms; JS-parallel + plain-JS validation ${f0(d.sinkValidated.firstRequestMs)} ms`, '', ''],
      ['2', 'client CPU per event, validation + serialization (pass one: stringify, copy into wasm, validate, frame the bodies that pass two sends as they are), × `JSON.stringify`',
        `${f2(d.ownRatio)}× (whole createEvents with a stub fetch: ${f2(d.clientVsParallelCpu)}× JS-parallel with the same stub, ${d.clientVsParallelSpread})`, '≤ 1.5×', verdict(d.ownRatio <= 1.5)],
      ['2', 'client CPU per event (stub fetch) ÷ that of JS-parallel + plain-JS validation; pass one ÷ the plain-JS validator alone',
        `${d.cpuInconsistent ? `not published: ${d.cpuInconsistent}` : `${f2(d.clientVsValidatedCpu)}× (median of the rounds' ratios, ${d.clientVsValidatedSpread}; medians ${f0(d.clientNs)} vs ${f0(d.validatedNs)} ns/event)`}; pass one ${f2(d.passOneVsPlainValidation)}× (${f0(d.passOneNs)} vs ${f0(d.plainValidationNs)} ns/event)`, '', ''],
      ['3', `queryAll over ${f0(r.query.events)} events`, `${f2(d.queryAll.vsPlain)}× a plain fetch + json loop`, '≥ 0.9×', verdict(d.queryAll.vsPlain >= 0.9)],
      ['3', 'the same against the plain loop as an async generator (issue 11)',
        `${f2(d.queryAll.vsGenerator)}× (both asking for plain answers, as \`'auto'\` does on loopback)${d.queryAllGzip.vsGzipGenerator ? `; both with gzipped answers: ${f2(d.queryAllGzip.vsGzipGenerator)}×` : ''}`,
        '≥ 1.0×', verdict(d.queryAll.vsGenerator >= 1 && (d.queryAllGzip.vsGzipGenerator ?? 1) >= 1)],
      ['3', `the same over a ${r.query.link.rttMs} ms, ${r.query.link.downMbps} Mbit/s link (gzipped answers for both)`,
        `${f2(d.queryAllLink.vsGenerator)}× the plain async generator (the next page requested while the current one is on its way)`, '', ''],
      memRow('as a user\'s process runs (no forced GC)', m.client, m.parallel),
      memRow('with a full GC forced after each chunk', m.clientGc, m.parallelGc),
      ['5', 'size: .wasm; JS for browsers (web/*.js), raw / gzip -9',
        d.wasm ? `${kb(d.wasm.raw)} / **${kb(d.wasm.gz)}**; ${kb(d.webJs.raw)} / ${kb(d.webJs.gz)}` : 'package not built',
        '.wasm ≤ 50 KB gzipped', d.wasm ? verdict(d.wasm.gz <= WASM_GZ_BUDGET) : ''],
      ['5', 'Node: `import` to first request leaving / first answer',
        `${f1(d.startClient.fetchCalled)} ms / ${f1(d.startClient.answered)} ms (plain fetch: first answer ${f1(d.startPlain.answered)} ms)`, '', ''],
      ['6', 'emulator ingest into SQLite (cargo bench --bench ingest)', `${f0(r.ingest.median)} events/s`, '≥ 150,000 events/s', verdict(r.ingest.median >= 150000)],
      ...networkRows(r),
      ...ndjsonRows(r),
    ],
  );
}

/** Section 8's summary rows (absent from results of before it existed). */
function ndjsonRows(r) {
  const n = r.ndjson;
  if (!n) return [];
  const what = `createEvents from an NDJSON file on disk (${f0(n.events)} events, ${n.mb} MB), \`--sink\` emulator`;
  const rss = n.rss;
  const [small, big] = rss ? [rss.rows[0], rss.rows[rss.rows.length - 1]] : [];
  return [
    ['8', what, `${f2(n.vsJsStreaming)}× JS-streaming`, '≥ 2×', verdict(n.vsJsStreaming >= 2)],
    ['8', 'the same', `${f2(n.vsRawFloor)}× the raw floor (1 MiB reads cut at newlines, nothing parsed or validated)${n.vsReadlineFloor ? `; ${f2(n.vsReadlineFloor)}× the same through \`readline\`` : ''}`, '≥ 0.8×', verdict(n.vsRawFloor >= 0.8)],
    ...(rss ? [['8', `the same: peak RSS of the uploading Node process, no forced GC, ${f0(small.events)} then ${f0(big.events)} events`,
      `${mb(small.maxRss)} then ${mb(big.maxRss)} (${f2(rss.ratio)}×)`, 'flat (within 10%)', verdict(rss.ratio <= 1.1)]] : []),
  ];
}

/** Section 8's peak-RSS paragraph (absent from results of before it existed). */
function ndjsonRss(r) {
  const rss = r.ndjson.rss;
  if (!rss) return '';
  const rows = rss.rows.map((x) => [f0(x.events), `${x.mb} MB`, mb(x.maxRss), mb(x.rssStart), mb(x.peakHeapUsed), mb(x.peakExternal), mb(x.wasmMemory), `${f0(x.ms)} ms`, f0(x.idsKept)]);
  const when = rss.rssOnly ? ` (measured ${rss.date} by \`node bench/ndjson.mjs --rss-only\`, apart from the rest)` : '';
  return `
Peak RSS of a fresh Node process (no \`--expose-gc\`, no forced GC) that uploads a file of each size
with the client, same chunksize and concurrency, the file written to a temp dir and deleted after;
the peak is the kernel's high-water mark (\`VmHWM\`); the V8 heap in use and external memory
(ArrayBuffers: pieces read, bodies in flight) are their peaks sampled every 5 ms, the wasm memory
its size at the end${when}:

${table(['events', 'file', 'peak RSS', 'RSS at start', 'peak V8 heap used', 'peak external', 'wasm memory', 'upload', 'ids kept'], rows)}

${f0(rss.rows[rss.rows.length - 1].events)} events against ${f0(rss.rows[0].events)}: ${f2(rss.ratio)}× the peak RSS (goal: flat, within 10%).
`;
}

/** Section 8 of results.md. */
function ndjsonSection(r) {
  const n = r.ndjson;
  if (!n) return '';
  const rows = n.rows.map((x) => [x.name, `${f0(x.ms)} ms`, f0(x.eventsPerSecond), f0(x.cpuNsPerEvent)]);
  return `
## 8. An NDJSON file from disk

${f0(n.events)} events (${n.mb} MB of NDJSON) written to a temp file, uploaded in chunks of ${f0(n.chunksize)}, ${n.concurrency} in
flight, to the \`--sink\` emulator, median of ${n.rounds} rounds after a warm-up. The client is given
\`fs.createReadStream(file)\`: its wasm cuts, validates and frames the bytes, no event becomes a JS
object. JS-streaming reads lines with \`readline\`, \`JSON.parse\`s each, batches them and
\`JSON.stringify\`s each batch; the raw floor reads the file in 1 MiB pieces as the client is given it,
cuts them at newlines with \`Buffer.indexOf\` and sends the bytes \`[\` + lines + \`]\`, decoding, parsing
and validating nothing; the readline floor does the same through \`readline\` (\`bench/ndjson.mjs\`).
Every reader asks for the answers the client asks for (plain on loopback). CPU is the whole
process's (the emulator runs in its own); the ratios are medians of the rounds' ratios.

${table(['client', 'time', 'events/s', 'CPU ns/event'], rows)}

The client: ${f2(n.vsJsStreaming)}× JS-streaming's throughput, ${f2(n.vsRawFloor)}× the raw floor's${n.vsReadlineFloor ? `, ${f2(n.vsReadlineFloor)}× the readline floor's` : ''}.
${ndjsonRss(r)}`;
}

/** Section 7's summary rows (absent from results of before it existed). */
function networkRows(r) {
  const n = r.network;
  if (!n) return [];
  const link = `${n.upMbps} Mbit/s each way, ${n.rttMs} ms round trip`;
  const w = n.link50['wasm client, gzip'];
  return [
    ['7', `createEvents over an emulated link (${link}), ${f0(n.events)} events, gzip`,
      `${f2(n.vsJsParallel)}× JS-parallel`, '≥ 3×', verdict(n.vsJsParallel >= 3)],
    ['7', 'the same', `${f2(n.vsJsParallelGzip)}× JS-parallel with gzip by hand`, '≥ 1.0×', verdict(n.vsJsParallelGzip >= 1)],
    ['7', 'the same: link utilisation while uploading (bits sent ÷ time ÷ bandwidth)',
      `client ${f0(w.utilisation * 100)}%; JS-parallel ${f0(n.link50['JS-parallel'].utilisation * 100)}%`, '≥ 80%', verdict(w.utilisation >= 0.8)],
    ...(n.file ? [
      ['7', `the same link, an NDJSON file of ${f0(n.file.events)} events (${n.file.mb} MB) from disk, gzip`,
        `${f2(n.file.vsJsStreaming)}× JS-streaming; ${f2(n.file.vsJsStreamingGzip)}× JS-streaming with gzip by hand`, '≥ 3×; ≥ 1.0×',
        verdict(n.file.vsJsStreaming >= 3 && n.file.vsJsStreamingGzip >= 1)],
      ['7', 'the same: link utilisation', `client ${f0(n.file.runs['wasm client, gzip'].utilisation * 100)}%; JS-streaming ${f0(n.file.runs['JS-streaming'].utilisation * 100)}%`, '≥ 80%',
        verdict(n.file.runs['wasm client, gzip'].utilisation >= 0.8)],
    ] : []),
    ['7', 'on loopback: client CPU per event with gzip ÷ without', `${f2(n.loopback.cpuRatio)}× (${f0(n.loopback.cpuNsPerEventGzip)} vs ${f0(n.loopback.cpuNsPerEventNone)} ns/event)`, '', ''],
  ];
}

/** Section 7 of results.md. */
function networkSection(r) {
  const n = r.network;
  if (!n) return '';
  const rows = Object.entries(n.link50).map(([name, x]) => [name, `${x.seconds} s`, f0(x.eventsPerSecond), `${x.mbUp} MB`, `${f0(x.utilisation * 100)}%`]);
  return `
## 7. Real networks

An emulated link (\`bench/link.mjs\`): a TCP proxy on loopback whose two directions each
behave as one pipe of ${n.upMbps} Mbit/s shared by every connection, plus ${n.rttMs / 2} ms of delay each
way (${n.rttMs} ms round trip). The link itself, first: a plain ${n.link.mb} MB upload took ${n.link.seconds} s
where ${n.link.mb} × 8 / ${n.upMbps} s plus a round trip is ${n.link.expected} s (${n.link.error >= 0 ? '+' : ''}${n.link.error}%).

${f0(n.events)} events, chunks of ${f0(n.chunksize)}, ${n.concurrency} in flight, to the \`--sink\` emulator through the link,
median of ${n.rounds ?? ''} rounds. The client is given \`compression: 'gzip'\` (the link is on loopback,
where \`'auto'\` leaves bodies plain; a real uplink is not); JS-parallel + gzip pipes each body
through the same \`CompressionStream\` by hand:

${table(['client', 'time', 'events/s', 'sent up', 'link utilisation'], rows)}

The client: ${f2(n.vsJsParallel)}× JS-parallel's throughput, ${f2(n.vsJsParallelGzip)}× JS-parallel + gzip's.
${n.file ? `
The NDJSON file (${f0(n.file.events)} events, ${n.file.mb} MB) over the same link: the client
given the file's stream with gzip; JS-streaming (\`readline\`, \`JSON.parse\`, batches, \`JSON.stringify\`;
\`bench/streaming.mjs\`) plain and with gzip by hand. ${n.file.rounds ? `The client and JS-streaming + gzip in ${n.file.rounds} interleaved
rounds (medians; their ratio the median of the rounds'), JS-streaming plain once (it takes ~35 s and is far behind)` : 'One run each'}:

${table(['client', 'time', 'events/s', 'sent up', 'link utilisation'], Object.entries(n.file.runs).map(([name, x]) => [name, `${x.seconds} s`, f0(x.eventsPerSecond), `${x.mbUp} MB`, `${f0(x.utilisation * 100)}%`]))}

The client: ${f2(n.file.vsJsStreaming)}× JS-streaming's throughput, ${f2(n.file.vsJsStreamingGzip)}× JS-streaming + gzip's.
` : ''}
On loopback (no link), the CPU price of compression, the same client with \`compression\`
\`'none'\` and \`'gzip'\`: ${f0(n.loopback.cpuNsPerEventNone)} and ${f0(n.loopback.cpuNsPerEventGzip)} ns of process CPU per event
(${f2(n.loopback.cpuRatio)}×), ${f0(n.loopback.wallMsNone)} and ${f0(n.loopback.wallMsGzip)} ms for the upload: on a fast local
network \`'none'\` is cheaper, which is why \`'auto'\` leaves loopback plain.
`;
}

// The ways of crossing into wasm, as the design notes name them.
const CROSSING_LABELS = [
  ['JSON.stringify only (baseline)', '`JSON.stringify` alone (baseline)'],
  ['JSON.stringify + copy into wasm, no validation', '`JSON.stringify` in the engine + `encodeInto` into wasm, no validation'],
  ['JSON.stringify + validate in wasm (chosen)', '**`JSON.stringify` + `encodeInto` + one-pass scanner and validator (chosen)**'],
  ['serde-wasm-bindgen', 'serde-wasm-bindgen into Rust structs'],
  ['field by field (Reflect.get)', 'field by field with `Reflect.get`'],
];

function crossingRows(c) {
  const base = c.rows.find((x) => x.name === CROSSING_LABELS[0][0]).ms;
  return CROSSING_LABELS.map(([name, label]) => {
    const row = c.rows.find((x) => x.name === name);
    if (!row) throw new Error(`crossing: no row ${name}`);
    const ns = f0((row.ms * 1e6) / c.events);
    const x = f2(row.ms / base);
    return name.includes('(chosen)') ? [label, `**${ns}**`, `**${x}**`] : [label, ns, x];
  });
}

/** The generated blocks: name → (file the block is in, relative to the root) → text. */
export function blocks(r, d = derive(r)) {
  const link = (file) => path.posix.relative(path.posix.dirname(file), RESULTS_MD);
  const m = d.mem;
  return {
    summary: (file) =>
      `${summaryTable(r, d)}\n\n(\`make bench\`, ${r.date}, load average ${f1(r.load0)} on 2 shared cores at the start; every figure and how it is measured: [bench/results.md](${link(file)}).)`,
    // Benchmarks, "What the figures come from".
    floor: () =>
      `≈ ${f1(d.copyRatio)}× \`JSON.stringify\`), pass two sending the bytes pass one kept: ≈ ${f1(d.floorRatio)}× \`JSON.stringify\` ` +
      `of CPU per event; the whole createEvents measured ${f2(d.sink.vsParallel)}× JS-parallel's throughput on the \`--sink\` emulator`,
    validation: () =>
      `the plain-JS validator (\`bench/plain-validate.mjs\`) takes ${f0(d.plainValidationNs)} ns/event of CPU where pass one takes ` +
      `${f0(d.passOneNs)} (${f2(d.passOneVsPlainValidation)}×); ` +
      (d.cpuInconsistent
        ? `the whole createEvents' CPU against JS-parallel + plain-JS validation (stub fetch): not published, ${d.cpuInconsistent}; `
        : `with a stub fetch the whole createEvents costs ${f2(d.clientVsValidatedCpu)}× the CPU of JS-parallel + plain-JS validation (which costs ${f2(d.validatedVsParallelCpu)}× JS-parallel), `) +
      `and over HTTP it reaches ${f2(d.sink.vsValidated)}× its throughput (\`--sink\`), ${f2(d.db.vsValidated)}× (SQLite)`,
    memory: () =>
      `${f0(m.nSmall)} then ${f0(m.nBig)} events: the client's peak RSS above a process holding the events and ` +
      `the ids is ${mb(m.client.small)} then ${mb(m.client.big)} as a user's process runs, ${mb(m.clientGc.small)} then ` +
      `${mb(m.clientGc.big)} with a full GC forced after each chunk (JS-parallel: ${mb(m.parallel.small)} then ${mb(m.parallel.big)}; ` +
      `${mb(m.parallelGc.small)} then ${mb(m.parallelGc.big)}); without forced GC, the V8 heap in use peaks ` +
      `${mb(m.clientParts.heapSmall)} then ${mb(m.clientParts.heapBig)} above that process's for the client ` +
      `(JS-parallel: ${mb(m.parallelParts.heapSmall)} then ${mb(m.parallelParts.heapBig)}), and external memory at ` +
      `${mb(m.clientParts.extSmall)} then ${mb(m.clientParts.extBig)} (JS-parallel: ${mb(m.parallelParts.extSmall)} then ${mb(m.parallelParts.extBig)})`,
    // Design notes.
    crossing: () =>
      `(\`bench/crossing.mjs\`, run by \`make bench\`; ${f0(r.crossing.events)} events, chunks of ${f0(r.crossing.chunk)}, median of ${r.crossing.rounds}, ` +
      `this shared 2-core machine, ${r.date}):\n\n${table(['way', 'ns/event', '× `JSON.stringify`'], crossingRows(r.crossing))}`,
    size: () =>
      d.wasm
        ? `${kb(d.wasm.raw)} raw, **${kb(d.wasm.gz)} gzipped**, ${d.wasm.gz <= WASM_GZ_BUDGET ? 'within' : 'over'} the 50 KB budget (the JS glue for browsers adds ${kb(d.webJs.gz)} gzipped)`
        : 'not measured (the package was not built)',
    // The local emulator (README.md and emulator/README.md).
    ingest: () =>
      `${r.ingest.what}, \`emulator\` profile, this 2-core machine (shared: load average ${f1(r.load0)} at the start of \`make bench\`, ${r.date}): ` +
      `**median ≈ ${about(r.ingest.median)} events/s** over ` +
      (r.ingest.runs.length > 1
        ? `${r.ingest.runs.length} runs (single runs ${about(Math.min(...r.ingest.runs))} to ${about(Math.max(...r.ingest.runs))})`
        : `${r.ingest.runs.length} run`),
  };
}

const START = (name) => `<!-- bench:${name}:start -->`;
const END = (name) => `<!-- bench:${name}:end -->`;
const MARKER = /<!-- bench:([a-z-]+):start -->/g;

/**
 * `text` with every marked block replaced by what `gen` generates for it; throws on a
 * block name it does not know or an unclosed block. Returns `{ text, names }`.
 */
export function fillBlocks(text, file, gen) {
  const names = [];
  let out = '';
  let at = 0;
  for (const m of text.matchAll(MARKER)) {
    if (m.index < at) continue;
    const name = m[1];
    const end = text.indexOf(END(name), m.index);
    if (end < 0) throw new Error(`${file}: ${START(name)} without ${END(name)}`);
    if (!gen[name]) throw new Error(`${file}: unknown generated block ${name}`);
    const inner = text.slice(m.index + m[0].length, end);
    // A block on lines of its own keeps its newlines; an inline one stays inline.
    const body = gen[name](file);
    const filled = inner.startsWith('\n') ? `\n${body}\n` : body;
    out += text.slice(at, m.index) + START(name) + filled;
    at = end;
    names.push(name);
  }
  return { text: out + text.slice(at), names };
}

function memTable(r) {
  const mem = (mode, n) => r.memory.rows.find((x) => x.mode === mode && x.n === n);
  const cols = r.memory.rows[0].peakHeapUsed !== undefined;
  return table(
    ['events', 'process', 'peak RSS', '− hold', '− hold + ids', ...(cols ? ['peak V8 heap used', 'peak external', 'wasm memory', 'major GCs'] : []), 'upload ms'],
    r.memory.rows.map((x) => [
      f0(x.n),
      x.mode,
      mb(x.maxRss),
      x.mode === 'hold' ? '' : mb(x.maxRss - mem('hold', x.n).maxRss),
      x.mode.startsWith('hold') ? '' : mb(x.maxRss - mem('hold + ids', x.n).maxRss),
      ...(cols ? [mb(x.peakHeapUsed), mb(x.peakExternal), x.wasmMemory ? mb(x.wasmMemory) : '', x.mode.startsWith('hold') ? '' : String(x.majorGcs)] : []),
      x.mode.startsWith('hold') ? '' : f0(x.ms),
    ]),
  );
}

/** bench/results.md. */
export function resultsMarkdown(r, d = derive(r)) {
  const createTable = (res) =>
    table(
      ['client', 'median ms', 'events/s', '× JS-parallel', '× JS-parallel + plain-JS validation', '× SDK-style sequential', 'until the first request leaves, ms'],
      res.rows.map((x) => [x.name, f0(x.ms), f0((res.events / x.ms) * 1000), f2(x.vsParallel), f2(x.vsValidated), f2(x.vsSequential), f0(x.firstRequestMs)]),
    );
  const cpuBase = r.cpu.rows.find((x) => x.name === 'stringify').cpuMs;
  const cpuTable = table(
    ['what (stub fetch, no network)', 'CPU ms', 'ns/event', '× JSON.stringify'],
    r.cpu.rows.map((x) => [x.name, f0(x.cpuMs), f0((x.cpuMs * 1e6) / r.cpu.events), f2(x.cpuMs / cpuBase)]),
  );
  const crossingTable = table(
    [`way (${r.crossing.events} events, chunks of ${r.crossing.chunk}, median of ${r.crossing.rounds})`, 'ms', 'ns/event', '× JSON.stringify'],
    r.crossing.rows.map((x) => [x.name, f1(x.ms), f0((x.ms * 1e6) / r.crossing.events), f2(x.ms / r.crossing.rows[0].ms)]),
  );
  const queryTable = table(
    ['reader', 'median ms', 'events/s', '× plain loop (speed)', '× plain async generator', '× the same, gzipped answers'],
    r.query.rows.map((x) => [x.name, f0(x.ms), f0((r.query.events / x.ms) * 1000), f2(x.vsPlain), f2(x.vsGenerator), x.vsGzipGenerator === undefined ? '' : f2(x.vsGzipGenerator)]),
  );
  const queryLinkTable = table(
    [`reader, over a ${r.query.link.rttMs} ms, ${r.query.link.downMbps} Mbit/s link`, 'median ms', 'events/s', '× plain async generator'],
    r.query.link.rows.map((x) => [x.name, f0(x.ms), f0((r.query.events / x.ms) * 1000), f2(x.vsGenerator)]),
  );
  const sizeTable = table(
    ['file (dist/package)', 'raw', 'gzip -9'],
    [...r.sizes.rows.map((x) => [x.rel, kb(x.raw), kb(x.gz)]), ...r.sizes.variants.map((v) => [`.wasm, ${v.name} (for comparison, not shipped)`, kb(v.raw), kb(v.gz)])],
  );
  const startupTable = table(
    ['fresh Node process', 'import done', 'client constructed', 'first request leaves', 'first answer'],
    r.startup.rows.map((x) => [
      x.mode,
      x.imported !== undefined ? `${f1(x.imported)} ms` : '',
      x.constructed !== undefined ? `${f1(x.constructed)} ms` : '',
      `${f1(x.fetchCalled)} ms`,
      `${f1(x.answered)} ms`,
    ]),
  );
  const cs = r.createSink;
  return `# Benchmark results

Written by \`make bench\` (\`bench/run.mjs\`) on ${r.date}${r.quick ? ' — **quick run (BENCH_QUICK=1): small sizes, few rounds**' : ''}, from
[\`results.json\`](results.json) (every figure in the READMEs is generated from it too)${r.measured ? `; the code of commit
\`${r.measured.commit}\`${r.measured.uncommitted ? ' with uncommitted changes' : ''}, the wasm's SHA-256 \`${r.measured.wasmSha256.slice(0, 16)}…\`` : ''}.
Node ${r.node}, ${r.cpus} × ${r.cpuModel}, load average ${f1(r.load0)} at the start: the
cores are shared with other jobs, so absolute times move between runs; the ratios, taken
between variants run back to back in the same round and then the median over rounds, hold
better. The client is \`${r.entry}\` (Cargo.toml's release profile, \`wasm-opt -Oz\`).

## Summary

${summaryTable(r, d)}

## 1. createEvents throughput

${f0(cs.events)} events (~230 bytes of JSON each, one in three with \`end\` and \`batch\`), chunks of
${f0(cs.chunk)}, ${cs.concurrency} requests in flight, over HTTP to the emulator on the same machine.
JS-parallel: \`JSON.stringify\` of each chunk and \`fetch\`, ${cs.concurrency} in flight, no validation;
JS-parallel + plain-JS validation: the same after checking every event against the contract in
plain JS (\`bench/plain-validate.mjs\`, nothing sent if one is bad, as the client does);
SDK-style sequential: JS-parallel one chunk at a time (\`bench/baselines.mjs\`). The last
column is the time from the call until the first \`fetch\` call (the global \`fetch\` is
wrapped to note it): for the client, that is pass one, which validates every event before
any request leaves; it runs asynchronously (it yields to the event loop every 40 ms).

\`--sink\` emulator (checks and answers, stores nothing), median of ${cs.rounds} rounds:

${createTable(cs)}

SQLite emulator (file database, collection deleted between runs), median of ${r.createDb.rounds} rounds:

${createTable(r.createDb)}

## 2. CPU cost per event

${d.cpuInconsistent ? `**Ratios against JS-parallel + plain-JS validation not published: ${d.cpuInconsistent}.**\n\n` : ''}${f0(r.cpu.events)} events, windows/chunks of ${f0(r.cpu.chunk)}, ${r.cpu.perProcess ? 'CPU time of a Node process per variant (its own garbage collection included, none of another\'s), rounds interleaved' : 'process CPU time, all variants in one process'}, median of ${r.cpu.rounds} rounds (ratios in the
summary: median of the per-round ratios); \`fetch\` is a stub that builds the \`Request\` and reads its
body (as a real fetch does when it sends it: a string body is encoded then) and answers 201
with ${f0(r.cpu.chunk)} ids. "pass one" is createEvents
given the same events plus one bad event at the end: it validates everything, then rejects;
"plain-JS validation" is the plain-JS validator (\`bench/plain-validate.mjs\`) over that same
input. The phases use the \`crossing-bench\` build (same validator). The client's own work is
pass one, which also frames the validated bytes into the request bodies that pass two sends
as they are: ${f2(d.ownRatio)}× \`JSON.stringify\`. The rest of
the path (the \`Request\` and the body's UTF-8, the \`Response\`, \`JSON.parse\` of the ids) every
client pays (this part moves most between runs: some rounds include a major GC,
some not).

${cpuTable}

How a chunk of JS events gets into wasm (\`bench/crossing.mjs\`, its own events and sizes):

${crossingTable}

## 3. queryAll

${f0(r.query.events)} events in a SQLite emulator, pages of ${f0(r.query.pageSize)}, query \`${JSON.stringify(r.query.query)}\` (the emulator's
cheapest: the figure is the clients', not SQLite's), every event visited, median of ${r.query.rounds} rounds; ratios are
medians of the rounds' ratios (higher: faster than the plain reader). The plain readers ask for the answers the
client asks for, plain on loopback, except the row that says gzipped answers, which the client given
\`compression: 'gzip'\` is held against.

${queryTable}

The same over the emulated link of section 7 (\`bench/link.mjs\`), median of ${r.query.link.rounds} rounds; both readers get
gzipped answers, as \`compression: 'auto'\` asks for them off loopback:

${queryLinkTable}

## 4. Peak memory

One fresh \`node --expose-gc\` process per line, against a \`--sink\` emulator, createEvents with
chunks of ${f0(r.memory.chunk)} and concurrency ${r.memory.concurrency}. "hold" only builds the array; "hold + ids" also holds
as many ids as the emulator returns (every client returns them: they grow with the input
by design). The plain lines run as a user's process does; the "gc() per chunk" lines force a
full GC after each chunk, so that their peak is the live working set. Sampled every 5 ms
during the upload: the peak of the V8 heap in use and of external memory (ArrayBuffers:
request bodies in flight); wasm memory is the client's linear memory at the end (it grows,
never shrinks); major GCs are the mark-compacts during the upload.

Without forced GC, the client's peak above "hold + ids" is ${mb(d.mem.client.small)} at ${f0(d.mem.nSmall)} events and ${mb(d.mem.client.big)} at
${f0(d.mem.nBig)} (JS-parallel: ${mb(d.mem.parallel.small)} and ${mb(d.mem.parallel.big)}); with a full GC after each chunk, ${mb(d.mem.clientGc.small)} and ${mb(d.mem.clientGc.big)}
(JS-parallel: ${mb(d.mem.parallelGc.small)} and ${mb(d.mem.parallelGc.big)}). Where the plain lines go beyond the gc() lines is
garbage V8 has not collected yet. In the V8 heap, V8 runs a full GC when the old generation
reaches a limit set from the live heap after the last one, which the caller's array
dominates, so a bigger input lets more heap garbage pile up: JS-parallel's string bodies,
alive while in flight and so promoted to the old generation, show in its "peak V8 heap used"
(${mb(d.mem.parallelParts.heapSmall)} then ${mb(d.mem.parallelParts.heapBig)} above "hold + ids"; the client: ${mb(d.mem.clientParts.heapSmall)} then ${mb(d.mem.clientParts.heapBig)}). The client sends
each body as bytes, external memory ("peak external"), which V8 collects once it has grown by
a fixed soft limit (64 MB in V8) since the last full GC, whatever the size of the heap.

${memTable(r)}

## 5. Size and start

${sizeTable}

${startupTable}

(median of ${r.startup.runs} processes each, ms from just before \`await import('${r.startup.entry}')\`. Node loads its
\`fetch\` implementation, undici, on first use, which both pay: the plain script inside its first
\`fetch\` call, the client when it builds its first \`Request\`, before calling \`fetch\`. So compare
the first answers.)

## 6. Emulator ingest into SQLite

\`cargo bench -p events-emulator --profile emulator --bench ingest\`: ${r.ingest.what}.
Median **${f0(r.ingest.median)} events/s** over ${r.ingest.runs.length} runs (${r.ingest.runs.map(f0).join(', ')}).
For comparison, the client's createEvents into the SQLite emulator above: ${f0((r.createDb.events / d.db.ms) * 1000)} events/s.
${networkSection(r)}${ndjsonSection(r)}`;
}
