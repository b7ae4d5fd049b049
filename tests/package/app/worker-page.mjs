// The page side of the worker tests: `window.__result` settles with the worker's answer.
export function startWorker(worker) {
  window.__result = new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message} (${e.filename}:${e.lineno})` });
    worker.onmessageerror = () => resolve({ ok: false, error: 'worker message could not be read' });
  });
}
