// A Cloudflare Worker, as a user writes it: the package imported by its name (the
// test bundles it as wrangler does, with the conditions workerd, worker, browser).
// Each request to /?origin=… runs the scenario against the emulator at that origin.
import * as pkg from 'genomcore-events-wasm';
import { scenario } from './scenario.mjs';

export default {
  async fetch(request) {
    const origin = new URL(request.url).searchParams.get('origin');
    try {
      const result = await scenario(pkg, { origin, label: 'workerd' });
      return Response.json({ ok: true, result, exports: Object.keys(pkg).sort() });
    } catch (e) {
      return Response.json({ ok: false, error: String((e && e.stack) || e) });
    }
  },
};
