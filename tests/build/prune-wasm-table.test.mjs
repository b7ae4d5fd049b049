// scripts/prune-wasm-table.mjs on small modules made here with binaryen.js, named as
// rustc and wasm-bindgen name their functions: each rule prunes only what it proves
// dead, keeps the rest, and the table keeps its entries' indices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import binaryen from 'binaryen';

const SCRIPT = new URL('../../scripts/prune-wasm-table.mjs', import.meta.url).pathname;
const run = promisify(execFile);

// Functions named as rustc names them, in its two manglings: legacy, a path ending in
// `::h<hash>` (Rust 1.95), and v0, a `[hash]` after each crate and a generic function's
// arguments spelled out (the Rust of rust-toolchain.toml). The script goes by the names
// without their hashes.
const WB = 'wasm_bindgen[8a2f4a960b1d4c1]';
const CORE = 'core[37ee0ce0c4cd57d5]';
const MANGLINGS = {
  legacy: {
    INVOKE: 'wasm_bindgen::convert::closures::_::invoke::h0a4ae84c66d9b6f3',
    OTHER_INVOKE: 'wasm_bindgen::convert::closures::_::invoke::h445a4a229001492a',
    CLOSURE: 'genomcore_events_wasm::wasm::abort::linked::{{closure}}::h241d2cc79336e622',
    U32_DISPLAY: '<u32 as core[c5930c85a12de822]::fmt::Display>::fmt',
    BORROW_DISPLAY: '<core[c5930c85a12de822]::cell::BorrowError as core[c5930c85a12de822]::fmt::Display>::fmt',
    PAD: '<core[c5930c85a12de822]::fmt::Formatter>::pad_integral',
    PANIC_FMT: 'core[c5930c85a12de822]::panicking::panic_fmt',
    HANDLER: '__rustc[b7974e8690430dd9]::rust_begin_unwind',
    WAKERS: ['raw_clone::haa3946bd30f0cc0e', 'raw_wake::h882cc69764730de9', 'raw_wake_by_ref::h7ce51d4fd4836a5f', 'raw_drop::h911d42c3752122cd']
      .map((f) => `js_sys::futures::jspi::task_waker::${f}`),
    MAKES_WAKER: 'js_sys::futures::jspi::SpawnedTask::waker::h0123456789abcdef',
    // Kept: an item nested inside `invoke`, and one of our closures' shims.
    NESTED: 'wasm_bindgen::convert::closures::_::invoke::helper::h5a5a5a5a5a5a5a5a',
    OUR_SHIM: '<genomcore_events_wasm::wasm::abort::linked::{{closure}} as core::ops::function::FnOnce<(wasm_bindgen::JsValue,)>>::call_once{{vtable.shim}}::h6b6b6b6b6b6b6b6b',
    FORMATTERS: [
      'core[c5930c85a12de822]::fmt::write',
      'alloc::fmt::format::format_inner::h1f2e3d4c5b6a7988',
      '<alloc::string::String as core[c5930c85a12de822]::fmt::Write>::write_str::h1f2e3d4c5b6a7988',
      '<dyn core::fmt::Display as alloc::string::ToString>::to_string::h1f2e3d4c5b6a7988',
      // No `fmt` in the name: `to_string` makes its own Formatter.
      '<genomcore_events_core::args::ArgError as alloc::string::ToString>::to_string::h1f2e3d4c5b6a7988',
    ],
  },
  v0: {
    INVOKE: `${WB}::convert::closures::_::invoke::<${WB}::JsValue, ${CORE}::result::Result<(), ${WB}::JsError>, true>`,
    OTHER_INVOKE: `${WB}::convert::closures::_::invoke::<${WB}::JsValue, u32, js_sys[6e16d43a0dd3685e]::Array, alloc[42d2b33bd937efdb]::vec::Vec<${WB}::JsValue>, true>`,
    CLOSURE: 'genomcore_events_wasm[bfb8dd7c7a21c09f]::wasm::abort::linked::{closure#1}',
    U32_DISPLAY: `<u32 as ${CORE}::fmt::Display>::fmt`,
    BORROW_DISPLAY: `<${CORE}::cell::BorrowError as ${CORE}::fmt::Display>::fmt`,
    PAD: `<${CORE}::fmt::Formatter>::pad_integral`,
    PANIC_FMT: `${CORE}::panicking::panic_fmt`,
    HANDLER: '__rustc[5224e6b81cd82a8f]::rust_begin_unwind',
    WAKERS: ['raw_clone', 'raw_wake', 'raw_wake_by_ref', 'raw_drop'].map((f) => `js_sys[6e16d43a0dd3685e]::futures::jspi::task_waker::${f}`),
    MAKES_WAKER: 'js_sys[6e16d43a0dd3685e]::futures::jspi::SpawnedTask::waker',
    NESTED: `${WB}::convert::closures::_::invoke::<${WB}::JsValue, true>::helper::<u32>`,
    OUR_SHIM: `<genomcore_events_wasm[bfb8dd7c7a21c09f]::wasm::abort::linked::{closure#1} as ${CORE}::ops::function::FnOnce<(${WB}::JsValue,)>>::call_once::{shim:vtable#0}`,
    FORMATTERS: [
      `${CORE}::fmt::write`,
      'alloc[42d2b33bd937efdb]::fmt::format::format_inner',
      `<alloc[42d2b33bd937efdb]::string::String as ${CORE}::fmt::Write>::write_str`,
      `<dyn ${CORE}::fmt::Display as alloc[42d2b33bd937efdb]::string::ToString>::to_string`,
      '<genomcore_events_core[0b1c2d3e4f5a6b7c]::args::ArgError as alloc[42d2b33bd937efdb]::string::ToString>::to_string',
    ],
  },
};
for (const names of Object.values(MANGLINGS)) {
  names.TABLE = [names.INVOKE, names.CLOSURE, names.OTHER_INVOKE, names.U32_DISPLAY, names.BORROW_DISPLAY, ...names.WAKERS, names.NESTED, names.OUR_SHIM];
  names.KEPT = [names.NESTED, names.OUR_SHIM];
  names.PRUNED_WAKERS = names.WAKERS.map(() => 'pruned');
}
// The wakers' RawWakerVTable: their table indices (the segment is at offset 1), in a row.
const VTABLE = 1024;

