// A page bundled by Rollup 4 (with @rollup/plugin-node-resolve, which any npm package
// needs there): the package's `/inline` entry, since Rollup copies no `.wasm` named by
// `new URL(…, import.meta.url)`.
import * as pkg from 'genomcore-events-wasm/inline';
import { start } from '../page.mjs';

start(pkg, 'rollup');
