// The worker side: runs the scenario inside the worker and posts `{ ok, result | error }`.
import { scenario } from './scenario.mjs';

export function answer(pkg, EventsClient, label) {
  const inWorker = typeof WorkerGlobalScope === 'function' && self instanceof WorkerGlobalScope && typeof window === 'undefined';
  const run = inWorker
    ? (typeof EventsClient === 'function' ? scenario(pkg, { origin: self.location.origin, label }) : Promise.reject(new Error('EventsClient is not a class')))
    : Promise.reject(new Error('not running in a dedicated worker'));
  run.then(
    (result) => self.postMessage({ ok: true, result }),
    (e) => self.postMessage({ ok: false, error: String((e && e.stack) || e) }),
  );
}
