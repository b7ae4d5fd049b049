// scripts/trap-panics.mjs on small modules made here with binaryen.js, named as rustc
// names its functions (v0 mangling): a panic entry point traps at once only when it
// calls nothing but entry points and a panic handler that is a lone `unreachable`; a
// call that panicked still traps, without the writes the entry point made before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import binaryen from 'binaryen';

const SCRIPT = new URL('../../scripts/trap-panics.mjs', import.meta.url).pathname;
const run = promisify(execFile);

const CORE = 'core[37ee0ce0c4cd57d5]';
const PANIC_FMT = `${CORE}::panicking::panic_fmt`;
// Legacy mangling (a hash at the end, a name binaryen's text leaves unquoted).
const SLICE_FAIL = 'core::slice::index::slice_index_fail::h0123456789abcdef';
const EXPECT = `${CORE}::option::expect_failed`; // calls SLICE_FAIL: traps at once too
const DISPLAY = `${CORE}::panicking::panic_display`; // calls JS: kept
const UNWRAP = `${CORE}::option::unwrap_failed`; // calls DISPLAY: kept
const PANIC_STR = `${CORE}::panicking::panic_str`; // sets a global of its own: kept
const OURS = 'genomcore_events_wasm[bfb8dd7c7a21c09f]::wasm::upload::panic_fmt'; // not core's
const HANDLER = '__rustc[5224e6b81cd82a8f]::rust_begin_unwind';
const ENTRY_POINTS = [PANIC_FMT, SLICE_FAIL, EXPECT, DISPLAY, UNWRAP, PANIC_STR, OURS];

/** A module whose `check(i)` panics through `expect_failed` when `i` is 1, through
 * `unwrap_failed` when 2, our own `panic_fmt` when 3 and `panic_str` when 4; each entry
 * point writes 1 to memory[8] first, as core's write a panic's message and location. */
function build({ handlerCallsJs = false } = {}) {
  const m = new binaryen.Module();
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
  m.setMemory(1, 1, 'memory', []);
  m.addFunctionImport('log', 'env', 'log', binaryen.none, binaryen.none);
  m.addGlobal('panicked', binaryen.i32, true, m.i32.const(0));
  m.addGlobalExport('panicked', 'panicked');
  const write = () => m.i32.store(0, 4, m.i32.const(8), m.i32.const(1));
  const call = (name) => m.call(name, [], binaryen.none);
  const body = (...rest) => m.block(null, [write(), ...rest, m.unreachable()]);
  m.addFunction(HANDLER, binaryen.none, binaryen.none, [], handlerCallsJs ? body(call('log')) : m.unreachable());
  m.addFunction(PANIC_FMT, binaryen.none, binaryen.none, [], body(call(HANDLER)));
  m.addFunction(SLICE_FAIL, binaryen.none, binaryen.none, [], body(call(PANIC_FMT)));
  m.addFunction(EXPECT, binaryen.none, binaryen.none, [], body(call(SLICE_FAIL)));
  m.addFunction(PANIC_STR, binaryen.none, binaryen.none, [], body(m.global.set('panicked', m.i32.const(1)), call(PANIC_FMT)));
  m.addFunction(DISPLAY, binaryen.none, binaryen.none, [], body(call('log'), call(PANIC_FMT)));
  m.addFunction(UNWRAP, binaryen.none, binaryen.none, [], body(call(DISPLAY)));
  m.addFunction(OURS, binaryen.none, binaryen.none, [], body(call(HANDLER)));
  const param = () => m.local.get(0, binaryen.i32);
  m.addFunction(
    'check',
    binaryen.i32,
    binaryen.none,
    [],
    m.block(null, [
      m.if(m.i32.eq(param(), m.i32.const(1)), call(EXPECT)),
      m.if(m.i32.eq(param(), m.i32.const(2)), call(UNWRAP)),
      m.if(m.i32.eq(param(), m.i32.const(3)), call(OURS)),
      m.if(m.i32.eq(param(), m.i32.const(4)), call(PANIC_STR)),
    ]),
  );
  m.addFunctionExport('check', 'check');
  assert.ok(m.validate());
  binaryen.setDebugInfo(true);
  const bytes = Buffer.from(m.emitBinary());
  m.dispose();
  return bytes;
}

async function trap(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'trap-panics-'));
  try {
    const [inPath, outPath] = [join(dir, 'in.wasm'), join(dir, 'out.wasm')];
    writeFileSync(inPath, bytes);
    const { stderr } = await run('node', [SCRIPT, inPath, outPath]);
    return { out: readFileSync(outPath), log: stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether each entry point's body is now a lone `unreachable`. */
function trapsAtOnce(bytes) {
  const m = binaryen.readBinary(bytes);
  try {
    return Object.fromEntries(
      ENTRY_POINTS.map((name) => {
        const { body } = binaryen.getFunctionInfo(m.getFunction(name));
        return [name, binaryen.getExpressionId(body) === binaryen.UnreachableId];
      }),
    );
  } finally {
    m.dispose();
  }
}

/** `check(i)`'s outcome in a fresh instance: whether it trapped, and memory[8]. */
async function outcome(bytes, i) {
  const logged = [];
  const { instance } = await WebAssembly.instantiate(bytes, { env: { log: () => logged.push(i) } });
  let trapped = null;
  try {
    instance.exports.check(i);
  } catch (e) {
    trapped = e instanceof WebAssembly.RuntimeError ? e.message : String(e);
  }
  const panicked = instance.exports.panicked.value;
  return { trapped, written: new Uint8Array(instance.exports.memory.buffer)[8], logged: logged.length, panicked };
}

test("core's entry points that call only entry points and the handler trap at once; the rest are kept", async () => {
  const before = build();
  const { out, log } = await trap(before);
  for (const name of ['core::panicking::panic_fmt', 'core::slice::index::slice_index_fail', 'core::option::expect_failed']) {
    assert.match(log, new RegExp(`^\\[trap-panics\\] 3 panic entry points trap at once: .*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  }
  assert.ok(WebAssembly.validate(out));
  assert.deepEqual(trapsAtOnce(out), {
    [PANIC_FMT]: true,
    [SLICE_FAIL]: true,
    [EXPECT]: true,
    [DISPLAY]: false,
    [UNWRAP]: false,
    [PANIC_STR]: false,
    [OURS]: false,
  });
  // A panic through the changed entry points still traps, now without the write.
  assert.deepEqual(await outcome(before, 1), { trapped: 'unreachable', written: 1, logged: 0, panicked: 0 });
  assert.deepEqual(await outcome(out, 1), { trapped: 'unreachable', written: 0, logged: 0, panicked: 0 });
  // The kept ones behave as before: they write, call JS or set their global, then trap.
  for (const i of [2, 3, 4]) assert.deepEqual(await outcome(out, i), await outcome(before, i));
  assert.equal((await outcome(out, 4)).panicked, 1);
  // No panic: nothing happens, as before.
  assert.deepEqual(await outcome(out, 0), { trapped: null, written: 0, logged: 0, panicked: 0 });
});

test('nothing changes when the panic handler is not a lone unreachable', async () => {
  const before = build({ handlerCallsJs: true });
  const { out, log } = await trap(before);
  assert.match(log, /nothing changed: the panic handler is not a lone unreachable/);
  assert.deepEqual(trapsAtOnce(out), Object.fromEntries(ENTRY_POINTS.map((name) => [name, false])));
  for (const i of [0, 1, 2, 3, 4]) assert.deepEqual(await outcome(out, i), await outcome(before, i));
});
