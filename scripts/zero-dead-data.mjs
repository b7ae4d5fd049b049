// Part of `scripts/optimize-wasm.sh` (`make pack`, `make size-profile`): after
// wasm-opt, zeroes data that only code wasm-opt dropped used. wasm-opt drops dead code
// but never data, so what only the pruned table entries' code used
// (prune-wasm-table.mjs) stays in the file:
// - `core::fmt`'s table of decimal digit pairs ("00" to "99", 200 bytes), used only by
//   `u32`'s `Display` (pruned);
// - js-sys' JSPI task code's panic locations (16 bytes each) and its source path (93
//   bytes), kept only through the wakers (pruned; wasm-bindgen deletes the rest).
// Zeroed in place, byte for byte (a binaryen round trip of the whole module costs more
// than it saves); the memory's size and every other byte stay.
//   node scripts/zero-dead-data.mjs <wasm>
//
// Proof on the module, for each kind, else it is kept: its bytes are in active data
// segments; no `i32.const` (code, globals) and no memory access's `offset=` holds an
// address from 64 bytes below them to their end (a pointer folded a little below its
// base, as `&LUT[i - k]` may be); no 4 bytes of the data (at any alignment: a pointer
// in a static) point into them, except a dead location's pointer to its dead path.
// Code reaches memory only from such numbers (the glue reads it only at addresses
// the wasm gives it).
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

const path = process.argv[2];
if (!path) {
  console.error('usage: node scripts/zero-dead-data.mjs <wasm>');
  process.exit(2);
}
const say = (msg) => console.error(`[zero-dead-data] ${msg}`);

const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));
const JSPI_PATH = /\/js-sys-[^/]+\/src\/futures\/jspi\.rs$/;
const LOCATION = 16; // `core::panic::Location`: the file's pointer and length, line, column
const BELOW = 64;

const bytes = readFileSync(path);
const segments = dataSegments(bytes);
const module = binaryen.readBinary(bytes);
const text = module.emitText();
module.dispose();

/** The active data segments: address, bytes, and where the bytes are in the file. */
function dataSegments(file) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = file[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  const found = [];
  while (at < file.length) {
    const id = file[at++];
    const size = leb();
    const end = at + size;
    if (id === 11) {
      for (let n = leb(); n > 0; n--) {
        const flags = leb();
        if (flags === 2) leb(); // the memory's index
        let address = null;
        if (flags !== 1) {
          // The offset: `i32.const N end`, else not one we can read.
          if (file[at++] !== 0x41) throw new Error('a data segment whose offset is not an i32.const');
          const start = at;
          let value = 0;
          let shift = 0;
          let b;
          do {
            b = file[at++];
            value |= (b & 0x7f) << shift;
            shift += 7;
          } while (b >= 0x80);
          if (shift < 32 && b & 0x40) value |= -1 << shift;
          if (file[at++] !== 0x0b) throw new Error(`a data segment's offset at ${start} is not a constant`);
          address = value >>> 0;
        }
        const length = leb();
        if (address !== null) found.push({ address, fileAt: at, data: file.subarray(at, at + length) });
        at += length;
      }
    }
    at = end;
  }
  return found;
}

const numbers = [];
for (const line of text.split('\n')) {
  // The data segments' own offsets are `(data … (i32.const N)`: not a use.
  if (line.startsWith(' (data ')) continue;
  for (const [, n] of line.matchAll(/(?:i32\.const |offset=)(-?\d+)/g)) numbers.push(Number(n) >>> 0);
}
const words = [];
for (const s of segments) {
  for (let i = 0; i + 4 <= s.data.length; i++) words.push({ at: s.address + i, value: s.data.readUInt32LE(i) });
}
const codeNames = (start, end) => numbers.some((n) => n >= start - BELOW && n < end);
const dataNames = (start, end, allowed = new Set()) => words.some((w) => w.value >= start && w.value < end && !allowed.has(w.at));

/** Every address where `needle` is in the data. */
function addressesOf(needle) {
  const at = [];
  for (const s of segments) {
    for (let i = s.data.indexOf(needle); i >= 0; i = s.data.indexOf(needle, i + 1)) at.push(s.address + i);
  }
  return at;
}

/** `[start, end)` ranges of the digit-pair table, or why it is kept. */
function digitPairs() {
  const found = addressesOf(DIGIT_PAIRS);
  if (found.length !== 1) return found.length === 0 ? 'not in the data' : 'in the data more than once';
  const [start] = found;
  const end = start + DIGIT_PAIRS.length;
  if (codeNames(start, end)) return 'code names it';
  if (dataNames(start, end)) return 'a word of the data points into it';
  return [[start, end]];
}

/** The bytes at `address` (within one segment), or null. */
function read(address, length) {
  const s = segments.find((s) => address >= s.address && address + length <= s.address + s.data.length);
  return s ? s.data.subarray(address - s.address, address - s.address + length) : null;
}

/** The ranges of JSPI's panic locations and their path, or why they are kept. */
function jspiLocations() {
  // A location: a word pointing at the path, then the path's length.
  const locations = words.filter((w) => {
    const length = read(w.at + 4, 4)?.readUInt32LE(0);
    const file = length > 0 && length < 4096 ? read(w.value, length) : null;
    return file !== null && JSPI_PATH.test(file.toString('latin1'));
  });
  if (locations.length === 0) return 'not in the data';
  const file = locations[0].value;
  const length = read(locations[0].at + 4, 4).readUInt32LE(0);
  if (locations.some((l) => l.value !== file || l.at % 4 !== 0)) return 'two paths, or a location out of line';
  const ranges = [[file, file + length]];
  for (const l of locations) ranges.push([l.at, l.at + LOCATION]);
  if (ranges.some(([start, end]) => codeNames(start, end))) return 'code names them';
  const pointers = new Set(locations.map((l) => l.at));
  if (dataNames(file, file + length, pointers)) return 'another word of the data points at the path';
  if (locations.some((l) => dataNames(l.at, l.at + LOCATION))) return 'a word of the data points at a location';
  return ranges;
}

let zeroed = 0;
for (const [what, find] of [
  ["core::fmt's digit-pair table", digitPairs],
  ["js-sys' JSPI panic locations and path", jspiLocations],
]) {
  const ranges = find();
  if (typeof ranges === 'string') {
    say(`kept ${what}: ${ranges}`);
    continue;
  }
  let n = 0;
  for (const [start, end] of ranges) {
    const s = segments.find((s) => start >= s.address && end <= s.address + s.data.length);
    bytes.fill(0, s.fileAt + start - s.address, s.fileAt + end - s.address);
    n += end - start;
  }
  say(`zeroed ${what} (${n} bytes): nothing names them`);
  zeroed += n;
}
if (zeroed > 0) writeFileSync(path, bytes);
