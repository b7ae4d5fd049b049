// The page starts a dedicated module worker; the worker imports the package and runs
// the scenario; the page only relays the worker's answer.
import { startWorker } from '../worker-page.mjs';

startWorker(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
