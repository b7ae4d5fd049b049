// The page side of the browser tests: runs the scenario with the package's exports
// and leaves a Promise of `{ ok, result | error }` in `window.__result`.
import { scenario } from './scenario.mjs';

export function start(pkg, label) {
  window.__result = scenario(pkg, { origin: location.origin, label }).then(
    (result) => ({ ok: true, result }),
    (e) => ({ ok: false, error: String((e && e.stack) || e) }),
  );
}
