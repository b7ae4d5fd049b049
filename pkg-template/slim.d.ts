// Type declarations of genomcore-events-wasm/slim: the whole API of the package, plus
// `init` and `initSync`, which load the wasm (call one of them before the first
// `new EventsClient(…)`).
export * from './index.js';

/** Where `init` takes the wasm from: a compiled module, its bytes, an answer, or a URL to fetch. */
export type WasmInput = WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string;

/**
 * Loads the wasm (once; later calls return at once). Without `input`, fetches
 * `genomcore_events_wasm_bg.wasm` from beside the package's glue.
 */
export declare function init(input?: WasmInput): Promise<void>;

/**
 * Loads the wasm synchronously from a `WebAssembly.Module` or its bytes. Browsers refuse
 * to compile more than a few KB synchronously on the main thread: pass a module there.
 */
export declare function initSync(input: WebAssembly.Module | BufferSource): void;
