// The package README's Web Worker pattern: the message handler is set before the
// package loads (its import waits for the wasm), so the message the page posts right
// after `new Worker(…)` is not lost. A static import would set the handler too late.
import { answer } from './worker-side.mjs';

const loaded = import('./node_modules/genomcore-events-wasm/web/index.js');

self.onmessage = async ({ data: { label } }) => {
  const pkg = await loaded;
  answer(pkg, pkg.EventsClient, label);
};
