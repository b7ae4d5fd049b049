// The hand-written JS clients the wasm client is held against, written plainly as a
// good JS developer would: no retries, `JSON.stringify` and `fetch`; no validation, or
// the contract's rules checked in plain JS first (bench/plain-validate.mjs).
import { validateEvents } from './plain-validate.mjs';

/**
 * The `Accept-Encoding` a baseline sends: the answers the client under test asks for, so
 * that both sides' answers cost the same. The client's `compression: 'auto'` asks for
 * plain answers on loopback (where gzipping them is CPU on both sides for nothing), and
 * the benchmarks run on loopback; `plainAnswers: false` keeps the platform's default
 * (gzip), for the rows and the emulated link where the client is given `'gzip'`.
 */
export function answerHeaders(api, plainAnswers = isLoopback(api)) {
  return plainAnswers ? { 'Accept-Encoding': 'identity' } : {};
}

function isLoopback(api) {
  const host = new URL(api).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** A JSON text gzipped with the platform's `CompressionStream`, as a JS developer would. */
async function gzipped(text) {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}

/**
 * JS-parallel: chunk the array, `JSON.stringify` each chunk, `fetch` with `concurrency`
 * requests in flight; resolves to the created ids in input order. `gzip`: each body
 * compressed by hand with `CompressionStream` (the network benchmark's baseline).
 * (`onChunk` is for the memory benchmark only.)
 */
export async function jsParallelCreate(events, { api, token, chunksize = 10000, concurrency = 4, onChunk, gzip = false, plainAnswers }) {
  const url = `${api}/events`;
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...answerHeaders(api, plainAnswers) };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  const chunkCount = Math.ceil(events.length / chunksize);
  const idsByChunk = new Array(chunkCount);
  let next = 0;
  async function worker() {
    while (next < chunkCount) {
      const k = next++;
      const json = JSON.stringify(events.slice(k * chunksize, (k + 1) * chunksize));
      const body = gzip ? await gzipped(json) : json;
      const response = await fetch(url, { method: 'POST', headers, body });
      if (response.status !== 201) throw new Error(`chunk ${k}: ${response.status} ${await response.text()}`);
      idsByChunk[k] = (await response.json()).ids;
      onChunk?.(k);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, chunkCount) }, worker));
  return idsByChunk.flat();
}

/**
 * JS-parallel + plain-JS validation: what the client promises (every event checked
 * before any is sent, every problem reported), done in plain JS over the objects, then
 * JS-parallel. Rejects with the problems when an event is bad; nothing is sent then.
 */
export async function jsValidatedParallelCreate(events, opts) {
  const { problems, problemCount } = validateEvents(events);
  if (problemCount > 0) {
    const e = new Error(`${problemCount} problems: ${problems.slice(0, 3).map((p) => `${p.index}.${p.field}: ${p.message}`).join('; ')}`);
    e.problems = problems;
    throw e;
  }
  return jsParallelCreate(events, opts);
}

/** SDK-style sequential: the same, one chunk at a time (how the Python SDK uploads). */
export function sdkSequentialCreate(events, opts) {
  return jsParallelCreate(events, { ...opts, concurrency: 1 });
}

/** A plain `fetch` + `response.json()` loop over the pages of a query; calls `onEvent` for each event. */
export async function plainQueryAll(body, { api, token, pageSize = 10000, plainAnswers }, onEvent) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...answerHeaders(api, plainAnswers) };
  const text = JSON.stringify(body);
  for (let page = 0; ; page++) {
    const response = await fetch(`${api}/events/query?page=${page}&pageSize=${pageSize}`, {
      method: 'POST',
      headers,
      body: text,
    });
    if (response.status !== 200) throw new Error(`page ${page}: ${response.status} ${await response.text()}`);
    const { items, total } = await response.json();
    for (const event of items) onEvent(event);
    if (items.length < pageSize || (page + 1) * pageSize >= total) return;
  }
}

/**
 * The same loop as an async generator, what a JS library would export as `queryAll`
 * (answers as `answerHeaders` says: `opts.plainAnswers`).
 */
export async function* plainQueryAllGenerator(body, opts) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${opts.token}`, ...answerHeaders(opts.api, opts.plainAnswers) };
  const pageSize = opts.pageSize ?? 10000;
  const text = JSON.stringify(body);
  for (let page = 0; ; page++) {
    const response = await fetch(`${opts.api}/events/query?page=${page}&pageSize=${pageSize}`, {
      method: 'POST',
      headers,
      body: text,
    });
    if (response.status !== 200) throw new Error(`page ${page}: ${response.status} ${await response.text()}`);
    const { items, total } = await response.json();
    yield* items;
    if (items.length < pageSize || (page + 1) * pageSize >= total) return;
  }
}
