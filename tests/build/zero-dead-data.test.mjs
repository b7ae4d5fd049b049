// scripts/zero-dead-data.mjs on small modules made here with binaryen.js: core::fmt's
// digit-pair table, panic locations with their paths and core's panic messages are
// zeroed only when no code nor data names them (or, for the table and the messages, an
// address just below them), and nothing else in the file changes.
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

// Panic locations: a path, then two locations pointing at it (16 bytes each), then a
// panic message of core's; code names what `consts` lists.
const JSPI = Buffer.from('/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/js-sys-0.3.107/src/futures/jspi.rs');
const PATH_AT = 2048;
const LOCATIONS_AT = 2048 + 128;
const MESSAGE = Buffer.from('capacity overflow');
const MESSAGE_AT = 3072;

function buildPanics({ consts = [], pointer = null, column = 5, messagePrefix = '' } = {}) {
  const m = new binaryen.Module();
  const location = (line) => {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(PATH_AT, 0);
    b.writeUInt32LE(JSPI.length, 4);
    b.writeUInt32LE(line, 8);
    b.writeUInt32LE(column, 12);
    return b;
  };
  // The message alone, or inside a longer text starting `messagePrefix` before it.
  const text = Buffer.from(messagePrefix + MESSAGE.toString());
  const segments = [
    { offset: m.i32.const(PATH_AT), data: JSPI, passive: false },
    { offset: m.i32.const(LOCATIONS_AT), data: Buffer.concat([location(200), location(187)]), passive: false },
    { offset: m.i32.const(MESSAGE_AT - messagePrefix.length), data: text, passive: false },
  ];
  if (pointer !== null) {
    const word = Buffer.alloc(4);
    word.writeUInt32LE(pointer);
    segments.push({ offset: m.i32.const(4096), data: word, passive: false });
  }
  m.setMemory(1, 1, 'memory', segments);
  m.addFunction('f', binaryen.none, binaryen.none, [], m.block(null, [...consts, 0].map((n) => m.drop(m.i32.load8_u(0, 1, m.i32.const(n))))));
  m.addFunctionExport('f', 'f');
  assert.ok(m.validate());
  const bytes = Buffer.from(m.emitBinary());
  m.dispose();
  return bytes;
}

/** Which of the path, the two locations and the message `out` has zeroed, after
 * checking that nothing else changed: the bytes that differ are exactly those parts'. */
function zeroedParts(before, out) {
  const at = {
    path: [before.indexOf(JSPI), JSPI.length],
    first: [before.indexOf(Buffer.from([0, 8, 0, 0, JSPI.length, 0, 0, 0])), 16],
    message: [before.indexOf(MESSAGE), MESSAGE.length],
  };
  at.second = [at.first[0] + 16, 16];
  assert.ok(Object.values(at).every(([start]) => start > 0));
  assert.equal(out.length, before.length);
  const zeroed = Object.fromEntries(
    Object.entries(at).map(([part, [start, n]]) => [part, out.subarray(start, start + n).every((b) => b === 0)]),
  );
  const expected = new Set(
    Object.entries(at).flatMap(([part, [start, n]]) =>
      zeroed[part] ? Array.from({ length: n }, (_, i) => start + i).filter((i) => before[i] !== 0) : [],
    ),
  );
  const changed = [...out].flatMap((b, i) => (b === before[i] ? [] : [i]));
  assert.deepEqual(changed, [...expected].sort((a, b) => a - b));
  assert.ok(WebAssembly.validate(out));
  return { path: zeroed.path, first: zeroed.first, second: zeroed.second, message: zeroed.message };
}

test('panic locations, their path and messages nothing names are zeroed, every other byte kept', async () => {
  const before = buildPanics();
  const { out, log } = await zero(before);
  assert.match(log, /zeroed panic locations and their paths \(125 bytes\)/);
  assert.match(log, /zeroed core's panic messages \(17 bytes\)/);
  assert.deepEqual(zeroedParts(before, out), { path: true, first: true, second: true, message: true });
  assert.match((await zero(build({ consts: [LUT] }))).log, /kept core::fmt's digit-pair table: code names it/);
});

for (const [what, options, expected] of [
  ['code names a location: it and the path kept', { consts: [LOCATIONS_AT + 16] }, { path: false, first: true, second: false }],
  ['code names the path: it kept', { consts: [PATH_AT] }, { path: false, first: true, second: true }],
  ['a static points at a location: it and the path kept', { pointer: LOCATIONS_AT }, { path: false, first: false, second: true }],
  ['a static points into the path: it kept', { pointer: PATH_AT + 4 }, { path: false, first: true, second: true }],
  ['code names the message: it kept', { consts: [MESSAGE_AT] }, { path: true, first: true, second: true, message: false }],
  ['code names an address just below the message: it kept', { consts: [MESSAGE_AT - 20] }, { path: true, first: true, second: true, message: false }],
]) {
  test(`panic data: ${what}`, async () => {
    const before = buildPanics(options);
    const { out } = await zero(before);
    assert.deepEqual(zeroedParts(before, out), { message: true, ...expected });
  });
}

test('a message inside a longer text that code names is kept, however far from its start', async () => {
  const messagePrefix = 'a longer text of ours, named at its start, which happens to hold: ';
  assert.ok(messagePrefix.length > 64);
  const before = buildPanics({ consts: [MESSAGE_AT - messagePrefix.length], messagePrefix });
  const { out } = await zero(before);
  assert.deepEqual(zeroedParts(before, out), { path: true, first: true, second: true, message: false });
});

test('16 bytes whose column is 0 are not a location: kept with their path', async () => {
  const before = buildPanics({ column: 0 });
  const { out } = await zero(before);
  assert.deepEqual(zeroedParts(before, out), { path: false, first: false, second: false, message: true });
});

test('a location just above one code names is zeroed (a location is never indexed from below)', async () => {
  const before = buildPanics({ consts: [LOCATIONS_AT] });
  const { out } = await zero(before);
  assert.deepEqual(zeroedParts(before, out), { path: false, first: false, second: true, message: true });
});

test('a module without the table is left alone', async () => {
  const m = new binaryen.Module();
  m.setMemory(1, 1, 'memory', [{ offset: m.i32.const(DATA), data: Buffer.from('nothing'), passive: false }]);
  const before = Buffer.from(m.emitBinary());
  m.dispose();
  const { out, log } = await zero(before);
  assert.match(log, /kept core::fmt's digit-pair table: not in the data/);
  assert.deepEqual(out, before);
});
