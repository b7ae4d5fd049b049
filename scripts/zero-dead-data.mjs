// Part of `scripts/optimize-wasm.sh` (`make pack`, `make size-profile`): after
// wasm-opt, zeroes `core::fmt`'s table of decimal digit pairs ("00" to "99", 200 bytes)
// when no code or data names it any longer. The function table's pruning
// (prune-wasm-table.mjs) lets wasm-opt drop `u32`'s `Display`, the table's only user,
// but wasm-opt never drops data: the 200 bytes stayed, ~180 B of the gzipped wasm.
// Zeroed in place, byte for byte (a binaryen round trip of the whole module costs more
// than it saves); the memory's size and every other byte stay.
//   node scripts/zero-dead-data.mjs <wasm>
//
// Proof on the module, else nothing is changed: the table is in exactly one active
// data segment, once; no `i32.const` (code, globals), no memory access's `offset=` and
// no 4 bytes of the data (at any alignment: a pointer in a static) hold an address from
// 64 bytes before the table to its end (a pointer folded a little below its base, as
// `&LUT[i - k]` may be). Code reaches memory only from such numbers (the glue reads it
// only at addresses the wasm gives it).
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

const path = process.argv[2];
if (!path) {
  console.error('usage: node scripts/zero-dead-data.mjs <wasm>');
  process.exit(2);
}
const say = (msg) => console.error(`[zero-dead-data] ${msg}`);

const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));
const BELOW = 64;

const bytes = readFileSync(path);
const module = binaryen.readBinary(bytes);
const segments = [];
for (let i = 0; i < module.getNumDataSegments(); i++) {
  const info = module.getDataSegmentInfo(module.getDataSegmentByIndex(i));
  segments.push({ passive: info.passive, offset: info.offset, data: Buffer.from(info.data) });
}
const text = module.emitText();
module.dispose();

/** Every copy of `needle` in `haystack`, by index. */
function copies(haystack, needle) {
  const at = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) at.push(i);
  return at;
}

/** Why the table cannot be zeroed, or '' when it can. */
function refusal() {
  const found = segments.flatMap((s) => copies(s.data, DIGIT_PAIRS).map((i) => ({ s, i })));
  if (found.length === 0) return 'no digit-pair table in the data';
  if (found.length > 1 || found[0].s.passive) return 'the digit-pair table is not in one active segment once';
  const start = found[0].s.offset + found[0].i;
  const end = start + DIGIT_PAIRS.length;
  const names = (n) => n >= start - BELOW && n < end;
  // The data segments' own offsets are `(data … (i32.const N)`: not a use.
  const code = text.split('\n').filter((line) => !line.startsWith(' (data '));
  for (const line of code) {
    for (const [, n] of line.matchAll(/(?:i32\.const |offset=)(-?\d+)/g)) {
      if (names(Number(n) >>> 0)) return `code names ${n}`;
    }
  }
  for (const s of segments) {
    for (let i = 0; i + 4 <= s.data.length; i++) {
      if (names(s.data.readUInt32LE(i))) return 'a word of the data points at it';
    }
  }
  if (copies(bytes, DIGIT_PAIRS).length !== 1) return 'the file holds those bytes more than once';
  return '';
}

const why = refusal();
if (why === '') {
  bytes.fill(0, bytes.indexOf(DIGIT_PAIRS), bytes.indexOf(DIGIT_PAIRS) + DIGIT_PAIRS.length);
  writeFileSync(path, bytes);
  say(`zeroed core::fmt's digit-pair table (${DIGIT_PAIRS.length} bytes): nothing names it`);
} else {
  say(`kept the data as it is: ${why}`);
}
