// `make test`: every generated block of the READMEs (`<!-- bench:NAME:start -->`) and
// bench/results.md are exactly what the committed bench/results.json generates
// (bench/report.mjs). Cheap: runs no benchmark. After editing bench/report.mjs or a
// README's text around a block, `node bench/check-readme.mjs --write` regenerates them
// from the same results.json; fresh figures need `make bench`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';
import { blocks, fillBlocks, GENERATED_FILES, RESULTS_JSON, RESULTS_MD, resultsMarkdown } from './report.mjs';

const write = process.argv.includes('--write');
const results = JSON.parse(readFileSync(path.join(ROOT, RESULTS_JSON), 'utf8'));
const gen = blocks(results);
const expected = [[RESULTS_MD, () => resultsMarkdown(results)]];
for (const file of GENERATED_FILES) {
  if (!existsSync(path.join(ROOT, file))) continue;
  expected.push([file, (before) => fillBlocks(before, file, gen).text]);
}

const stale = [];
if (results.quick) stale.push(`${RESULTS_JSON}: a quick run (BENCH_QUICK=1) is no published result: run \`make bench\``);
let count = 0;
for (const [file, make] of expected) {
  const full = path.join(ROOT, file);
  const before = existsSync(full) ? readFileSync(full, 'utf8') : '';
  const after = make(before);
  count += (before.match(/<!-- bench:[a-z-]+:start -->/g) ?? []).length;
  if (after === before) continue;
  if (write) writeFileSync(full, after);
  else {
    const a = before.split('\n');
    const b = after.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    stale.push(`${file}:${i + 1}: is\n    ${a[i] ?? '(end of file)'}\n  but ${RESULTS_JSON} generates\n    ${b[i] ?? '(end of file)'}`);
  }
}
// bench/README.md holds the main README's "Benchmarks" section (its links made relative
// to bench/): the same text, or it is stale (`--write` copies the README's).
{
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Benchmarks\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start + 1, end + 1).replaceAll('](bench/', '](');
  const benchFile = path.join(ROOT, 'bench/README.md');
  const bench = readFileSync(benchFile, 'utf8');
  const [head, copy, ...rest] = bench.split('\n---\n\n');
  if (start < 0 || rest.length === 0) stale.push('README.md or bench/README.md: no Benchmarks section between rules');
  else if (copy.trimEnd() !== section.trimEnd()) {
    if (write) writeFileSync(benchFile, [head, `${section.trimEnd()}\n`, ...rest].join('\n---\n\n'));
    else stale.push('bench/README.md: its copy of the README\'s Benchmarks section differs (`node bench/check-readme.mjs --write` copies it)');
  }
}

// Figures of other code than the package built now are said so (not an error: the code
// moves on between benchmark runs, which take the machine for ten minutes).
const wasm = path.join(ROOT, 'dist/package/web/genomcore_events_wasm_bg.wasm');
if (results.measured && existsSync(wasm)) {
  const { createHash } = await import('node:crypto');
  const now = createHash('sha256').update(readFileSync(wasm)).digest('hex');
  if (now !== results.measured.wasmSha256) {
    console.warn(`bench: ${RESULTS_JSON} measured commit ${results.measured.commit}; the wasm in dist/package has changed since (\`make bench\` measures it again)`);
  }
}
if (!readFileSync(path.join(ROOT, 'README.md'), 'utf8').includes('<!-- bench:summary:start -->')) {
  stale.push('README.md: no generated summary block (<!-- bench:summary:start -->)');
}
if (stale.length) {
  console.error(`check-readme: ${stale.length} file(s) differ from what ${RESULTS_JSON} generates:\n${stale.join('\n')}\n` +
    `(a figure edited by hand? run \`make bench\`, or \`node bench/check-readme.mjs --write\` after changing the text generator)`);
  process.exit(1);
}
console.log(`check-readme: ${write ? 'wrote' : 'checked'} ${RESULTS_MD} and ${count} generated blocks against ${RESULTS_JSON}`);
