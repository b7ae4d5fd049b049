// Node, CommonJS `require`, as a user's program would write it.
const { EventsClient } = require('genomcore-events-wasm');
const pkg = require('genomcore-events-wasm');

(async () => {
  const { scenario } = await import('./scenario.mjs');
  const result = await scenario(pkg, { origin: process.env.EVENTS_EMULATOR_URL, label: process.argv[2] || 'node-cjs' });
  const imported = await import('genomcore-events-wasm');
  console.log(
    JSON.stringify({
      resolved: require.resolve('genomcore-events-wasm'),
      exports: Object.keys(pkg).sort(),
      oneInstance: imported.EventsClient === EventsClient && imported.AbortError === pkg.AbortError,
      globalCrypto: typeof globalThis.crypto,
      result,
    }),
  );
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
