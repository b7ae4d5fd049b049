// Loading the wasm, in one place for every web-glue entry: instantiate it through
// wasm-bindgen's `--target web` glue, then register the error classes of errors.js
// (the wasm builds its errors on them). Both functions are idempotent: once the wasm
// is loaded, later calls return at once and ignore their argument.
import glueInit, { initSync as glueInitSync, __setErrorClasses } from './genomcore_events_wasm.js';
import { errorClasses } from './errors.js';

/**
 * Loads the wasm from `input`: a `WebAssembly.Module`, its bytes (`ArrayBuffer`, a
 * typed array), a `Response` or a Promise of one, a URL or a URL string (fetched).
 * Without `input`, fetches `genomcore_events_wasm_bg.wasm` from beside the glue.
 */
export async function init(input) {
  await glueInit(input === undefined ? undefined : { module_or_path: input });
  __setErrorClasses(errorClasses);
}

/**
 * Loads the wasm synchronously from a `WebAssembly.Module` or its bytes. Browsers
 * refuse to compile more than a few KB synchronously on the main thread: there, pass
 * a `WebAssembly.Module` (compiled with `WebAssembly.compile`) or use `init`.
 */
export function initSync(input) {
  glueInitSync({ module: input });
  __setErrorClasses(errorClasses);
}
