// A dedicated module worker without a bundler. Workers do not see a page's import
// map, so the package's browser entry is imported by its path.
import { EventsClient } from './node_modules/genomcore-events-wasm/web/index.js';
import * as pkg from './node_modules/genomcore-events-wasm/web/index.js';
import { answer } from './worker-side.mjs';

answer(pkg, EventsClient, 'worker-plain');
