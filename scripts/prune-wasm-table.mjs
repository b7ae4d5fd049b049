// Part of `scripts/optimize-wasm.sh` (`make pack`, `make size-profile`): before
// wasm-opt, points the function table's entries that nothing can call at one function
// that traps, so that wasm-opt can drop the code only they kept. Needs wasm-bindgen's
// output with its name section (the rules below go by function names).
//   node scripts/prune-wasm-table.mjs <in.wasm> <out.wasm>
//
// Why: wasm-opt keeps every function in the table, because an index into it may be
// any number in memory. wasm-bindgen leaves entries there that no code will ever call
// through the table, and they keep `core::fmt`'s padding and integer printing, the
// closures' invoke shims and js-sys' JSPI task code alive. Measured with `make pack`
// (docs/size.md steps 50 and 52): 66,905 -> 65,644 B gzipped (the shims and
// `core::fmt`), then 65,433 -> 65,312 B (the JSPI wakers).
//
// An entry is pruned only by a rule proven on the module itself, else kept:
// - a closure's invoke shim (`wasm_bindgen::convert::closures::_::invoke::…`): its
//   index is in the table only for the closure's descriptor, which wasm-bindgen reads
//   at build time and deletes; the glue calls the shims it uses as exports, and no Rust
//   code calls one (a shim is JS's way into a closure). Proof: the table is not
//   exported nor imported, and the wasm reads no entry as a value (`table.get`, ...), so
//   only the wasm's `call_indirect`s reach an entry.
// - a `core::fmt` trait's `fmt` (`<u32 as core::fmt::Display>::fmt`, `RefCell`'s
//   borrow errors): only code that formats calls one through the table (`fmt::write`
//   over `fmt::Arguments`, `to_string` on a `dyn Display`). Proof: the only functions
//   that name `fmt` are such impls, `Formatter::pad` and `pad_integral` (which they
//   call) and `panic_fmt` (so no `<W as fmt::Write>::write_str` either, which a
//   `Formatter` given to an impl through the table would need, wherever LTO inlined
//   `fmt::write`), no function is a `to_string`, and the panic handler is a lone
//   `unreachable` (src/lib.rs), so a panic's message is never formatted. The messages
//   are made by `core::text`. A panic still stores such an entry's index; nothing
//   reads it.
// - js-sys' JSPI task wakers (`js_sys::futures::jspi::task_waker::raw_*`): a waker is
//   made from their `RawWakerVTable`, which is in the data as the four entries' indices
//   in a row; wasm-bindgen deleted the JSPI task code that makes one. Proof: no data
//   word (at any alignment) points into the vtable, and no code but `raw_clone`'s (a
//   waker cloning itself) names an address in it (`i32.const` or `offset=`).
// The table keeps its size and every other entry its index; a pruned entry traps if
// called (`unreachable`).
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { literal, trappingPanicHandler, unhashed } from './wasm-names.mjs';

const [inPath, outPath] = process.argv.slice(2);
if (!inPath || !outPath) {
  console.error('usage: node scripts/prune-wasm-table.mjs <in.wasm> <out.wasm>');
  process.exit(2);
}
const say = (msg) => console.error(`[prune-wasm-table] ${msg}`);

const module = binaryen.readBinary(readFileSync(inPath));
const functions = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  functions.push(binaryen.getFunctionInfo(module.getFunctionByIndex(i)).name);
}
const exportedTables = new Set();
for (let i = 0; i < module.getNumExports(); i++) {
  const info = binaryen.getExportInfo(module.getExportByIndex(i));
  if (info.kind === binaryen.ExternalTable) exportedTables.add(info.value);
}

// The rules go by names without their hashes (`unhashed`).
const INVOKE = 'wasm_bindgen::convert::closures::_::invoke';
/** `invoke` itself, or `invoke::<…>` with one balanced list of generic arguments and
 * nothing after it (not an item nested inside it, such as `invoke::<A>::helper`). */
function isInvoke(name) {
  if (name === INVOKE) return true;
  if (!name.startsWith(`${INVOKE}::<`) || !name.endsWith('>')) return false;
  let depth = 0;
  for (let i = INVOKE.length + 2; i < name.length; i++) {
    if (name[i] === '<') depth++;
    else if (name[i] === '>' && name[i - 1] !== '-' && --depth === 0 && i !== name.length - 1) return false;
  }
  return depth === 0;
}
const FMT_IMPL = /^<.+ as core::fmt::[A-Za-z]+>::fmt$/;
const FMT_HELPERS =
  /^(<core::fmt::Formatter>::(pad|pad_integral|pad_integral::write_prefix)|core::panicking::panic(_nounwind)?_fmt)$/;
const TO_STRING = /ToString>::to_string/;

const named = functions.some((name) => name.includes('::'));
const handlerTraps = trappingPanicHandler(module, functions) !== undefined;
const formatter = functions.map(unhashed).find(
  (name) => (name.includes('fmt') && !FMT_IMPL.test(name) && !FMT_HELPERS.test(name)) || TO_STRING.test(name),
);
const formats = !handlerTraps || formatter !== undefined;
const JSPI_WAKER = ['raw_clone', 'raw_wake', 'raw_wake_by_ref', 'raw_drop'].map(
  (f) => new RegExp(`^js_sys::futures::jspi::task_waker::${f}$`),
);

