// genomcore-events-wasm/slim where no entry of its own fits, as a user would write it:
// the raw wasm by its subpath (`genomcore-events-wasm/wasm`), read and handed to
// initSync (bytes) or init (a compiled module); then the same API. With `inline`:
// genomcore-events-wasm/inline instead (in Node 20, its base64 decoding without
// `Uint8Array.fromBase64`).
import { readFileSync } from 'node:fs';
import { scenario } from './scenario.mjs';

const [origin, label, how] = process.argv.slice(2);
const wasmFile = new URL(import.meta.resolve('genomcore-events-wasm/wasm'));
let pkg;
if (how === 'inline') {
  pkg = await import('genomcore-events-wasm/inline');
} else {
  pkg = await import('genomcore-events-wasm/slim');
  const bytes = readFileSync(wasmFile);
  if (how === 'module') await pkg.init(await WebAssembly.compile(bytes));
  else pkg.initSync(bytes);
}
const result = await scenario(pkg, { origin, label });
console.log(JSON.stringify({ wasm: wasmFile.pathname, exports: Object.keys(pkg).sort(), result }));
