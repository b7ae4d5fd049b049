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
if (!readFileSync(path.join(ROOT, 'README.md'), 'utf8').includes('<!-- bench:summary:start -->')) {
  stale.push('README.md: no generated summary block (<!-- bench:summary:start -->)');
}
if (stale.length) {
  console.error(`check-readme: ${stale.length} file(s) differ from what ${RESULTS_JSON} generates:\n${stale.join('\n')}\n` +
    `(a figure edited by hand? run \`make bench\`, or \`node bench/check-readme.mjs --write\` after changing the text generator)`);
  process.exit(1);
}
console.log(`check-readme: ${write ? 'wrote' : 'checked'} ${RESULTS_MD} and ${count} generated blocks against ${RESULTS_JSON}`);
