// Issue case 6: the installed package's types, checked by `tsc --strict --noEmit` on
// consumer files that use every method, option and result field, and whose
// `@ts-expect-error` lines (wrong usage) must fail to compile: an unused directive is
// itself an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, ROOT, run } from './helpers.mjs';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TS_DIR = join(APP, 'ts');

async function tsc(...args) {
  try {
    await run(process.execPath, [TSC, '--strict', '--noEmit', ...args], { cwd: TS_DIR, timeout: 60_000 });
  } catch (e) {
    assert.fail(`tsc ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
  }
}

test('tsc --strict, module nodenext: ESM consumer (index.d.ts), CommonJS consumer (index.d.cts), /slim and /inline', async () => {
  await tsc('-p', 'tsconfig.json');
});

test('tsc --strict, moduleResolution bundler', async () => {
  await tsc('-p', 'tsconfig.bundler.json');
});

test('tsc --strict, module node16: ESM and CommonJS consumers, /slim and /inline', async () => {
  await tsc('-p', 'tsconfig.node16.json');
});

test('the shipped declarations name no `any`', () => {
  for (const file of ['index.d.ts', 'index.d.cts', 'slim.d.ts']) {
    const text = readFileSync(join(APP, 'node_modules', 'genomcore-events-wasm', file), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\bany\b/, `${file} uses any`);
  }
});

test('the declared EventsClient has every member wasm-bindgen generates, with the same return types', async () => {
  // The generated declaration is a build product of `make pack` (dist/build/), not shipped.
  const generated = join(ROOT, 'dist', 'build', 'web', 'genomcore_events_wasm.js');
  writeFileSync(
    join(TS_DIR, 'drift.mts'),
    `import type { EventsClient as Generated } from ${JSON.stringify(generated)};
import type { EventsClient } from 'genomcore-events-wasm';
// wasm-bindgen cannot express overloads or optional arguments, so the declared methods
// are narrower in their arguments; names, return types and first arguments must agree.
type Members = Exclude<keyof Generated, typeof Symbol.dispose>;
type Missing = Exclude<Members, keyof EventsClient>;
export const noneMissing: [Missing] extends [never] ? true : Missing = true;
type Ret<T> = T extends (...args: never[]) => infer R ? R : T;
type First<T> = T extends (first: infer A, ...rest: never[]) => unknown ? Exclude<A, undefined> : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Differs = {
  [K in Members & keyof EventsClient]: Same<Ret<EventsClient[K]>, Ret<Generated[K]>> extends true
    ? Same<First<EventsClient[K]>, First<Generated[K]>> extends true ? never : K
    : K;
}[Members & keyof EventsClient];
export const noneDiffers: [Differs] extends [never] ? true : Differs = true;
`,
  );
  writeFileSync(
    join(TS_DIR, 'tsconfig.drift.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom', 'esnext.disposable'] },
      files: ['drift.mts'],
    }),
  );
  await tsc('-p', 'tsconfig.drift.json');
});
