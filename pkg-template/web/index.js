// The entry for browsers, Web Workers and the bundlers that understand
// `new URL('…', import.meta.url)` (Vite, webpack 5): loads the wasm itself, with
// top-level `await`, so that importing the package is enough.
//
// Bundlers that see the pattern copy the `.wasm` next to the bundle and rewrite the
// URL; without a bundler the browser resolves it next to this file. For bundlers that
// do not (esbuild, Rollup), `genomcore-events-wasm/inline` carries the wasm inside.
import { init } from './load.js';

await init(new URL('./genomcore_events_wasm_bg.wasm', import.meta.url));

export * from './api.js';
