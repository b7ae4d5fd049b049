// The entry for Cloudflare Workers (`exports` conditions `workerd` and `worker`, as
// wrangler resolves them): Workers forbid compiling wasm from bytes at run time and
// `fetch` at global scope, so the `.wasm` comes in as a module import, which the
// platform compiles at upload and hands over as a `WebAssembly.Module`;
// instantiating it synchronously at global scope is allowed.
import wasmModule from './genomcore_events_wasm_bg.wasm';
import { initSync } from './load.js';

initSync(wasmModule);

export * from './api.js';
