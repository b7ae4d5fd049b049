// Loading the wasm, in one place for every web entry, through wasm-bindgen's
// `--target web` glue. Both functions are idempotent: once the wasm is loaded, later
// calls return at once and ignore their argument.
import glueInit, { initSync as glueInitSync } from './genomcore_events_wasm.js';

/** Where `init` takes the wasm from: a compiled module, its bytes, an answer, or a URL to fetch. */
export type WasmInput = WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string;

/**
 * Loads the wasm (once; later calls return at once). Without `input`, fetches
 * `genomcore_events_wasm_bg.wasm` from beside the package's glue.
 */
export async function init(input?: WasmInput): Promise<void> {
  await glueInit(input === undefined ? undefined : { module_or_path: input });
  loaded = true;
}

let loaded = false;

/** Whether `init` or `initSync` has loaded the wasm (`/slim` checks it before use). */
export const isLoaded = (): boolean => loaded;

/**
 * Loads the wasm synchronously from a `WebAssembly.Module` or its bytes. On a page a
 * module is better: compiling bytes synchronously blocks the main thread meanwhile (and
 * older browsers refused to compile more than a few KB that way).
 */
export function initSync(input: WebAssembly.Module | BufferSource): void {
  glueInitSync({ module: input });
  loaded = true;
}
