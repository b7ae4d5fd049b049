'use strict';
// The entry for Node (`require`, and through `index.mjs` also `import`): the face's
// CommonJS build (api.js) over the wasm-bindgen `nodejs` glue, which reads and
// instantiates the wasm synchronously.

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

module.exports = require('./api.js');