/** A module shaped like wasm-bindgen's output: a function table at offset 1, names. */
function build(names, { extra = [], handlerBody = 'unreachable', exportTable = false, importTable = false, readEntry = false, waker = 'unmade' } = {}) {
  const { INVOKE, OTHER_INVOKE, CLOSURE, U32_DISPLAY, BORROW_DISPLAY, PAD, PANIC_FMT, HANDLER, WAKERS, MAKES_WAKER, TABLE } = names;
  const VTABLE_WORDS = WAKERS.map((name) => TABLE.indexOf(name) + 1);
  const m = new binaryen.Module();
  m.setFeatures(binaryen.Features.ReferenceTypes); // as rustc's output has (table.get needs it)
  const ii = binaryen.createType([binaryen.i32, binaryen.i32]);
  const body = () => m.i32.const(0);
  for (const name of [INVOKE, OTHER_INVOKE, CLOSURE, U32_DISPLAY, BORROW_DISPLAY, PAD, PANIC_FMT, ...names.KEPT, ...extra]) {
    m.addFunction(name, ii, binaryen.i32, [], body());
  }
  // raw_clone names the vtable (a waker cloning itself); `waker: 'made'` adds JSPI code
  // that makes a waker, `'slot'` code reading a slot of it at its fixed address
  // (`offset=`), `'stored'` a static holding the vtable's address, `'unaligned'` a packed
  // static holding a pointer into it, `'twice'` a second copy of the vtable.
  for (const name of WAKERS) m.addFunction(name, ii, binaryen.i32, [], name === WAKERS[0] ? m.i32.const(VTABLE) : body());
  if (waker === 'made') {
    m.addFunction(MAKES_WAKER, ii, binaryen.i32, [], m.i32.const(VTABLE));
    m.addFunctionExport(MAKES_WAKER, 'spawn');
  }
  const words = (values) => new Uint8Array(new Uint32Array(values).buffer);
  m.setMemory(1, 1, null, [
    { offset: m.i32.const(VTABLE), data: words(VTABLE_WORDS), passive: false },
    ...(waker === 'stored' ? [{ offset: m.i32.const(2048), data: words([VTABLE]), passive: false }] : []),
    ...(waker === 'unaligned' ? [{ offset: m.i32.const(2049), data: words([VTABLE + 8]), passive: false }] : []),
    // A second copy of the vtable: which one code uses cannot be told by one address.
    ...(waker === 'twice' ? [{ offset: m.i32.const(3072), data: words(VTABLE_WORDS), passive: false }] : []),
  ]);
  // After the memory: a load names the module's memory when it is made.
  if (waker === 'slot') {
    m.addFunction('wake_through_slot', ii, binaryen.i32, [], m.i32.load(VTABLE + 4, 4, m.i32.const(0)));
    m.addFunctionExport('wake_through_slot', 'slot');
  }
  m.addFunction(HANDLER, binaryen.i32, binaryen.none, [],
    handlerBody === 'unreachable' ? m.unreachable() : m.drop(m.call(PAD, [m.i32.const(0), m.i32.const(0)], binaryen.i32)));
  m.addTable('table', TABLE.length + 1, TABLE.length + 1);
  if (importTable) m.addTableImport('table', 'env', 'table');
  m.addActiveElementSegment('table', 'elem', TABLE, m.i32.const(1));
  // The glue calls an invoke shim as an export; a call_indirect keeps the table used.
  m.addFunctionExport(INVOKE, 'invoke');
  m.addFunction('call_through_table', binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32]), binaryen.i32, [],
    m.call_indirect('table', m.local.get(2, binaryen.i32), [m.local.get(0, binaryen.i32), m.local.get(1, binaryen.i32)], ii, binaryen.i32));
  m.addFunctionExport('call_through_table', 'call');
  if (exportTable) m.addTableExport('table', 'table');
  if (readEntry) {
    // An entry read as a funcref value: it could be called without call_indirect.
    m.addFunction('read_entry', binaryen.none, binaryen.none, [], m.drop(m.table.get('table', m.i32.const(1), binaryen.funcref)));
    m.addFunctionExport('read_entry', 'read');
  }
  assert.ok(m.validate(), 'the test module is valid');
  binaryen.setDebugInfo(true); // the name section, as wasm-bindgen's output has
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** Runs the script on a module; returns the table's entries after it and what it said. */
async function prune(names, bytes) {
  const { TABLE } = names;
  const dir = mkdtempSync(join(tmpdir(), 'prune-test-'));
  try {
    writeFileSync(join(dir, 'in.wasm'), bytes);
    const { stderr } = await run(process.execPath, [SCRIPT, join(dir, 'in.wasm'), join(dir, 'out.wasm')]);
    const m = binaryen.readBinary(readFileSync(join(dir, 'out.wasm')));
    m.setFeatures(binaryen.Features.ReferenceTypes); // the module has no features section
    assert.ok(m.validate(), 'the pruned module is valid');
    assert.equal(m.getNumElementSegments(), 1);
    const segment = binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(0));
    assert.equal(binaryen.getExpressionInfo(segment.offset).value, 1, 'the segment keeps its offset');
    const stub = segment.data.find((name) => !TABLE.includes(name));
    if (stub) {
      assert.equal(binaryen.getExpressionId(binaryen.getFunctionInfo(m.getFunction(stub)).body), binaryen.UnreachableId,
        'a pruned entry traps');
    }
    const exported = binaryen.getExportInfo(m.getExport('invoke')).value;
    m.dispose();
    return { entries: segment.data.map((name) => (TABLE.includes(name) ? name : 'pruned')), exported, said: stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [mangling, names] of Object.entries(MANGLINGS)) {
  const { INVOKE, CLOSURE, U32_DISPLAY, BORROW_DISPLAY, WAKERS, TABLE, PRUNED_WAKERS, FORMATTERS, KEPT } = names;

  test(`${mangling} names: invoke shims and, when nothing formats, core::fmt impls are pruned; the rest keeps its place`, async () => {
    const { entries, exported, said } = await prune(names, build(names));
    assert.deepEqual(entries, ['pruned', CLOSURE, 'pruned', 'pruned', 'pruned', ...PRUNED_WAKERS, ...KEPT]);
    assert.equal(exported, INVOKE, 'an invoke shim the glue calls stays exported');
    assert.match(said, /8 of 11 table entries pruned \(2 closure invoke shims, 2 core::fmt impls, 4 JSPI task wakers\)/);
  });

  test(`${mangling} names: core::fmt impls are kept when something may format`, async () => {
    for (const formatter of FORMATTERS) {
      const { entries, said } = await prune(names, build(names, { extra: [formatter] }));
      assert.deepEqual(entries, ['pruned', CLOSURE, 'pruned', U32_DISPLAY, BORROW_DISPLAY, ...PRUNED_WAKERS, ...KEPT], formatter);
      assert.match(said, /kept the core::fmt impls: .* may format/);
    }
  });

  test(`${mangling} names: core::fmt impls are kept when the panic handler may format the message`, async () => {
    const { entries, said } = await prune(names, build(names, { handlerBody: 'formats' }));
    assert.deepEqual(entries, ['pruned', CLOSURE, 'pruned', U32_DISPLAY, BORROW_DISPLAY, ...PRUNED_WAKERS, ...KEPT]);
    assert.match(said, /the panic handler is not a lone unreachable/);
  });

  test(`${mangling} names: nothing is pruned from a table JS can reach or whose entries the wasm reads`, async () => {
    for (const how of [{ exportTable: true }, { importTable: true }, { readEntry: true }]) {
      const { entries, said } = await prune(names, build(names, how));
      assert.deepEqual(entries, TABLE, JSON.stringify(how));
      assert.match(said, /0 of 11 table entries pruned/);
    }
  });

  test(`${mangling} names: the JSPI task wakers are kept when code or data may make a waker`, async () => {
    for (const waker of ['made', 'slot', 'stored', 'unaligned', 'twice']) {
      const { entries } = await prune(names, build(names, { waker }));
      assert.deepEqual(entries, ['pruned', CLOSURE, 'pruned', 'pruned', 'pruned', ...WAKERS, ...KEPT], waker);
    }
  });
}
