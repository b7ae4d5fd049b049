// A dedicated Web Worker that imports the package as in the README.
import { EventsClient } from 'genomcore-events-wasm';
import * as pkg from 'genomcore-events-wasm';
import { answer } from '../worker-side.mjs';

answer(pkg, EventsClient, 'worker-vite');
