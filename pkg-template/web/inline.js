// `genomcore-events-wasm/inline`: the wasm travels inside the JavaScript, as base64,
// for bundlers that copy no `.wasm` named by `new URL(…, import.meta.url)` (esbuild,
// Rollup) and for hosting where one file is simpler. About a third larger than the
// `.wasm` before compression; compiled from bytes at run time (so not for Workers).
import { init } from './load.js';
import { wasmBase64 } from './genomcore_events_wasm_bg.wasm.base64.js';

await init(
  typeof Uint8Array.fromBase64 === 'function'
    ? Uint8Array.fromBase64(wasmBase64)
    : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0)),
);

export * from './api.js';
