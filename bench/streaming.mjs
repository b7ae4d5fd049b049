// JS-streaming, the hand-written client that uploads an NDJSON file as a good JS developer
// would: `readline`, batches of lines, `fetch` with a pool of workers. Shared by
// bench/ndjson.mjs and bench/network.mjs.
import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import { answerHeaders } from './baselines.mjs';

/**
 * Runs `send(body)` for each body `next()` gives, `concurrency` at a time; resolves
 * `{ created, ids }`. The client keeps no ids of a stream unless `returnIds: true`, so
 * by default the answers' ids are counted and dropped (`ids` null), the client's work
 * and no more; `keepIds: true` keeps them in input order, as the client then does.
 */
export async function pool(next, send, concurrency, { keepIds = false } = {}) {
  const ids = keepIds ? [] : null;
  let created = 0;
  let k = 0;
  async function worker() {
    for (;;) {
      const body = await next();
      if (body === null) return;
      const i = k++;
      const answer = await send(body);
      created += answer.length;
      if (keepIds) ids[i] = answer;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { created, ids: keepIds ? ids.flat() : null };
}

export function sender(api, token, { gzip = false, plainAnswers } = {}) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...answerHeaders(api, plainAnswers) };
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


/**
 * The floor: the file read in pieces of 1 MiB (as the client is given it), cut at
 * newlines with `Buffer.indexOf`, `chunksize` lines a body as bytes `[` + lines + `]`,
 * one body at a time in order; nothing decoded, parsed or checked.
 */
export function byteBatches(file, chunksize) {
  const pieces = createReadStream(file, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  const OPEN = Buffer.from('[');
  const COMMA = Buffer.from(',');
  const CLOSE = Buffer.from(']');
  let rest = Buffer.alloc(0);
  let ended = false;
  let queue = Promise.resolve();
  async function batch() {
    const parts = [OPEN];
    let lines = 0;
    while (lines < chunksize) {
      let nl = rest.indexOf(10);
      if (nl < 0) {
        if (ended) {
          if (rest.length > 0 && rest.some((b) => b > 32)) {
            if (lines > 0) parts.push(COMMA);
            parts.push(rest);
            lines++;
          }
          rest = Buffer.alloc(0);
          break;
        }
        const { value, done } = await pieces.next();
        if (done) ended = true;
        else rest = rest.length ? Buffer.concat([rest, value]) : value;
        continue;
      }
      const line = rest.subarray(0, nl);
      rest = rest.subarray(nl + 1);
      if (line.length === 0) continue;
      if (lines > 0) parts.push(COMMA);
      parts.push(line);
      lines++;
    }
    if (lines === 0) return null;
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }
  return () => {
    const take = queue.then(batch);
    queue = take.then(() => {}, () => {});
    return take;
  };
}

/** JS-streaming: each line `JSON.parse`d, each batch `JSON.stringify`d. */
export const parsedBatch = (lines) => JSON.stringify(lines.map((l) => JSON.parse(l)));
