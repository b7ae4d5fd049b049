// The entry for browsers, Web Workers and bundlers (Vite, webpack, Rollup, esbuild):
// loads and initialises the wasm itself, so that importing the package is enough.
//
// `new URL('…', import.meta.url)` is the pattern bundlers recognise: they copy the
// `.wasm` next to the bundle and rewrite the URL; without a bundler the browser
// resolves it next to this file.
import init, { EventsClient, __setErrorClasses } from './genomcore_events_wasm.js';
import { errorClasses } from './errors.js';

await init({ module_or_path: new URL('./genomcore_events_wasm_bg.wasm', import.meta.url) });
__setErrorClasses(errorClasses);

export { EventsClient };
export {
  EventsError,
  ValidationError,
  EventsApiError,
  CreateEventsError,
  AbortError,
  TimeoutError,
  NetworkError,
  AuthError,
} from './errors.js';
