// The installed package in the other server-side runtimes: Node 22 (ESM and CommonJS),
// Deno 2 (`npm:genomcore-events-wasm`) and Bun (ESM and CommonJS), each running the
// scenario against the emulator. Their binaries come from npm (`make setup`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { APP, ORIGIN, ROOT, expected, nodeJson, run } from '../package/helpers.mjs';

const NODE22 = join(ROOT, 'tests', 'runtimes', 'node22', 'node_modules', '.bin', 'node');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const BUN = join(ROOT, 'node_modules', '.bin', 'bun');
const EXPORTS = [
  'AbortError', 'AuthError', 'CreateEventsError', 'EventsApiError', 'EventsClient', 'EventsError', 'NetworkError',
  'SourceError', 'TimeoutError', 'ValidationError',
];
const NODE_ENTRY = /\/node_modules\/genomcore-events-wasm\/node\/index\.(mjs|cjs)$/;

async function version(bin) {
  return (await run(bin, ['--version'])).stdout.trim().split('\n')[0];
}

test('Node 22, ES module import and CommonJS require', async (t) => {
  const v = await version(NODE22);
  assert.match(v, /^v22\./);
  t.diagnostic(`node ${v}`);
  for (const [file, label] of [['node-esm.mjs', 'node22-esm'], ['node-cjs.cjs', 'node22-cjs']]) {
    const out = await nodeJson([file, label], { bin: NODE22 });
    assert.match(out.resolved, NODE_ENTRY);
    assert.deepEqual(out.exports, EXPORTS);
    assert.equal(out.oneInstance, true);
    assert.deepEqual(out.result, expected(ORIGIN, label));
  }
});

test('Deno 2: import from npm:genomcore-events-wasm, from the project node_modules', async (t) => {
  t.diagnostic(await version(DENO));
  const port = new URL(ORIGIN).port;
  // Its own cache folder, so that nothing of a user's Deno is read or written.
  const env = { ...process.env, DENO_DIR: mkdtempSync(join(tmpdir(), 'deno-dir-')), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  const out = await nodeJson(
    ['run', '--quiet', '--no-prompt', `--allow-read=${APP}`, `--allow-net=127.0.0.1:${port}`, 'deno-main.mjs', ORIGIN, 'deno'],
    { bin: DENO, env, timeout: 120_000 },
  );
  t.diagnostic(`resolved: ${out.resolved}`);
  assert.match(out.resolved, NODE_ENTRY, 'Deno takes the node condition');
  assert.deepEqual(out.exports, EXPORTS);
  assert.deepEqual(out.result, expected(ORIGIN, 'deno'));
});

test('Bun: ES module import and CommonJS require', async (t) => {
  t.diagnostic(`bun ${await version(BUN)}`);
  for (const [file, label] of [['node-esm.mjs', 'bun-esm'], ['node-cjs.cjs', 'bun-cjs']]) {
    const out = await nodeJson([file, label], { bin: BUN });
    assert.match(out.resolved, NODE_ENTRY);
    assert.deepEqual(out.exports, EXPORTS);
    assert.equal(out.oneInstance, true);
    assert.deepEqual(out.result, expected(ORIGIN, label));
  }
});

test('genomcore-events-wasm/slim and /wasm in Node 20 and 22: initSync with bytes, init with a module', async () => {
  for (const [bin, label, how] of [[process.execPath, 'slim-node20', 'bytes'], [NODE22, 'slim-node22', 'module']]) {
    const out = await nodeJson(['slim-node.mjs', ORIGIN, label, how], { bin });
    assert.match(out.wasm, /\/node_modules\/genomcore-events-wasm\/web\/genomcore_events_wasm_bg\.wasm$/);
    assert.deepEqual(out.exports, [...EXPORTS, 'init', 'initSync'].sort());
    assert.deepEqual(out.result, expected(ORIGIN, label));
  }
});

test('genomcore-events-wasm/inline in Node 20 (base64 decoded without Uint8Array.fromBase64)', async () => {
  assert.equal(typeof Uint8Array.fromBase64, 'undefined', 'Node 20 has no Uint8Array.fromBase64: the fallback is what runs');
  const out = await nodeJson(['slim-node.mjs', ORIGIN, 'inline-node20', 'inline']);
  assert.deepEqual(out.exports, EXPORTS);
  assert.deepEqual(out.result, expected(ORIGIN, 'inline-node20'));
});