/** The data's 32-bit words, as [address, value] pairs: every `step` bytes (4: aligned). */
function dataWords(step) {
  const words = [];
  for (let i = 0; i < module.getNumDataSegments(); i++) {
    const info = module.getDataSegmentInfo(module.getDataSegmentByIndex(i));
    if (info.passive) continue;
    const bytes = Buffer.from(info.data);
    for (let at = step === 4 ? (4 - (info.offset % 4)) % 4 : 0; at + 4 <= bytes.length; at += step) {
      words.push([info.offset + at, bytes.readUInt32LE(at)]);
    }
  }
  return words;
}

/** Whether no code can make a JSPI task waker (see the rule above). */
function jspiWakersUnmade(segment, text) {
  const base = binaryen.getExpressionInfo(segment.offset).value;
  const indices = JSPI_WAKER.map((re) => segment.data.findIndex((name) => re.test(unhashed(name))));
  if (indices.some((i) => i < 0)) return false;
  const words = dataWords(4);
  const vtables = [];
  for (let w = 0; w + 3 < words.length; w++) {
    const run = words.slice(w, w + 4);
    if (run.every(([address, value], k) => value === base + indices[k] && address === run[0][0] + 4 * k)) vtables.push(run[0][0]);
  }
  if (vtables.length !== 1) return false;
  const [vtable] = vtables;
  const end = vtable + 4 * JSPI_WAKER.length;
  // Named: a pointer into the vtable in the data (at any alignment), or in code an
  // `i32.const` or a memory access's `offset=` into it (a slot read at a fixed address).
  // No slack below it, unlike scripts/zero-dead-data.mjs's for arrays: a vtable is
  // reached by its address, never indexed from below (the text before it is named).
  if (dataWords(1).some(([, value]) => value >= vtable && value < end)) return false;
  const names = (body) =>
    [...body.matchAll(/(?:i32\.const |offset=)(-?\d+)/g)].some(([, n]) => (Number(n) >>> 0) >= vtable && (Number(n) >>> 0) < end);
  return text
    .split('\n (func ')
    .slice(1)
    .filter(names)
    .every((body) => JSPI_WAKER[0].test(unhashed(textName(body))));
}

/** A function's name as binaryen's text prints it at the start of its body: `$name`, or
 * `$"name"` when the name has characters a text name cannot (v0 mangling's `[`, `<`, spaces). */
function textName(body) {
  const quoted = /^\$"((?:[^"\\]|\\.)*)"/.exec(body);
  return quoted ? quoted[1] : /^\$(\S+)/.exec(body)?.[1] ?? '';
}

const STUB = 'pruned_table_entry';
let total = 0;
const segments = [];
for (let i = 0; i < module.getNumElementSegments(); i++) {
  segments.push(binaryen.getElementSegmentInfo(module.getElementSegmentByIndex(i)));
}
for (const segment of segments) total += segment.data.length;
// One active segment of a table the outside cannot reach (JS may call an exported or
// imported table at any index; with several segments, their order would matter when
// rewritten), and that the wasm only calls through: an entry read as a `funcref`
// (`table.get`, `table.copy`, ...) could be called some other way.
const table = segments.length === 1 ? segments[0].table : '';
const hidden = table !== '' && !exportedTables.has(table) && binaryen.getTableInfo(module.getTable(table)).module === '';
const text = hidden ? module.emitText() : '';
const readsEntries = hidden && new RegExp(`\\(table\\.(get|set|copy|fill|grow|init) \\$${literal(table)}\\b`).test(text);
const prunable = named && hidden && !readsEntries;
const wakersUnmade = prunable && jspiWakersUnmade(segments[0], text);
const rules = [
  { what: 'closure invoke shims', test: (name) => isInvoke(unhashed(name)) },
  { what: 'core::fmt impls', test: (name) => FMT_IMPL.test(unhashed(name)) && !formats },
  { what: 'JSPI task wakers', test: (name) => wakersUnmade && JSPI_WAKER.some((re) => re.test(unhashed(name))) },
];
const counts = new Map(rules.map((r) => [r.what, 0]));
const rewritten = [];
for (const segment of prunable ? segments : []) {
  let changed = false;
  const data = segment.data.map((name) => {
    const rule = rules.find((r) => r.test(name));
    if (!rule) return name;
    counts.set(rule.what, counts.get(rule.what) + 1);
    changed = true;
    return STUB;
  });
  if (changed) rewritten.push({ segment, data });
}

if (rewritten.length > 0) {
  if (functions.includes(STUB)) throw new Error(`the module already has a function named ${STUB}`);
  module.addFunction(STUB, binaryen.none, binaryen.none, [], module.unreachable());
  for (const { segment, data } of rewritten) {
    // The offset expression is kept as it was: copied before its segment is removed.
    const offset = binaryen.getExpressionInfo(segment.offset);
    if (offset.id !== binaryen.ConstId) throw new Error(`element segment ${segment.name}: offset is not a constant`);
    module.removeElementSegment(segment.name);
    module.addActiveElementSegment(segment.table, segment.name, data, module.i32.const(offset.value));
  }
}
const pruned = [...counts.values()].reduce((a, b) => a + b, 0);
const detail = [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
say(`${pruned} of ${total} table entries pruned (${detail})`);
if (!named) say('nothing pruned: the module has no function names');
else if (!prunable) {
  say('nothing pruned: the table is exported or imported, its entries are read as values, or there is not exactly one element segment');
}
if (formats) {
  const why = handlerTraps ? `${formatter} may format` : 'the panic handler is not a lone unreachable';
  say(`kept the core::fmt impls: ${why}`);
}
// With the name section: `make size-profile` keeps the names through wasm-opt (-g).
binaryen.setDebugInfo(true);
writeFileSync(outPath, module.emitBinary());
module.dispose();
