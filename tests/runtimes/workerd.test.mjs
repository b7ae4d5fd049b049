// Cloudflare Workers: the installed package in a Worker bundled by wrangler itself
// (`wrangler deploy --dry-run --outdir`, offline; wrangler 4 needs Node 22, which the
// runtime tests have), run by Cloudflare's `workerd` through Miniflare (npm), as
// `wrangler dev` would. The platform refuses to compile wasm from bytes at run time and
// `fetch` at global scope: the Worker starts only if the package's Workers entry does
// neither. The control: the same Worker bundled without the `workerd` condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { APP, ORIGIN, ROOT, expected, run } from '../package/helpers.mjs';

const NODE22 = join(ROOT, 'tests', 'runtimes', 'node22', 'node_modules', '.bin', 'node');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const OUT = join(APP, 'workerd-dist');

// For the control bundle, what wrangler does with `import mod from './x.wasm'`: the
// module is left out of the bundle, copied beside it under a content hash, and uploaded
// as a CompiledWasm module.
const wasmModules = {
  name: 'wasm-modules-as-wrangler',
  setup(build) {
    build.onResolve({ filter: /\.wasm$/ }, (args) => {
      const file = join(args.resolveDir, args.path);
      const hash = createHash('sha1').update(readFileSync(file)).digest('hex').slice(0, 16);
      const name = `${hash}-${basename(file)}`;
      const out = build.initialOptions.outdir;
      mkdirSync(out, { recursive: true });
      copyFileSync(file, join(out, name));
      return { path: `./${name}`, external: true };
    });
  },
};

async function bundle(out, conditions) {
  return esbuild.build({
    entryPoints: [join(APP, 'worker-workerd.mjs')],
    outdir: out,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions,
    plugins: [wasmModules],
    metafile: true,
    logLevel: 'silent',
  });
}

test('Cloudflare workerd (Miniflare): a Worker bundled by wrangler runs the scenario', async (t) => {
  writeFileSync(
    join(APP, 'wrangler.toml'),
    'name = "genomcore-events-wasm-test"\nmain = "worker-workerd.mjs"\ncompatibility_date = "2025-09-01"\n',
  );
  // Offline and quiet, its config and logs kept inside the temporary project.
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CI: 'true',
    NO_COLOR: '1',
    XDG_CONFIG_HOME: join(APP, '.config'),
    WRANGLER_LOG_PATH: join(APP, '.wrangler-logs'),
  };
  const { stdout } = await run(NODE22, [WRANGLER, 'deploy', '--dry-run', '--outdir', OUT], { cwd: APP, env, timeout: 120_000 });
  assert.match(stdout, /--dry-run: exiting now/);
  const bundled = readFileSync(join(OUT, 'worker-workerd.js'), 'utf8');
  const inputs = [...bundled.matchAll(/^\/\/ (node_modules\/genomcore-events-wasm\/\S+)$/gm)].map((m) => m[1]);
  assert.ok(inputs.includes('node_modules/genomcore-events-wasm/web/workerd.js'), `the Workers entry is bundled: ${inputs}`);
  assert.ok(!inputs.some((p) => /\/web\/(index|inline)\.js$|\/node\//.test(p)), `no other entry is bundled: ${inputs}`);
  assert.equal(readdirSync(OUT).filter((f) => f.endsWith('.wasm')).length, 1, 'the .wasm is a module of its own');

  const mf = new Miniflare({
    modules: true,
    scriptPath: join(OUT, 'worker-workerd.js'),
    modulesRoot: OUT,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-09-01',
  });
  try {
    const url = new URL('http://worker.test/');
    url.searchParams.set('origin', ORIGIN);
    const res = await mf.dispatchFetch(url);
    const body = await res.json();
    assert.equal(body.ok, true, body.error);
    assert.deepEqual(body.exports, [
      'AbortError', 'AuthError', 'CreateEventsError', 'EventsApiError', 'EventsClient', 'EventsError', 'NetworkError',
      'SourceError', 'TimeoutError', 'ValidationError',
    ]);
    assert.deepEqual(body.result, expected(ORIGIN, 'workerd'));
    const { version } = JSON.parse(readFileSync(join(process.env.PKG_TEST_ROOT, 'node_modules', 'workerd', 'package.json'), 'utf8'));
    const wrangler = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'wrangler', 'package.json'), 'utf8')).version;
    t.diagnostic(`wrangler ${wrangler}, workerd ${version} through miniflare`);
  } finally {
    await mf.dispose();
  }
});

test('workerd without the workerd condition (the browser entry) does not run: what the Workers entry is for', async (t) => {
  const out = join(APP, 'workerd-browser-entry');
  const built = await bundle(out, ['browser']);
  assert.ok(Object.keys(built.metafile.inputs).some((p) => p.endsWith('genomcore-events-wasm/web/index.js')));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, 'worker-workerd.js'),
    modulesRoot: out,
    compatibilityDate: '2025-09-01',
  });
  try {
    const url = new URL('http://worker.test/');
    url.searchParams.set('origin', ORIGIN);
    const outcome = await mf.dispatchFetch(url).then(
      async (res) => `answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
      (e) => `did not start, as expected: ${e.message.split('\n')[0]}`,
    );
    t.diagnostic(outcome);
    // At startup: `import.meta.url` is no URL there ("Invalid URL string"), and `fetch`
    // at global scope is refused anyway.
    assert.match(outcome, /^did not start, as expected: /, 'the browser entry ran in workerd: the Workers entry would not be needed');
  } finally {
    await mf.dispose().catch(() => {});
  }
});
