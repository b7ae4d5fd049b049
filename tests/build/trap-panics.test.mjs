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
const SLICE_FAIL = `${CORE}::slice::index::slice_index_fail`;
const DISPLAY = `${CORE}::panicking::panic_display`; // calls JS: kept
const UNWRAP = `${CORE}::option::unwrap_failed`; // calls DISPLAY: kept
const OURS = 'genomcore_events_wasm[bfb8dd7c7a21c09f]::wasm::upload::panic_fmt'; // not core's
const HANDLER = '__rustc[5224e6b81cd82a8f]::rust_begin_unwind';
const ENTRY_POINTS = [PANIC_FMT, SLICE_FAIL, DISPLAY, UNWRAP, OURS];

/** A module whose `check(i)` panics through `slice_index_fail` when `i` is 1, and
 * through `unwrap_failed` when 2; each entry point writes 1 to memory[8] first, as
 * core's write a panic's message and location. */
function build({ handlerCallsJs = false } = {}) {
  const m = new binaryen.Module();
  m.setMemory(1, 1, 'memory', []);
  m.addFunctionImport('log', 'env', 'log', binaryen.none, binaryen.none);
  const write = () => m.i32.store(0, 4, m.i32.const(8), m.i32.const(1));
  const call = (name) => m.call(name, [], binaryen.none);
  const body = (...rest) => m.block(null, [write(), ...rest, m.unreachable()]);
  m.addFunction(HANDLER, binaryen.none, binaryen.none, [], handlerCallsJs ? body(call('log')) : m.unreachable());
  m.addFunction(PANIC_FMT, binaryen.none, binaryen.none, [], body(call(HANDLER)));
  m.addFunction(SLICE_FAIL, binaryen.none, binaryen.none, [], body(call(PANIC_FMT)));
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
      m.if(m.i32.eq(param(), m.i32.const(1)), call(SLICE_FAIL)),
      m.if(m.i32.eq(param(), m.i32.const(2)), call(UNWRAP)),
      m.if(m.i32.eq(param(), m.i32.const(3)), call(OURS)),
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
  return { trapped, written: new Uint8Array(instance.exports.memory.buffer)[8], logged: logged.length };
}

test("core's entry points that call only entry points and the handler trap at once; the rest are kept", async () => {
  const before = build();
  const { out, log } = await trap(before);
  assert.match(log, /2 panic entry points trap at once: .*core::panicking::panic_fmt/);
  assert.match(log, /2 panic entry points trap at once: .*core::slice::index::slice_index_fail/);
  assert.ok(WebAssembly.validate(out));
  assert.deepEqual(trapsAtOnce(out), { [PANIC_FMT]: true, [SLICE_FAIL]: true, [DISPLAY]: false, [UNWRAP]: false, [OURS]: false });
  // A panic through the changed entry points still traps, now without the write.
  assert.deepEqual(await outcome(before, 1), { trapped: 'unreachable', written: 1, logged: 0 });
  assert.deepEqual(await outcome(out, 1), { trapped: 'unreachable', written: 0, logged: 0 });
  // The kept ones behave as before: they write and call JS, then trap.
  for (const i of [2, 3]) assert.deepEqual(await outcome(out, i), await outcome(before, i));
  // No panic: nothing happens, as before.
  assert.deepEqual(await outcome(out, 0), { trapped: null, written: 0, logged: 0 });
});

test('nothing changes when the panic handler is not a lone unreachable', async () => {
  const before = build({ handlerCallsJs: true });
  const { out, log } = await trap(before);
  assert.match(log, /nothing changed: the panic handler is not a lone unreachable/);
  assert.deepEqual(trapsAtOnce(out), Object.fromEntries(ENTRY_POINTS.map((name) => [name, false])));
  for (const i of [0, 1, 2, 3]) assert.deepEqual(await outcome(out, i), await outcome(before, i));
});
