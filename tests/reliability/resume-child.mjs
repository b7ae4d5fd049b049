// The uploading process of resume.test.mjs, killed and run again: uploads an NDJSON
// file with a given runId and writes each progress report's `resumeFrom` to a state
// file (synchronously, so that what it says was stored survives a kill -9). With
// RESUME=1 it starts from the state file's `resumeFrom`. The token comes from the
// environment, never from the arguments. Prints the result (or error) as JSON.
import { openAsBlob, readFileSync, renameSync, writeFileSync, createReadStream, existsSync } from 'node:fs';
import { loadClient } from './helpers.mjs';

const [api, file, runId, state, source] = process.argv.slice(2);
const { EventsClient } = loadClient();
const client = new EventsClient({ token: process.env.EVENTS_TOKEN, baseUrl: api, concurrency: 3 });
const resumeFrom = process.env.RESUME === '1' && existsSync(state) ? JSON.parse(readFileSync(state, 'utf8')) : undefined;
const input = source === 'blob' ? await openAsBlob(file) : createReadStream(file, { highWaterMark: 64 * 1024 });
const save = (point) => {
  writeFileSync(`${state}.tmp`, JSON.stringify(point));
  renameSync(`${state}.tmp`, state);
};
try {
  const result = await client.createEvents(input, {
    chunksize: 500,
    runId,
    resumeFrom,
    onProgress: (p) => save(p.resumeFrom),
  });
  console.log(JSON.stringify({ ok: true, created: result.created, resumeFrom: result.resumeFrom, chunks: result.chunks.length }));
} catch (e) {
  if (e.resumeFrom) save(e.resumeFrom);
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message, resumeFrom: e.resumeFrom }));
  process.exitCode = 1;
}
