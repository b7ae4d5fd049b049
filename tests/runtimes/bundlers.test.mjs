// Production builds of a page by webpack 5, esbuild and Rollup, each with its defaults
// plus at most the one line of configuration the package README gives, run in headless
// Chromium against the emulator (Vite is in tests/package/vite.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { APP, ORIGIN, ROOT, expected, runPage } from '../package/helpers.mjs';

const require = createRequire(join(ROOT, 'package.json'));
const versionOf = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
const WASM_PATH = '/node_modules/genomcore-events-wasm/web/genomcore_events_wasm_bg.wasm';

function loadedWasm(requests) {
  return requests.filter((r) => new URL(r.url).pathname.endsWith('.wasm')).map((r) => [new URL(r.url).pathname, r.status]);
}

test('webpack 5, production, no configuration beyond mode: the .wasm is emitted and loaded', async (t) => {
  const webpack = require('webpack');
  t.diagnostic(`webpack ${versionOf('webpack')}`);
  const dir = join(APP, 'webpack-app');
  // `webpack --mode production` run in `dir`: its defaults take ./src/index.js to ./dist/main.js.
  const config = { context: dir, mode: 'production', output: { path: join(dir, 'dist') } };
  const stats = await new Promise((resolve, reject) => webpack(config, (err, s) => (err ? reject(err) : resolve(s))));
  const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
  assert.deepEqual(info.errors, [], 'webpack errors');
  // Its size hints (a 177 KB asset) are advice, not problems.
  assert.deepEqual(info.warnings.filter((w) => !/size limit|performance/i.test(w.message)), [], 'webpack warnings');
  const wasm = info.assets.map((a) => a.name).filter((n) => n.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm asset: ${info.assets.map((a) => a.name)}`);
  const { result, requests } = await runPage('/webpack-app/index.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'webpack'));
  assert.deepEqual(loadedWasm(requests), [[`/webpack-app/dist/${wasm[0]}`, 200]]);
});

test('webpack 5, target webworker (condition "worker"): the browser entry, not the Workers one', async () => {
  const webpack = require('webpack');
  const dir = join(APP, 'webpack-app');
  const config = { context: dir, mode: 'production', target: 'webworker', output: { path: join(dir, 'dist-webworker') } };
  const stats = await new Promise((resolve, reject) => webpack(config, (err, s) => (err ? reject(err) : resolve(s))));
  const info = stats.toJson({ all: false, errors: true, modules: true, nestedModules: true });
  assert.deepEqual(info.errors, [], 'webpack errors');
  const names = JSON.stringify(info.modules.map((m) => [m.name, ...(m.modules ?? []).map((n) => n.name)]));
  assert.match(names, /genomcore-events-wasm\/web\/index\.js/);
  assert.doesNotMatch(names, /workerd\.js/);
});

test('esbuild, --bundle --minify --format=esm, import from genomcore-events-wasm/inline', async (t) => {
  const esbuild = await import('esbuild');
  t.diagnostic(`esbuild ${versionOf('esbuild')}`);
  const dir = join(APP, 'esbuild-app');
  const built = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['main.js'],
    bundle: true,
    minify: true,
    outdir: 'dist',
    format: 'esm', // the one line: esbuild's default format for the browser (iife) cannot hold top-level await
    logLevel: 'silent',
  });
  assert.deepEqual(built.errors, []);
  assert.deepEqual(built.warnings, []);
  assert.deepEqual(readdirSync(join(dir, 'dist')), ['main.js']);
  const { result, requests } = await runPage('/esbuild-app/index.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'esbuild'));
  assert.deepEqual(loadedWasm(requests), [], 'the wasm is inside the bundle');
});

test('Rollup 4 with @rollup/plugin-node-resolve, import from genomcore-events-wasm/inline', async (t) => {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  t.diagnostic(`rollup ${versionOf('rollup')}, @rollup/plugin-node-resolve ${versionOf('@rollup/plugin-node-resolve')}`);
  const dir = join(APP, 'rollup-app');
  const warnings = [];
  const bundle = await rollup({
    input: join(dir, 'main.js'),
    plugins: [nodeResolve()], // the one line: Rollup resolves no npm package without it
    onwarn: (w) => warnings.push(w.message),
  });
  await bundle.write({ dir: join(dir, 'dist') }); // format: 'es', Rollup's default
  await bundle.close();
  assert.deepEqual(warnings, []);
  assert.deepEqual(readdirSync(join(dir, 'dist')), ['main.js']);
  const { result, requests } = await runPage('/rollup-app/index.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'rollup'));
  assert.deepEqual(loadedWasm(requests), []);
});

test('genomcore-events-wasm/slim in a page: init() with a compiled WebAssembly.Module', async () => {
  const { result, requests } = await runPage('/slim.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'slim'));
  assert.deepEqual(loadedWasm(requests), [[WASM_PATH, 200]], 'the page fetched the .wasm once; the second init fetched nothing');
  assert.ok(readFileSync(join(APP, 'node_modules', 'genomcore-events-wasm', 'web', 'slim.js'), 'utf8').includes('init'));
});

test('genomcore-events-wasm/inline in a page without a bundler: no .wasm fetched', async () => {
  const { result, requests } = await runPage('/inline.html', { allowHttpErrors: { '/api/v1/events/query': 1 } });
  assert.deepEqual(result, expected(ORIGIN, 'inline'));
  assert.deepEqual(loadedWasm(requests), []);
});
