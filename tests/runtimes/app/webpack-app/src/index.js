// A page bundled by webpack 5 with its defaults (entry src/index.js, output
// dist/main.js) and `mode: 'production'`: the package by its name, nothing else.
import * as pkg from 'genomcore-events-wasm';
import { start } from '../../page.mjs';

start(pkg, 'webpack');
