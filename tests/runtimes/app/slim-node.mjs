// genomcore-events-wasm/slim where no entry of its own fits, as a user would write it:
// the raw wasm by its subpath (`genomcore-events-wasm/wasm`), read and handed to
// initSync (bytes) or init (a compiled module); then the same API.
import { readFileSync } from 'node:fs';
import * as pkg from 'genomcore-events-wasm/slim';
import { scenario } from './scenario.mjs';

const [origin, label, how] = process.argv.slice(2);
const wasmFile = new URL(import.meta.resolve('genomcore-events-wasm/wasm'));
const bytes = readFileSync(wasmFile);
if (how === 'module') await pkg.init(await WebAssembly.compile(bytes));
else pkg.initSync(bytes);
const result = await scenario(pkg, { origin, label });
console.log(JSON.stringify({ wasm: wasmFile.pathname, exports: Object.keys(pkg).sort(), result }));
