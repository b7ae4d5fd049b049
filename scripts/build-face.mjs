// Compiles the TypeScript face (pkg-template/src/) with tsc, beside a wasm-bindgen
// glue, as ES modules or as CommonJS, with its declarations:
//
//   node scripts/build-face.mjs --format esm|cjs --glue DIR --out DIR
//
// DIR of --glue holds genomcore_events_wasm.d.ts (wasm-bindgen's declarations): the
// face is checked against them, and its `./genomcore_events_wasm.js` import is that
// glue at run time. ESM compiles every module (api, slim, load: the web entries' own);
// CommonJS the client, errors and types (api). One source, two tsc runs: no text is
// converted. The package's node/ holds a package.json `{"type": "commonjs"}`, so that
// its `.js` and `.d.ts` files are CommonJS in a `"type": "module"` package.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { format: { type: 'string' }, glue: { type: 'string' }, out: { type: 'string' } } });
const { format, glue, out } = values;
if (!['esm', 'cjs'].includes(format) || !glue || !out) {
  console.error('usage: build-face.mjs --format esm|cjs --glue DIR --out DIR');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const src = join(root, 'pkg-template/src');
const GLUE_DTS = 'genomcore_events_wasm.d.ts';

// The sources and the glue's declarations side by side, in a scratch directory.
const stage = mkdtempSync(join(tmpdir(), 'face-'));
try {
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(stage, f));
  copyFileSync(join(resolve(glue), GLUE_DTS), join(stage, GLUE_DTS));
  // Two runs: the JavaScript without comments (what browsers download), the
  // declarations with their doc comments (what editors show).
  const base = format === 'esm'
    ? { module: 'es2022', moduleResolution: 'bundler', outDir: resolve(out) }
    : { module: 'commonjs', moduleResolution: 'node10', outDir: resolve(out) };
  const runs = {
    js: { ...base, declaration: false, removeComments: true },
    dts: { ...base, emitDeclarationOnly: true },
  };
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const [what, compilerOptions] of Object.entries(runs)) {
    const config = join(stage, `tsconfig.${what}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'pkg-template/tsconfig.json'),
        compilerOptions,
        files: format === 'esm' ? ['api.ts', 'slim.ts'] : ['api.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`build-face: tsc (${format}, ${what}) failed`);
      process.exit(1);
    }
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
