// The tarball itself: its files, package.json, version, README and CHANGELOG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, run } from './helpers.mjs';

const TGZ = process.env.PKG_TEST_TGZ;
const VERSION = process.env.PKG_TEST_VERSION;
const INSTALLED = join(APP, 'node_modules', 'genomcore-events-wasm');
const pkg = JSON.parse(readFileSync(join(INSTALLED, 'package.json'), 'utf8'));

test('the tarball holds exactly the package files', async () => {
  const { stdout } = await run('tar', ['-tzf', TGZ]);
  assert.deepEqual(stdout.trim().split('\n').sort(), [
    'package/CHANGELOG.md',
    'package/LICENSE',
    'package/README.md',
    'package/bin/genomcore-events.mjs',
    ...['args', 'connect', 'delete', 'errors', 'export', 'main', 'output', 'query-body', 'query', 'rejected', 'resume', 'state', 'upload'].map((m) => `package/cli/${m}.mjs`),
    'package/node/api.d.ts',
    'package/node/api.js',
    'package/node/client.d.ts',
    'package/node/client.js',
    'package/node/errors.d.ts',
    'package/node/errors.js',
    'package/node/pull.d.ts',
    'package/node/pull.js',
    'package/node/genomcore_events_wasm.js',
    'package/node/index.cjs',
    'package/node/index.mjs',
    'package/node/index.d.mts',
    'package/node/package.json',
    'package/node/types.d.ts',
    'package/package.json',
    'package/web/api.d.ts',
    'package/web/api.js',
    'package/web/client.d.ts',
    'package/web/client.js',
    'package/web/errors.d.ts',
    'package/web/errors.js',
    'package/web/pull.d.ts',
    'package/web/pull.js',
    'package/web/genomcore_events_wasm.js',
    'package/web/genomcore_events_wasm_bg.wasm',
    'package/web/genomcore_events_wasm_bg.wasm.base64.js',
    'package/web/index.js',
    'package/web/inline.js',
    'package/web/load.d.ts',
    'package/web/load.js',
    'package/web/slim.d.ts',
    'package/web/slim.js',
    'package/web/types.d.ts',
    'package/web/workerd.js',
  ].sort());
});

test('package.json: metadata, version from Cargo.toml, no dependencies', () => {
  assert.equal(pkg.name, 'genomcore-events-wasm');
  assert.equal(pkg.version, VERSION);
  assert.ok(pkg.description.length > 20);
  assert.equal(pkg.license, 'MIT');
  assert.match(pkg.repository.url, /github\.com\/genomcore-events-wasm\/genomcore-events-wasm/);
  assert.ok(pkg.keywords.includes('wasm') && pkg.keywords.includes('genomcore'));
  assert.equal(pkg.types, './web/api.d.ts');
  // Only the entries have side effects (they initialise the wasm); a bundler may drop
  // any other module of the package that is not used (web/load.js and the face only
  // define and re-export; web/slim.js loads nothing).
  assert.deepEqual(pkg.sideEffects, ['./web/index.js', './web/inline.js', './web/workerd.js', './node/index.cjs', './node/index.mjs']);
  assert.deepEqual(pkg.engines, { node: '>=18' });
  // The command line; npm links it as node_modules/.bin/genomcore-events (tests/cli/).
  assert.deepEqual(pkg.bin, { 'genomcore-events': 'bin/genomcore-events.mjs' });
  for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies', 'scripts']) assert.equal(pkg[key], undefined, key);
});

test('package.json exports: types first in every condition, each target present', () => {
  const targets = [];
  (function walk(node, path) {
    if (typeof node === 'string') return targets.push([path, node]);
    if (Array.isArray(node)) throw new Error(`${path}: no arrays in exports`);
    const keys = Object.keys(node);
    if (typeof node.default === 'string') {
      assert.equal(keys[0], 'types', `${path}: "types" must come first`);
    }
    for (const k of keys) walk(node[k], `${path}/${k}`);
  })(pkg.exports, 'exports');
  assert.deepEqual(targets.map(([p]) => p).sort(), [
    'exports/./default/default',
    'exports/./default/types',
    'exports/./inline/default',
    'exports/./inline/types',
    'exports/./node/import/default',
    'exports/./node/import/types',
    'exports/./node/require/default',
    'exports/./node/require/types',
    'exports/./package.json',
    'exports/./slim/default',
    'exports/./slim/types',
    'exports/./wasm',
    'exports/./worker/default/default',
    'exports/./worker/default/types',
    'exports/./worker/webpack/default',
    'exports/./worker/webpack/types',
    'exports/./workerd/default',
    'exports/./workerd/types',
  ]);
  // Conditions are tried in order: the Workers entry before Node's, the browsers' last.
  assert.deepEqual(Object.keys(pkg.exports['.']), ['workerd', 'worker', 'node', 'default']);
  // webpack sets `worker` for its `webworker` target, where `.wasm` imports are no
  // `WebAssembly.Module`s: it keeps the browser entry.
  assert.equal(pkg.exports['.'].worker.webpack.default, './web/index.js');
  assert.equal(pkg.exports['.'].worker.default.default, './web/workerd.js');
  for (const [path, target] of targets) {
    assert.doesNotThrow(() => readFileSync(join(INSTALLED, target)), `${path} → ${target} is missing`);
  }
});

test('CHANGELOG has the version; README covers what the issue asks', () => {
  const changelog = readFileSync(join(INSTALLED, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, new RegExp(`^## \\[${VERSION.replace(/\./g, '\\.')}\\]`, 'm'));
  const readme = readFileSync(join(INSTALLED, 'README.md'), 'utf8');
  for (const heading of ['Install', 'Quick start', 'API', 'Errors', 'Retries and idempotency', 'Local emulator', 'Browser support']) {
    assert.match(readme, new RegExp(`^#+ .*${heading}`, 'mi'), `README section "${heading}"`);
  }
});
