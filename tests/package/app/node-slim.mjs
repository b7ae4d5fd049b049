// `genomcore-events-wasm/slim` in Node: a clear error before init(), the client after
// initSync() with the package's own `.wasm` (the `/wasm` export).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EventsClient, initSync } from 'genomcore-events-wasm/slim';

const out = {};
try {
  new EventsClient({ token: 't' });
} catch (e) {
  out.beforeInit = [e.name, e.message];
}
const wasm = readFileSync(createRequire(import.meta.url).resolve('genomcore-events-wasm/wasm'));
initSync(new WebAssembly.Module(wasm));
out.afterInit = typeof new EventsClient({ token: 't', baseUrl: 'http://127.0.0.1:9/api/v1' }).baseUrl;
console.log(JSON.stringify(out));
