// A page bundled by esbuild (`--bundle --minify --format=esm`): the package's
// `/inline` entry, since esbuild copies no `.wasm` named by `new URL(…, import.meta.url)`.
import * as pkg from 'genomcore-events-wasm/inline';
import { start } from '../page.mjs';

start(pkg, 'esbuild');
