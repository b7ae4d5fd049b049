// Part of `scripts/optimize-wasm.sh` (`make pack`, `make size-profile`): after
// wasm-opt, zeroes data that only code wasm-opt dropped used. wasm-opt drops dead code
// but never data, so what only the pruned table entries' code (prune-wasm-table.mjs)
// and the panic entry points' bodies (trap-panics.mjs) used stays in the file:
// - `core::fmt`'s table of decimal digit pairs ("00" to "99", 200 bytes), used only by
//   `u32`'s `Display` (pruned);
// - panic locations (16 bytes each: the caller's file, line and column) and their
//   source paths, passed to a panic entry point that now traps before reading them
//   (and js-sys' JSPI task code's, kept only through the pruned wakers);
// - core's and alloc's panic messages ("capacity overflow", ...), which only the
//   entry points' bodies named.
// Zeroed in place, byte for byte (a binaryen round trip of the whole module costs more
// than it saves); the memory's size and every other byte stay. Measured with `make
// pack`: 58,498 -> 57,986 B gzipped for the locations and messages (docs/size.md step 63).
//   node scripts/zero-dead-data.mjs <wasm>
//
// Proof on the module, for each kind, else it is kept: its bytes are in active data
// segments; no `i32.const` (code, globals) and no memory access's `offset=` holds an
// address from 64 bytes below them to their end (a pointer folded a little below its
// base, as `&LUT[i - k]` may be; not for a location, which is only reached by its
// address); no 4 bytes of the data (at any alignment: a pointer in a static) point
// into them, except a dead location's pointer to its dead path.
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
const SOURCE_PATH = /^[\x21-\x7e]+\.rs$/;
// The pieces of the messages of core's and alloc's panic entry points (their calls are
// gone since scripts/trap-panics.mjs makes them trap first).
const PANIC_MESSAGES = [
  'slice index starts at ',
  ' but ends at ',
  'range start index ',
  'range end index ',
  ' out of range for slice of length ',
  'memory allocation of ',
  ' bytes failed',
  'removal index (is ',
  ') should be < len (is ',
  'capacity overflow',
  'attempt to divide by zero',
  '`async fn` resumed after completion',
  'RefCell already mutably borrowed',
  'RefCell already borrowed',
];
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
  // An `i64.const` may hold a pointer in either half (a `&str` stored as one word).
  for (const [, n] of line.matchAll(/i64\.const (-?\d+)/g)) {
    const v = BigInt.asUintN(64, BigInt(n));
    numbers.push(Number(v & 0xffffffffn), Number(v >> 32n));
  }
}
// The data as memory holds it: the segments in one image, zeros between them (wasm-opt
// splits the data at runs of zeros), so that a word spanning two segments, or ending
// in the zeros between them, is read too.
const low = Math.min(...segments.map((s) => s.address));
const high = Math.max(...segments.map((s) => s.address + s.data.length));
const image = Buffer.alloc(segments.length > 0 ? high - low : 0);
for (const s of segments) s.data.copy(image, s.address - low);
const words = [];
for (let i = 0; i + 4 <= image.length; i++) words.push({ at: low + i, value: image.readUInt32LE(i) });
const codeNames = (start, end, below = BELOW) => numbers.some((n) => n >= start - below && n < end);
const dataNames = (start, end, allowed = new Set(), below = 0) =>
  words.some((w) => w.value >= start - below && w.value < end && !allowed.has(w.at));

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

/** The bytes at `address` in the data's image, or null outside it. */
function read(address, length) {
  return address >= low && address + length <= high ? image.subarray(address - low, address - low + length) : null;
}

/** The ranges of panic locations no code nor data names, and of the paths only they
 * pointed at, or why none is zeroed. A location (16 bytes): a word pointing at a
 * source path (`….rs`), the path's length, the line, the column. */
function panicLocations() {
  const locations = words.filter((w) => {
    if (w.at % 4 !== 0) return false;
    const fields = read(w.at + 4, 12);
    if (fields === null) return false;
    const [length, line, column] = [0, 4, 8].map((k) => fields.readUInt32LE(k));
    // A location's line and column count from 1.
    if (line < 1 || column < 1 || line > 1e6 || column > 1e4) return false;
    const file = length > 3 && length < 4096 ? read(w.value, length) : null;
    return file !== null && SOURCE_PATH.test(file.toString('latin1'));
  });
  if (locations.length === 0) return 'not in the data';
  // No slack below a location: it is reached by its address (a `&'static Location`),
  // never indexed from below (as the JSPI vtable in scripts/prune-wasm-table.mjs).
  const dead = locations.filter((l) => !codeNames(l.at, l.at + LOCATION, 0) && !dataNames(l.at, l.at + LOCATION));
  const deadAt = new Set(dead.map((l) => l.at));
  const ranges = dead.map((l) => [l.at, l.at + LOCATION]);
  const paths = new Map(locations.map((l) => [l.value, read(l.at + 4, 4).readUInt32LE(0)]));
  for (const [file, length] of paths) {
    // Dead when every word pointing into it is a dead location's, and no code names it.
    if (!codeNames(file, file + length) && !dataNames(file, file + length, deadAt)) ranges.push([file, file + length]);
  }
  return ranges.length > 0 ? ranges : 'code or data names every one';
}

/** The ranges of core's and alloc's panic messages no code nor data names, or why none
 * is zeroed. A message is zeroed only when nothing names an address from 64 bytes
 * below the run of printable text it is in to its end: so not when it is part of a
 * longer text that is named (one of ours that happens to hold " bytes failed"), and
 * not when its template (Rust 1.99 keeps a message's pieces in one: `\x16slice index
 * starts at \xc0\r but ends at …`) is named a few bytes below the piece. */
function panicMessages() {
  const ranges = [];
  const printable = (address) => {
    const b = read(address, 1);
    return b !== null && b[0] >= 0x20 && b[0] < 0x7f;
  };
  for (const message of PANIC_MESSAGES) {
    for (const start of addressesOf(Buffer.from(message))) {
      const end = start + message.length;
      let run = start;
      while (printable(run - 1)) run--;
      if (!codeNames(run, end) && !dataNames(run, end, new Set(), BELOW)) ranges.push([start, end]);
    }
  }
  return ranges.length > 0 ? ranges : 'not in the data, or named';
}

let zeroed = 0;
for (const [what, find] of [
  ["core::fmt's digit-pair table", digitPairs],
  ['panic locations and their paths', panicLocations],
  ["core's panic messages", panicMessages],
]) {
  const ranges = find();
  if (typeof ranges === 'string') {
    say(`kept ${what}: ${ranges}`);
    continue;
  }
  let n = 0;
  for (const [start, end] of ranges) {
    // A range may span segments that lie end to end: each one's part is zeroed.
    for (const s of segments) {
      const [from, to] = [Math.max(start, s.address), Math.min(end, s.address + s.data.length)];
      if (from >= to) continue;
      bytes.fill(0, s.fileAt + from - s.address, s.fileAt + to - s.address);
      n += to - from;
    }
  }
  say(`zeroed ${what} (${n} bytes): nothing names them`);
  zeroed += n;
}
if (zeroed > 0) writeFileSync(path, bytes);
