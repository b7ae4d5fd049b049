// Issue case 3: a plain `<script type="module">` page, no bundler and no `init()` call,
// importing the package (through an import map) from a static server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN, expected, runPage } from './helpers.mjs';

test('browser, plain <script type="module">: round trip, errors by class', async () => {
  const { result, requests } = await runPage('/plain.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'browser-module'));
  const wasm = requests.filter((r) => r.url.endsWith('.wasm'));
  assert.deepEqual(
    wasm.map((r) => [new URL(r.url).pathname, r.status]),
    [['/node_modules/genomcore-events-wasm/web/genomcore_events_wasm_bg.wasm', 200]],
    'the page loads the one .wasm next to the browser entry',
  );
  assert.ok(!requests.some((r) => r.url.includes('/node/')), 'a browser must not load the Node entry');
});
