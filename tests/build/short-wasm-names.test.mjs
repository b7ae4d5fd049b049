// scripts/short-wasm-names.mjs on a small module made here with binaryen.js and a glue
// written as wasm-bindgen writes one: the imports, their module and the exports the
// glue calls get short names in both, so that the glue still instantiates the module;
// a glue that does not name the module once is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import binaryen from 'binaryen';

const SCRIPT = new URL('../../scripts/short-wasm-names.mjs', import.meta.url).pathname;
const run = promisify(execFile);
const MODULE = './genomcore_events_wasm_bg.js';

/** `run()` calls the two imports and returns what they gave, summed. */
function build() {
  const m = new binaryen.Module();
  m.addFunctionImport('one', MODULE, '__wbg_one_0123456789abcdef', binaryen.none, binaryen.i32);
  m.addFunctionImport('two', MODULE, '__wbg_two_fedcba9876543210', binaryen.none, binaryen.i32);
  m.addFunction('run', binaryen.none, binaryen.i32, [], m.i32.add(m.call('one', [], binaryen.i32), m.call('two', [], binaryen.i32)));
  m.addFunctionExport('run', 'engine_run');
  assert.ok(m.validate());
  const bytes = Buffer.from(m.emitBinary());
  m.dispose();
  return bytes;
}

// The shape of wasm-bindgen's glue: an imports object under the module's quoted name.
const GLUE = `export function instantiate(bytes) {
    const import0 = {
        __proto__: null,
        __wbg_one_0123456789abcdef: function() { return 40; },
        __wbg_two_fedcba9876543210: function() { return 2; },
    };
    const imports = {
        __proto__: null,
        "${MODULE}": import0,
    };
    const { exports: wasm } = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    return () => wasm.engine_run();
}
`;

async function shorten(bytes, glue) {
  const dir = mkdtempSync(join(tmpdir(), 'short-wasm-names-'));
  try {
    const [wasmPath, gluePath] = [join(dir, 'm.wasm'), join(dir, 'glue.mjs')];
    writeFileSync(wasmPath, bytes);
    writeFileSync(gluePath, glue);
    const result = await run('node', [SCRIPT, wasmPath, gluePath]).catch((e) => e);
    const out = { wasm: readFileSync(wasmPath), glue: readFileSync(gluePath, 'utf8'), code: result.code ?? 0, stderr: result.stderr };
    if (out.code === 0) out.run = (await import(`${gluePath}?${Date.now()}`)).instantiate(out.wasm);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('imports, their module and the called exports get short names; the glue still meets the module', async () => {
  const { wasm, glue, code, run: runIt } = await shorten(build(), GLUE);
  assert.equal(code, 0);
  const module = new WebAssembly.Module(wasm);
  assert.deepEqual(
    WebAssembly.Module.imports(module).map(({ module, name }) => [module, name]),
    [
      ['', 'a'],
      ['', 'b'],
    ],
  );
  assert.deepEqual(WebAssembly.Module.exports(module).map(({ name }) => name), ['a']);
  assert.match(glue, /"": import0,/);
  assert.doesNotMatch(glue, /genomcore_events_wasm_bg|__wbg_|engine_run/);
  assert.equal(runIt(), 42);
});

test('a glue that does not name the imports module once is refused, nothing written', async () => {
  const before = build();
  const glue = GLUE.replace(`"${MODULE}": import0,`, `"${MODULE}": import0, "${MODULE}": import0,`);
  const { wasm, code, stderr } = await shorten(before, glue);
  assert.equal(code, 1);
  assert.match(stderr, /should provide the import module "\.\/genomcore_events_wasm_bg\.js" once \(found 2\)/);
  assert.deepEqual(wasm, before);
});
