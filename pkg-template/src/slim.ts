// `genomcore-events-wasm/slim`: the client without loading anything. Call `init(input)`
// (or `initSync`) once before the first `new EventsClient(…)`, with the wasm from
// wherever it is hosted: a `WebAssembly.Module`, bytes, a `Response` or a URL. For
// pages under a strict CSP, CDNs, custom hosting and runtimes without an entry of
// their own. The raw `.wasm` is `genomcore-events-wasm/wasm`.
export { init, initSync, type WasmInput } from './load.js';
export * from './api.js';

import { EventsClient as Client } from './api.js';
import { isLoaded } from './load.js';
import type { EventsClientOptions } from './types.js';

/** The client, refusing to start before the wasm is loaded (a clear error, not the glue's). */
export class EventsClient extends Client {
  constructor(options: EventsClientOptions) {
    if (!isLoaded()) {
      throw new Error("genomcore-events-wasm/slim: call init() (or initSync()) before new EventsClient(...)");
    }
    super(options);
  }
}
