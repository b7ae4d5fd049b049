// Issue case 5: a dedicated Web Worker in Chromium that imports the package and uploads
// events: without a bundler (a module worker), and bundled by Vite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN, expected, runPage, viteBuild } from './helpers.mjs';

const allowHttpErrors = { '/api/v1/events/query': 1 };

test('dedicated module worker, no bundler: round trip inside the worker', async () => {
  const { result } = await runPage('/worker.html', { allowHttpErrors });
  assert.deepEqual(result, expected(ORIGIN, 'worker-plain'));
});

test('dedicated module worker asked by a message posted at once (the README pattern): the message is not lost', async () => {
  const { result } = await runPage('/worker-message.html', { allowHttpErrors });
  assert.deepEqual(result, expected(ORIGIN, 'worker-message'));
});

test('dedicated worker bundled by Vite (worker.format "es"): round trip inside the worker', async () => {
  const { assets } = await viteBuild('vite-worker');
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 1, `one .wasm asset: ${assets}`);
  const { result, requests } = await runPage('/vite-worker/dist/index.html', { allowHttpErrors });
  assert.deepEqual(result, expected(ORIGIN, 'worker-vite'));
  assert.equal(requests.filter((r) => r.url.endsWith('.wasm')).length, 1);
});
