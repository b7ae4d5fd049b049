#!/usr/bin/env node
// The `genomcore-events` command (upload | export | delete | query); see `--help`.
import { main } from '../cli/main.mjs';

// Exit explicitly: a lingering handle, such as a paused standard input, must not keep
// it alive. But first let standard output and error drain: writes to a pipe are
// asynchronous, and process.exit drops what the reader has not taken yet (a query's
// JSON piped into a slow reader was cut at 64 KiB).
const code = await main(process.argv.slice(2));
await Promise.all([process.stdout, process.stderr].map(drained));
process.exit(code);

function drained(stream) {
  if (stream.destroyed || stream.writableLength === 0) return undefined;
  // The callback runs once what was queued before it is written, or with the error of
  // a reader gone (EPIPE).
  return new Promise((done) => stream.write('', () => done()));
}
