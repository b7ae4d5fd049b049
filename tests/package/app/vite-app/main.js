// A small app that imports the package the way the README says; Vite bundles it with
// no plugin and no configuration (only `--base ./`, to serve it from a subfolder).
import { EventsClient } from 'genomcore-events-wasm';
import * as pkg from 'genomcore-events-wasm';
import { start } from '../page.mjs';

if (typeof EventsClient !== 'function') throw new Error('EventsClient is not a class');
start(pkg, new URLSearchParams(location.search).get('label') ?? 'vite');
