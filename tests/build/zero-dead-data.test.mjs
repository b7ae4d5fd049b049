// scripts/zero-dead-data.mjs on small modules made here with binaryen.js: core::fmt's
// digit-pair table is zeroed only when no code nor data names it (or an address just
// below it), and nothing else in the file changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import binaryen from 'binaryen';

const SCRIPT = new URL('../../scripts/zero-dead-data.mjs', import.meta.url).pathname;
const run = promisify(execFile);

const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));
const DATA = 1024; // the segment's address; the table follows 16 bytes of other data
const LUT = DATA + 16;
const AFTER = LUT + PAIRS.length; // a live table right after it, as in the wasm

/** A module with the digit pairs in its data; `uses` are the addresses its code names. */
function build({ consts = [AFTER], loadOffset = null, pointer = null, twice = false } = {}) {
  const m = new binaryen.Module();
  const data = Buffer.concat([Buffer.from('other data here!'), PAIRS, Buffer.alloc(8, 1)]);
  const segments = [{ offset: m.i32.const(DATA), data, passive: false }];
  if (pointer !== null) {
    const word = Buffer.alloc(4);
    word.writeUInt32LE(pointer);
    segments.push({ offset: m.i32.const(4096), data: word, passive: false });
  }
  if (twice) segments.push({ offset: m.i32.const(8192), data: PAIRS, passive: false });
  m.setMemory(1, 1, 'memory', segments);
  const body = consts.map((n) => m.drop(m.i32.load8_u(0, 1, m.i32.const(n))));
  if (loadOffset !== null) body.push(m.drop(m.i32.load8_u(loadOffset, 1, m.i32.const(0))));
  m.addFunction('f', binaryen.none, binaryen.none, [], m.block(null, body));
  m.addFunctionExport('f', 'f');
  assert.ok(m.validate());
  const bytes = m.emitBinary();
  m.dispose();
  return Buffer.from(bytes);
}

async function zero(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'zero-dead-data-'));
  try {
    const path = join(dir, 'm.wasm');
    writeFileSync(path, bytes);
    const { stderr } = await run('node', [SCRIPT, path]);
    return { out: readFileSync(path), log: stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the table nothing names is zeroed, every other byte kept', async () => {
  const before = build();
  const { out, log } = await zero(before);
  assert.match(log, /zeroed/);
  const at = before.indexOf(PAIRS);
  assert.ok(at > 0);
  assert.equal(out.length, before.length);
  assert.deepEqual(out.subarray(at, at + PAIRS.length), Buffer.alloc(PAIRS.length));
  assert.deepEqual(out.subarray(0, at), before.subarray(0, at));
  assert.deepEqual(out.subarray(at + PAIRS.length), before.subarray(at + PAIRS.length));
  assert.ok(WebAssembly.validate(out));
});

for (const [what, options] of [
  ['code names its start', { consts: [LUT] }],
  ['code names a pair in it', { consts: [LUT + 42] }],
  ['code names an address just below it', { consts: [LUT - 20] }],
  ['a load offset points into it', { loadOffset: LUT + 2 }],
  ['a word of the data points into it', { pointer: LUT + 10 }],
  ['it is in the data twice', { twice: true }],
]) {
  test(`kept when ${what}`, async () => {
    const before = build(options);
    const { out, log } = await zero(before);
    assert.match(log, /kept/);
    assert.deepEqual(out, before);
  });
}

test('a module without the table is left alone', async () => {
  const m = new binaryen.Module();
  m.setMemory(1, 1, 'memory', [{ offset: m.i32.const(DATA), data: Buffer.from('nothing'), passive: false }]);
  const before = Buffer.from(m.emitBinary());
  m.dispose();
  const { out, log } = await zero(before);
  assert.match(log, /no digit-pair table/);
  assert.deepEqual(out, before);
});
