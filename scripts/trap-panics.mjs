// Part of `scripts/optimize-wasm.sh` (`make pack`, `make size-profile`): before
// wasm-opt, makes each of Rust's panic entry points (`panic_fmt`, a slice's index
// failure, `capacity_overflow`, ...) trap at once, as a build of std with the
// `panic_immediate_abort` feature does (a nightly-only flag: we build on stable).
// Needs wasm-bindgen's output with its name section (the rule goes by names).
//   node scripts/trap-panics.mjs <in.wasm> <out.wasm>
//
// Why: our panic handler is a lone `unreachable` (src/lib.rs), so a panic already
// traps, but only after the entry point has written its message's pieces and the
// caller's `Location` to the stack for a handler that never reads them. wasm-opt
// keeps those writes (memory stays visible after a trap), and with them the messages,
// the locations and the source paths in the data, and each call site's arguments.
// With the entry points trapping first, wasm-opt inlines them and drops it all; the
// data nothing names any more is zeroed after (scripts/zero-dead-data.mjs). Measured
// with `make pack` (docs/size.md step 63).
//
// What a user sees does not change: a panic is a bug, and it traps either way, with
// the same `RuntimeError: unreachable` and no message.
//
// A function is made to trap only by a rule proven on the module, else it is kept:
// - its name is one of core's and alloc's panic entry points (below), which Rust
//   declares `-> !`: they never return;
// - it calls nothing but other such entry points and the panic handler, whose body
//   is a lone `unreachable`, and does nothing else but read, write memory and move
//   the stack pointer before the trap (no other global, table or memory change, no
//   call through a table, no throw): so the writes to memory that a trap
//   leaves behind are all it skips (no import, no JS, no allocation).
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { trappingPanicHandler, unhashed } from './wasm-names.mjs';

const [inPath, outPath] = process.argv.slice(2);
if (!inPath || !outPath) {
  console.error('usage: node scripts/trap-panics.mjs <in.wasm> <out.wasm>');
  process.exit(2);
}
const say = (msg) => console.error(`[trap-panics] ${msg}`);

const ENTRY_POINT = new RegExp(
  '^(' +
    [
      'core::panicking::[a-z_:]+', // panic_fmt, panic_nounwind_fmt, panic_const::*, panic_bounds_check, assert_failed...
      'core::slice::index::slice_[a-z_]*fail',
      'core::str::slice_error_fail(_rt)?',
      'core::cell::panic_already_(mutably_)?borrowed',
      'core::option::(unwrap|expect)_failed',
      'core::result::unwrap_failed',
      'alloc::raw_vec::(handle_error|capacity_overflow)',
      'alloc::alloc::handle_alloc_error(::rt_error)?',
      '__rustc::__r(ust|dl)_alloc_error_handler',
      '__rustc::__rdl_oom',
      '<alloc::vec::Vec<_, _>>::[a-z_]+::assert_failed',
    ].join('|') +
    ')$',
);

const module = binaryen.readBinary(readFileSync(inPath));
const functions = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
  if (info.module === '') functions.push(info);
}
const handler = trappingPanicHandler(module, functions.map((f) => f.name));
const handlerTraps = handler !== undefined;

/** The functions a function's body calls directly (binaryen's text, `(call $name`),
 * and whether it does anything but those calls, reads, writes to memory and the stack
 * pointer's moves before its trap: any other global set, a table or memory change, a
 * call through a table or reference, a `throw`. (A `return` may follow a call to
 * another entry point: never reached, as Rust's `-> !` says.) */
function callees(info) {
  const text = binaryen.emitText(info.body);
  const names = new Set();
  for (const [, quoted, plain] of text.matchAll(/\(call \$(?:"((?:[^"\\]|\\.)*)"|([^\s()]+))/g)) {
    names.add(quoted === undefined ? plain : JSON.parse(`"${quoted}"`));
  }
  const otherEffects =
    /\((call_indirect|call_ref|return_call|throw|rethrow|memory\.(grow|init|fill|copy)|table\.|data\.drop|global\.set \$(?!__stack_pointer\b))/.test(text);
  return { names, otherEffects };
}

// The entry points whose calls are all to entry points or the handler: found by
// dropping, until none is left to drop, each that calls anything else.
let entryPoints = new Map(functions.filter((f) => ENTRY_POINT.test(unhashed(f.name))).map((f) => [f.name, f]));
const calls = new Map([...entryPoints.values()].map((f) => [f.name, callees(f)]));
for (let dropped = true; dropped; ) {
  dropped = false;
  for (const [name] of entryPoints) {
    const { names, otherEffects } = calls.get(name);
    const allowed = (callee) => entryPoints.has(callee) || callee === handler;
    if (otherEffects || ![...names].every(allowed)) {
      entryPoints.delete(name);
      dropped = true;
    }
  }
}
if (!handlerTraps) entryPoints = new Map();

for (const info of entryPoints.values()) {
  // The same name, type and locals: only the body changes (callers are unchanged).
  module.removeFunction(info.name);
  module.addFunction(info.name, info.params, info.results, info.vars, module.unreachable());
}
say(
  handlerTraps
    ? `${entryPoints.size} panic entry points trap at once: ${[...entryPoints.keys()].map(unhashed).join(', ')}`
    : 'nothing changed: the panic handler is not a lone unreachable',
);
// With the name section: `make size-profile` keeps the names through wasm-opt (-g).
binaryen.setDebugInfo(true);
writeFileSync(outPath, module.emitBinary());
module.dispose();
