// Node, ES module `import`, as a user's program would write it.
import { EventsClient } from 'genomcore-events-wasm';
import * as pkg from 'genomcore-events-wasm';
import { createRequire } from 'node:module';
import { scenario } from './scenario.mjs';

const required = createRequire(import.meta.url)('genomcore-events-wasm');
const result = await scenario(pkg, { origin: process.env.EVENTS_EMULATOR_URL, label: process.argv[2] || 'node-esm' });
console.log(
  JSON.stringify({
    resolved: import.meta.resolve('genomcore-events-wasm'),
    exports: Object.keys(pkg).sort(),
    oneInstance: required.EventsClient === EventsClient && required.ValidationError === pkg.ValidationError,
    result,
  }),
);
