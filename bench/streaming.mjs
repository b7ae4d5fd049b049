// JS-streaming, the hand-written client that uploads an NDJSON file as a good JS developer
// would: `readline`, batches of lines, `fetch` with a pool of workers. Shared by
// bench/ndjson.mjs and bench/network.mjs.
import { createReadStream } from 'node:fs';
import readline from 'node:readline';

/** Runs `send(body)` for each body `next()` gives, `concurrency` at a time; resolves the ids. */
export async function pool(next, send, concurrency) {
  const ids = [];
  let k = 0;
  async function worker() {
    for (;;) {
      const body = await next();
      if (body === null) return;
      const i = k++;
      ids[i] = await send(body);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids.flat();
}

export function sender(api, token, { gzip = false } = {}) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  return async (text) => {
    const body = gzip ? await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer() : text;
    const r = await fetch(`${api}/events`, { method: 'POST', headers, body });
    if (r.status !== 201) throw new Error(`${r.status} ${await r.text()}`);
    return (await r.json()).ids;
  };
}

/** Chunks of `chunksize` lines of the file, one at a time, in order. */
export function lineBatches(file, make, chunksize) {
  const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  return () => {
    // Batches are taken one after the other, whichever worker asks.
    const take = queue.then(async () => {
      const batch = [];
      while (batch.length < chunksize) {
        const { value, done } = await lines.next();
        if (done) break;
        if (value.trim()) batch.push(value);
      }
      return batch.length ? make(batch) : null;
    });
    queue = take.then(() => {}, () => {});
    return take;
  };
}


/** JS-streaming: each line `JSON.parse`d, each batch `JSON.stringify`d. */
export const parsedBatch = (lines) => JSON.stringify(lines.map((l) => JSON.parse(l)));
