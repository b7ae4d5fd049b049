// Part of `scripts/pack.sh` (and `scripts/size-profile.sh`): gives the wasm's imports,
// their module and the exports its glue calls short names, in the `.wasm` and in each
// wasm-bindgen glue given, so that they still meet.
//   node scripts/short-wasm-names.mjs <module.wasm> [glue.js ...]
//
// Why: wasm-bindgen names each import `__wbg_<name>_<16 hex digits of hash>` and each
// closure shim `wasm_bindgen__convert__closures_____invoke__h<hash>`; the hashes do
// not compress. Measured on main e3377f8 (docs/size.md step 30): 95 imports and 24
// exports, the `.wasm` 71,776 -> ~69,800 B gzipped. The module's name, repeated in each
// of 105 imports, was left until step 63: 57,969 -> 57,581 B. binaryen's `--minify-imports`
// renames only imports from `env`, and a binaryen round trip of wasm-pack's output
// adds ~170 B, so the two sections are rewritten here byte for byte: nothing else in
// the module changes (the function indices, the code and the name section, if any).
// Without glue arguments only the `.wasm`'s imports are renamed (the size profile).
import { readFileSync, writeFileSync } from 'node:fs';
import { literal } from './wasm-names.mjs';

const [wasmPath, ...gluePaths] = process.argv.slice(2);
if (!wasmPath) {
  console.error('usage: node scripts/short-wasm-names.mjs <module.wasm> [glue.js ...]');
  process.exit(2);
}
const fail = (msg) => {
  console.error(`[short-wasm-names] error: ${msg}`);
  process.exit(1);
};

const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;
const FUNCTION = 0;

const wasm = readFileSync(wasmPath);
const glues = gluePaths.map((p) => readFileSync(p, 'utf8'));
// How a glue calls an export: `wasm.<name>`, not part of a longer name.
const exportUse = (name) => new RegExp(`(?<![\\w$])wasm\\.${literal(name)}(?![\\w$])`, 'g');
// How a glue provides an import: a key `<name>:` of its imports object.
const importKey = (name) => new RegExp(`(?<![\\w$.])${literal(name)}:`, 'g');
// How a glue names the imports' module: the quoted key `"<module>":` of its imports object.
const moduleKey = (quoted) => new RegExp(`(?<![\\w$.])${literal(quoted)}:`, 'g');
// The imports' one module, renamed: the empty name, which no module loader resolves
// (a `.wasm` imported as an ES module fails at once, as it did with the glue's file
// name, which is not in the package; a bare `g` could resolve to an npm package).
const MODULE = '';
// `a`..`z`, `A`..`Z`, then two letters: valid JS property names, unquoted.
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (i) => (i < LETTERS.length ? '' : shortName(Math.floor(i / LETTERS.length) - 1)) + LETTERS[i % LETTERS.length];

function readU32(at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = wasm[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}
function u32(value) {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    bytes.push(byte);
  } while (value);
  return Buffer.from(bytes);
}
const name = (s) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
function readName(at) {
  const [length, start] = readU32(at);
  return [wasm.subarray(start, start + length).toString('utf8'), start + length];
}

// Every entry of the section keeps its kind and type; its module and field get short
// names. wasm-bindgen puts every import in one module, named after its glue file
// (`./genomcore_events_wasm_bg.js`, 30 bytes per import), which each glue names once,
// as the key of the imports object it gives `WebAssembly.instantiate`.
function rewriteImports(body) {
  let [count, at] = readU32(body.start);
  const parts = [u32(count)];
  let module = null;
  for (let i = 0; i < count; i++) {
    let importModule;
    [importModule, at] = readName(at);
    if (module === null) {
      module = importModule;
      renameInGlues(JSON.stringify(module), JSON.stringify(MODULE), moduleKey, (s) => `${s}:`, 'import module');
    } else if (importModule !== module) fail(`imports from two modules, ${module} and ${importModule}: wasm-bindgen changed?`);
    let field;
    [field, at] = readName(at);
    const descriptorStart = at;
    const kind = wasm[at++];
    if (kind !== FUNCTION) fail(`import ${field} is not a function (kind ${kind}): wasm-bindgen changed?`);
    [, at] = readU32(at);
    const short = shortName(i);
    renameInGlues(field, short, importKey, (s) => `${s}:`, 'import');
    parts.push(name(MODULE), name(short), wasm.subarray(descriptorStart, at));
  }
  return Buffer.concat(parts);
}

function rewriteExports(body) {
  let [count, at] = readU32(body.start);
  const parts = [u32(count)];
  let renamed = 0;
  for (let i = 0; i < count; i++) {
    let field;
    [field, at] = readName(at);
    const descriptorStart = at;
    at += 1;
    [, at] = readU32(at);
    // Only what a glue calls: the others (`memory` aside) are wasm-bindgen's own and
    // may be looked up by name elsewhere.
    const called = glues.length > 0 && field !== 'memory' && glues.some((g) => exportUse(field).test(g));
    const newName = called ? shortName(renamed++) : field;
    if (called) renameInGlues(field, newName, exportUse, (s) => `wasm.${s}`, 'export');
    parts.push(name(newName), wasm.subarray(descriptorStart, at));
  }
  return Buffer.concat(parts);
}

// Each glue must name an import exactly once (its key in the imports object); an
// export may be called in several places, or not at all in one of the glues.
function renameInGlues(old, short, pattern, replacement, what) {
  glues.forEach((glue, i) => {
    const hits = glue.match(pattern(old))?.length ?? 0;
    if (what !== 'export' && hits !== 1) {
      fail(`${gluePaths[i]} should provide the ${what} ${old} once (found ${hits}): wasm-bindgen changed?`);
    }
    glues[i] = glue.replace(pattern(old), replacement(short));
  });
}

// The module: the header, then sections (id, size, body); only 2 and 7 are rebuilt.
const out = [wasm.subarray(0, 8)];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readU32(at + 1);
  const end = start + size;
  const body = { start, end };
  let rebuilt = null;
  if (id === IMPORT_SECTION) rebuilt = rewriteImports(body);
  else if (id === EXPORT_SECTION && glues.length > 0) rebuilt = rewriteExports(body);
  out.push(rebuilt ? Buffer.concat([Buffer.from([id]), u32(rebuilt.length), rebuilt]) : wasm.subarray(at, end));
  at = end;
}
const result = Buffer.concat(out);
if (!WebAssembly.validate(result)) fail(`the rewritten ${wasmPath} does not validate`);
writeFileSync(wasmPath, result);
gluePaths.forEach((p, i) => writeFileSync(p, glues[i]));
console.log(`[short-wasm-names] ${wasmPath}: ${wasm.length} -> ${result.length} B`);
