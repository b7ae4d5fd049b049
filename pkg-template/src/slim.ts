// `genomcore-events-wasm/slim`: the client without loading anything. Call `init(input)`
// (or `initSync`) once before the first `new EventsClient(…)`, with the wasm from
// wherever it is hosted: a `WebAssembly.Module`, bytes, a `Response` or a URL. For
// pages under a strict CSP, CDNs, custom hosting and runtimes without an entry of
// their own. The raw `.wasm` is `genomcore-events-wasm/wasm`.
export { init, initSync, type WasmInput } from './load.js';
export * from './api.js';
