// Issue case 4: a Vite production build of a small app importing the package, with no
// plugin and no configuration, run in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { APP, ORIGIN, expected, runPage, viteBuild } from './helpers.mjs';

test('Vite production build, no plugin: one .wasm asset, no Node code, round trip in Chromium', async () => {
  const { assets, js } = await viteBuild('vite-app');
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 1, `one .wasm asset: ${assets}`);
  assert.ok(!js.some((s) => s.includes('readFileSync')), 'the bundle must not contain the Node glue');

  const { result, requests } = await runPage('/vite-app/dist/index.html', {
    allowHttpErrors: { '/api/v1/events/query': 1 },
  });
  assert.deepEqual(result, expected(ORIGIN, 'vite'));
  const wasm = requests.filter((r) => r.url.endsWith('.wasm'));
  assert.equal(wasm.length, 1);
  assert.match(new URL(wasm[0].url).pathname, /^\/vite-app\/dist\/assets\/genomcore_events_wasm_bg-[\w-]+\.wasm$/);
});

test('Vite dev server, with the README\'s optimizeDeps.exclude: round trip in Chromium', async () => {
  const { createServer } = await import('vite'); // the workspace's Vite
  const server = await createServer({
    root: join(APP, 'vite-app'),
    configFile: false,
    logLevel: 'silent',
    optimizeDeps: { exclude: ['genomcore-events-wasm'] },
    // The API on the dev server's origin, as an app would proxy it.
    server: { host: '127.0.0.1', port: 0, strictPort: false, proxy: { '/api': ORIGIN } },
  });
  await server.listen();
  try {
    const { result } = await runPage(`${server.resolvedUrls.local[0]}index.html?label=vite-dev`, {
      allowHttpErrors: { '/api/v1/events/query': 1 },
    });
    assert.deepEqual(result, expected(new URL(server.resolvedUrls.local[0]).origin, 'vite-dev'));
  } finally {
    await server.close();
  }
});
