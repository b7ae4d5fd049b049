// `genomcore-events export`: the client's exportEvents stream to a file or standard output.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { choiceOption, commonHelp, intOption, parse, positionals } from './args.mjs';
import { connect } from './connect.mjs';
import { Failure, INTERRUPTED } from './errors.mjs';
import { bytes, colours, int, progressLine } from './output.mjs';
import { queryBody, queryHelp, queryOptions } from './query-body.mjs';

export const summary = 'write every matching event to a file or standard output';

export const help = `Usage: genomcore-events export [options]

Writes every event matching the query, NDJSON (one event per line) by default, to
standard output or to a file (written as <file>.partial, renamed when complete).

Options:
${queryHelp}
  -o, --output FILE             write to FILE instead of standard output
  --format ndjson|json          NDJSON (default) or one JSON array
  --fields input|stored         input (default): the events as created, so that the
                                file uploads again as it is; stored: with id, createdAt
  --page-size N                 events per request, 1 to 10000 (default: the client's)

With --json the summary ({"ok", "events", "bytes", "output"}) goes to standard output,
or to standard error when standard output carries the events.

${commonHelp}

Examples:
  genomcore-events export --collection TestCollection -o events.ndjson
  genomcore-events export --query query.json --format json --fields stored > events.json
  genomcore-events export --collection TestCollection --base-url http://127.0.0.1:8787/api/v1 | wc -l`;

export const options = {
  ...queryOptions,
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  fields: { type: 'string' },
  'page-size': { type: 'string' },
};

const C = 'export';

export async function run(argv, { signal }) {
  const { values: v, ...parsed } = parse(C, argv, options);
  if (v.help) return void console.log(help);
  positionals(parsed, [], C);
  const format = choiceOption(v, 'format', ['ndjson', 'json'], C) ?? 'ndjson';
  const fields = choiceOption(v, 'fields', ['input', 'stored'], C);
  const pageSize = intOption(v, 'page-size', 1, 10000, C);
  const body = queryBody(v, C);
  const client = connect(v, C);

  const partial = v.output === undefined ? undefined : `${v.output}.partial`;
  const dest = partial ? createWriteStream(partial) : process.stdout;
  const line = progressLine(process.stderr, { quiet: v.json });
  const paint = line.tty ? colours(process.stderr) : colours({});
  const started = performance.now();
  let size = 0;
  let events = 0;
  let lastByte = 10; // the document starts a line
  let readerGone = false;
  dest.on('error', () => {}); // each write's callback reports it
  try {
    const stream = client.exportEvents(body, { format, signal, ...(fields && { fields }), ...(pageSize && { pageSize }) });
    for await (const piece of stream) {
      size += piece.length;
      // Both formats hold one event per line: count the lines that start with '{'.
      if (piece.length > 0 && lastByte === 10 && piece[0] === 123) events += 1;
      for (let i = piece.indexOf(10); i !== -1 && i + 1 < piece.length; i = piece.indexOf(10, i + 1)) {
        if (piece[i + 1] === 123) events += 1;
      }
      if (piece.length > 0) lastByte = piece[piece.length - 1];
      try {
        await write(dest, piece);
      } catch (e) {
        // The reader of standard output has gone (`| head`): a normal end, as for any
        // Unix filter; leaving the loop cancels the export's page requests.
        if (partial || e.code !== 'EPIPE') throw e;
        readerGone = true;
        break;
      }
      const secs = (performance.now() - started) / 1000;
      line.update(`${paint.cyan('export')} ${paint.bold(int(events))} events | ${bytes(size)} | ${bytes(Math.round(size / Math.max(secs, 0.001)))}/s`);
    }
    if (partial) {
      await new Promise((resolve, reject) => dest.close((e) => (e ? reject(e) : resolve())));
      renameSync(partial, v.output);
    }
  } catch (e) {
    line.done();
    if (partial) {
      dest.destroy();
      rmSync(partial, { force: true });
    }
    const interrupted = signal.aborted;
    throw new Failure(interrupted ? 'export interrupted' : `export failed: ${e.name}: ${e.message}`, {
      details: [partial ? `nothing written to ${v.output}` : `${bytes(size)} written to standard output before it stopped`],
      json: { bytes: size },
      cause: e,
      exitCode: interrupted ? INTERRUPTED : 1,
      stdoutIsData: !partial,
    });
  }
  line.done();
  if (readerGone) return;
  const out = { ok: true, events, bytes: size, output: v.output ?? '-' };
  const print = partial ? console.log : console.error;
  if (v.json) print(JSON.stringify(out));
  else print(`exported ${int(events)} events, ${bytes(size)}${partial ? ` to ${v.output}` : ''}`);
}

/** Writes `piece` and waits until it is written: backpressure, and its error. */
function write(dest, piece) {
  return new Promise((resolve, reject) => dest.write(piece, (e) => (e ? reject(e) : resolve())));
}
