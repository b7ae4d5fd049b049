// Issue cases 1 and 2: the installed package in Node, by `import` and by `require`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP, ORIGIN, ROOT, expected, nodeJson, run } from './helpers.mjs';

const EXPORTS = [
  'AbortError', 'AuthError', 'CreateEventsError', 'EventsApiError', 'EventsClient', 'EventsError', 'NetworkError',
  'SourceError', 'TimeoutError', 'ValidationError',
];

test('Node ES module import: round trip, errors by class, one instance shared with require', async () => {
  const out = await nodeJson(['node-esm.mjs']);
  assert.match(out.resolved, /\/node_modules\/genomcore-events-wasm\/node\/index\.mjs$/);
  assert.deepEqual(out.exports, EXPORTS);
  assert.equal(out.oneInstance, true, 'import and require must give the same EventsClient and error classes');
  assert.deepEqual(out.result, expected(ORIGIN, 'node-esm'));
});

test('Node CommonJS require: round trip, errors by class, one instance shared with import', async () => {
  const out = await nodeJson(['node-cjs.cjs']);
  assert.match(out.resolved, /\/node_modules\/genomcore-events-wasm\/node\/index\.cjs$/);
  assert.deepEqual(out.exports, EXPORTS);
  assert.equal(out.oneInstance, true);
  assert.deepEqual(out.result, expected(ORIGIN, 'node-cjs'));
});

test('/slim: a clear error before init(), the client after initSync()', async () => {
  const out = await nodeJson(['node-slim.mjs']);
  assert.deepEqual(out, {
    beforeInit: ['Error', 'genomcore-events-wasm/slim: call init() (or initSync()) before new EventsClient(...)'],
    afterInit: 'string',
  });
});

test('Node without a global crypto (as Node 18): the entry supplies Web Crypto', async () => {
  const out = await nodeJson(['--no-experimental-global-webcrypto', 'node-cjs.cjs', 'node-no-crypto']);
  assert.equal(out.globalCrypto, 'object');
  assert.deepEqual(out.result, expected(ORIGIN, 'node-no-crypto'));
});

test('Node: every error class, made by the face from the engine\'s error values, with its fields; argument errors are plain', async () => {
  const out = await nodeJson(['node-errors.mjs']);
  assert.deepEqual(out, {
    arguments: [
      ['TypeError', false],
      ['TypeError', false],
      ['RangeError', false],
      ['RangeError', false],
    ],
    abort: { cls: true, base: true, name: 'AbortError', created: 0, succeeded: [], failed: [] },
    network: { cls: true, base: true, name: 'NetworkError', retryable: true },
    auth: { cls: true, base: true, name: 'AuthError', retryable: false },
    timeout: { cls: true, base: true, name: 'TimeoutError', retryable: true, timeoutMs: 200 },
    create: {
      cls: true,
      base: true,
      name: 'CreateEventsError',
      created: 2,
      runId: 'upload-7',
      keys: ['upload-7:0-2', 'upload-7:2-3'],
      succeeded: [[0, 2, 2]],
      failed: [[2, 3, true, 400, ['refused']]],
    },
  });
});

test('a bundle made for Node: with the package kept external it works; bundled in, it fails at load saying why and what to do', async () => {
  const dir = await mkdtemp(join(APP, 'node-bundle-'));
  try {
    const entry = join(dir, 'entry.cjs');
    await writeFile(entry, "const { EventsClient } = require('genomcore-events-wasm');\nconsole.log(JSON.stringify({ loaded: typeof EventsClient }));\n");
    const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
    const build = (out, ...flags) => run(esbuild, [entry, '--bundle', '--platform=node', `--outfile=${join(dir, out)}`, ...flags], { cwd: APP });
    await build('external.cjs', '--packages=external');
    const { stdout } = await run(process.execPath, [join(dir, 'external.cjs')], { cwd: APP });
    assert.deepEqual(JSON.parse(stdout), { loaded: 'function' });
    await build('bundled.cjs');
    const failed = await run(process.execPath, [join(dir, 'bundled.cjs')], { cwd: APP }).then(() => null, (e) => e);
    assert.ok(failed, 'the bundled package cannot find its .wasm');
    assert.match(failed.stderr, /genomcore-events-wasm: its \.wasm is not at .*: was the package bundled for Node\? Keep it out of the bundle \(esbuild --packages=external/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
