'use strict';
// The entry for Node (`require`, and through `index.mjs` also `import`): the
// wasm-bindgen `nodejs` glue reads and instantiates the wasm synchronously.

// Node 18 has Web Crypto only as `require('node:crypto').webcrypto`; the client
// draws its idempotency keys from `crypto.getRandomValues`. Node 19+ has the global.
if (typeof globalThis.crypto === 'undefined' || typeof globalThis.crypto.getRandomValues !== 'function') {
  Object.defineProperty(globalThis, 'crypto', {
    value: require('node:crypto').webcrypto,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

const wasm = require('./genomcore_events_wasm.cjs');
const errors = require('./errors.cjs');

wasm.__setErrorClasses(errors.errorClasses);

module.exports = {
  EventsClient: wasm.EventsClient,
  EventsError: errors.EventsError,
  ValidationError: errors.ValidationError,
  EventsApiError: errors.EventsApiError,
  CreateEventsError: errors.CreateEventsError,
  AbortError: errors.AbortError,
  TimeoutError: errors.TimeoutError,
  NetworkError: errors.NetworkError,
  AuthError: errors.AuthError,
};
