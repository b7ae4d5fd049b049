// `genomcore-events upload <file|->`: the file (or standard input) streamed through
// the client's createEvents, with a progress line and a resume state file.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { choiceOption, commonHelp, intOption, parse, positionals } from './args.mjs';
import { connect, looksLikeToken, target } from './connect.mjs';
import { Failure, INTERRUPTED, UsageError } from './errors.mjs';
import { bytes, colours, duration, fitParts, int, progressLine } from './output.mjs';
import { rejectsFile } from './rejected.mjs';
import { checkResumable, newState, quote, resumeCommand } from './resume.mjs';
import { loadState, removeState, saveState, statePath, throttledSaver, UnreadableState } from './state.mjs';

export const summary = 'upload an NDJSON or JSON-array file (or standard input), resumable';

export const help = `Usage: genomcore-events upload <file|-> [options]

Uploads the events of <file> (NDJSON, one event per line, or one JSON array), or of
standard input with '-', in chunks; nothing is stored twice, even across a resume.

Options:
  --format ndjson|json          default: detected from the first byte
  --chunksize N                 events per request, 1 to 100000 (default 10000)
  --concurrency N               requests in flight, 1 to 64 (default 4)
  --skip-invalid                upload the valid events; the invalid ones are listed
                                in <file stem>.rejected.ndjson next to the input
                                (standard input: stdin.rejected.ndjson here)
  --compression auto|gzip|none  gzip request bodies (default auto: not on loopback)
  --state-dir DIR               keep the resume state there (default: next to the
                                input, as <file>.genomcore-upload.json)
  --restart                     forget an interrupted upload of <file> and start over
  --progress-interval S         without a terminal, a progress line every S seconds
                                (default 5; 0: after every chunk)

Resume: after Ctrl-C, a crash or a lost network, run the same command again: it goes on
from the events already stored. A file changed since (size or modification time) is
refused unless --restart. Standard input cannot be resumed.

${commonHelp}

Examples:
  export GENOMCORE_TOKEN=…        # and GENOMCORE_REFRESH_TOKEN=… for long uploads
  genomcore-events upload events.ndjson
  genomcore-events upload events.json --format json --chunksize 5000 --env dev
  zcat events.ndjson.gz | genomcore-events upload - --base-url http://127.0.0.1:8787/api/v1
  genomcore-events upload events.ndjson --skip-invalid --json`;

export const options = {
  format: { type: 'string' },
  chunksize: { type: 'string' },
  concurrency: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  compression: { type: 'string' },
  'state-dir': { type: 'string' },
  restart: { type: 'boolean' },
  'progress-interval': { type: 'string' },
};

const C = 'upload';

export async function run(argv, { signal, onForceQuit }) {
  const { values: v, ...parsed } = parse(C, argv, options);
  if (v.help) return void console.log(help);
  const [input] = positionals(parsed, ['<file|->'], C);
  const chunksize = intOption(v, 'chunksize', 1, 100000, C);
  const concurrency = intOption(v, 'concurrency', 1, 64, C);
  const format = choiceOption(v, 'format', ['ndjson', 'json'], C);
  const compression = choiceOption(v, 'compression', ['auto', 'gzip', 'none'], C);
  const interval = intOption(v, 'progress-interval', 0, 86400, C) ?? 5;
  const where = target(v, C);
  const stdin = input === '-';
  if (stdin && (v['state-dir'] !== undefined || v.restart)) {
    throw new UsageError('standard input cannot be resumed: --state-dir and --restart need a file', C);
  }
  const client = connect(v, C);
  const err = colours(process.stderr);

  // The file and its resume state.
  let size, file, state, path;
  if (!stdin) {
    ({ size, file } = inspect(input));
    path = statePath(input, v['state-dir']);
    const saved = readState(path, v.restart);
    if (saved && !v.restart) checkResumable(saved, { file, where, chunksize, format, path }, C);
    if (saved && v.restart && saved.resumeFrom.events > 0) {
      console.error(err.yellow(`--restart: the ${int(saved.resumeFrom.events)} events stored by the interrupted upload will be stored again`));
    }
    state = saved && !v.restart ? saved : newState(file, where, chunksize, format);
    // Recorded: a run resumed without --skip-invalid still counts what this one leaves out.
    if (v['skip-invalid']) state.options.skipInvalid = true;
    saveState(path, state);
  } else {
    state = newState(undefined, where, chunksize, format);
  }
  const resumed = { ...state.resumeFrom };
  const rejects = v['skip-invalid'] ? rejectsFile(input, stdin, resumed.events) : undefined;
  // resumeFrom counts the input's events: those stored and those an earlier run left out
  // (listed in the rejects file, read also when this run is without --skip-invalid).
  const skippedBefore = (rejects ?? (state.options.skipInvalid ? rejectsFile(input, stdin, resumed.events) : undefined))?.skippedBefore ?? 0;
  const storedBefore = resumed.events - skippedBefore;
  if (resumed.events > 0) {
    console.error(`resuming run ${state.runId}: ${int(storedBefore)} events already stored` + (skippedBefore ? `, ${int(skippedBefore)} left out` : ''));
  }
  const saver = path ? throttledSaver(path, state) : undefined;
  onForceQuit(() => saver?.flush());

  // The upload.
  const line = progressLine(process.stderr, { quiet: v.json, intervalMs: interval * 1000 });
  const started = performance.now();
  let last;
  const onProgress = (p) => {
    last = p;
    if (p.resumeFrom) saver?.update(p.resumeFrom);
    if (signal.aborted) return; // chunks aborted by Ctrl-C: the line would only slow down
    line.update(progressText(p, resumed, storedBefore, size, started, line.tty ? err : colours({}), line.width));
  };
  const { chunksize: cs, format: fmt } = state.options;
  // The file as it was checked (its size is in the resume state): what is appended while
  // it uploads (a half-written line too) is left for a later upload, and said so.
  const source = stdin ? process.stdin : size > 0 ? createReadStream(input, { end: size - 1 }) : new Uint8Array(0);
  let result;
  try {
    result = await client.createEvents(source, {
      chunksize: cs,
      runId: state.runId,
      signal,
      onProgress,
      ...(fmt && { format: fmt }),
      ...(concurrency && { concurrency }),
      ...(compression && { compression }),
      ...(v['skip-invalid'] && { onInvalid: 'skip', onSkip: (e) => rejects?.add(e) }),
      ...(resumed.events > 0 && { resumeFrom: resumed }),
      ...(size !== undefined && { bytesTotal: size }),
    });
  } catch (e) {
    line.done();
    source.destroy?.();
    if (saver) {
      saver.cancel();
      if (e.resumeFrom) state.resumeFrom = { ...e.resumeFrom };
      saveState(path, state);
    }
    throw failure(e, { input, argv, state, path, stdin, signal, retries: last?.retries });
  }
  line.done();
  saver?.cancel();
  if (path) removeState(path);

  const rejected = rejects?.used ? rejects.path : undefined;
  const warnings = [...result.warnings];
  const grown = stdin ? 0 : (statSync(input, { throwIfNoEntry: false })?.size ?? size) - size;
  if (grown > 0) {
    warnings.push(`${input} grew by ${int(grown)} bytes while it uploaded: those were not uploaded (the file was read to byte ${int(size)}); ` +
      `to upload them: tail -c +${size + 1} ${quote(input)} | genomcore-events upload - …`);
  }
  const out = {
    ok: true,
    input,
    runId: result.runId,
    created: result.created,
    resumedFrom: resumed.events,
    storedBefore,
    skipped: (result.skipped?.count ?? 0) + skippedBefore,
    ...(rejected && { rejectedFile: rejected }),
    chunks: result.chunks.length,
    retries: last?.retries ?? result.chunks.reduce((n, c) => n + Math.max(0, c.attempts - 1), 0),
    compressionRefused: result.compressionRefused,
    ...(warnings.length && { warnings }),
    ...(grown > 0 && { notUploadedBytes: grown }),
    elapsedMs: Math.round(performance.now() - started),
  };
  if (v.json) return void console.log(JSON.stringify(out));
  const ok = colours(process.stdout);
  console.log(
    `${ok.green('done')}: ${int(out.created)} events created` +
      (out.storedBefore ? ` (plus ${int(out.storedBefore)} stored before the resume)` : '') +
      `, ${int(out.chunks)} chunks, ${int(out.retries)} retries, ${duration(out.elapsedMs)}`,
  );
  if (out.skipped) {
    console.log(ok.yellow(`skipped ${int(out.skipped)} invalid events`) + (rejected ? `: see ${rejected}` : ''));
  }
  if (out.compressionRefused) console.log('the API refused compressed bodies: sent plain');
  for (const w of out.warnings ?? []) console.log(ok.yellow(`warning: ${w}`));
}

/** The saved state; with `--restart`, one that cannot be read is replaced (said so). */
function readState(path, restart) {
  try {
    return loadState(path);
  } catch (e) {
    if (!(restart && e instanceof UnreadableState)) throw e;
    console.error(`--restart: ${e.message}; it is replaced`);
    return undefined;
  }
}

function inspect(input) {
  let st;
  try {
    st = statSync(input);
  } catch (e) {
    // A token pasted in the file's place is not echoed.
    const named = looksLikeToken(input) ? '(the value given looks like a token, not a path: not shown)' : input;
    throw new Failure(`cannot read ${named}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  if (!st.isFile()) throw new Failure(`${input} is not a file (use '-' for standard input)`);
  if (st.size >= 2 && readPrefix(input, 2) === '1f8b') {
    throw new Failure(`${input} is gzip-compressed: pipe it through zcat (zcat ${quote(input)} | genomcore-events upload - …)`);
  }
  return { size: st.size, file: { path: resolve(input), size: st.size, mtimeMs: st.mtimeMs } };
}

/** The progress line, its fields in display order, each with its rank: on a narrow
 * terminal the highest ranks are left out first (events/s, then the ETA), so that the
 * retries and the concurrency stay in sight. */
function progressText(p, resumed, storedBefore, size, started, paint, width) {
  const elapsed = (performance.now() - started) / 1000;
  const storedBytes = p.resumeFrom?.bytes ?? p.bytesDone ?? 0;
  const total = p.bytesTotal ?? size;
  let events = `${paint.cyan('upload')} ${paint.bold(int(p.eventsDone))} events`;
  if (storedBefore) events += ` (+${int(storedBefore)} before)`;
  const parts = [[events, 0]];
  parts.push([total !== undefined ? `${bytes(storedBytes)}/${bytes(total)} ${Math.floor((storedBytes / Math.max(total, 1)) * 100)}%` : bytes(p.bytesDone ?? 0), 1]);
  parts.push([`${int(Math.round(p.eventsDone / Math.max(elapsed, 0.001)))} events/s`, 5]);
  const rate = (storedBytes - resumed.bytes) / Math.max(elapsed, 0.001);
  if (total !== undefined && rate > 0) parts.push([`ETA ${duration(((total - storedBytes) / rate) * 1000)}`, 4]);
  parts.push([`retries ${int(p.retries)}`, 2], [`concurrency ${p.concurrency}`, 3]);
  return fitParts(parts, width);
}

/** The client's error as the command's failure: what was stored and how to go on. */
function failure(e, { input, argv, state, path, stdin, signal, retries }) {
  const stored = e.resumeFrom?.events ?? state.resumeFrom.events;
  const created = e.created ?? 0;
  const details = [];
  if (Array.isArray(e.problems) && e.problems.length) {
    for (const p of e.problems.slice(0, 5)) {
      details.push(`${p.line !== undefined ? `line ${p.line} (byte ${p.offset})` : `event ${p.index}`}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
    }
    if (e.problemCount > 5) details.push(`… ${int(e.problemCount - 5)} more`);
    details.push(
      stdin
        ? 'fix the input, or upload it with --skip-invalid to leave invalid events out'
        : 'to upload the valid rest, run the same command with --skip-invalid (it resumes: nothing is stored twice); ' +
            'a fixed file starts over with --restart (what was stored is stored again)',
    );
  }
  details.push(`${int(created)} events stored by this run` + (stored > created ? `, ${int(stored)} from the start of the input` : ''));
  // A run stopped by a bad event goes on past it only with --skip-invalid.
  const skip = Array.isArray(e.problems) && e.problems.length && !argv.includes('--skip-invalid');
  const command = resumeCommand(skip ? [...argv, '--skip-invalid'] : argv);
  if (stdin) details.push(`standard input cannot be resumed (run ${e.runId ?? state.runId}): upload from a file to be able to resume`);
  else details.push(`state saved in ${path}; to ${skip ? 'upload the valid rest' : 'resume'}: ${command}`);
  const json = {
    input,
    runId: e.runId ?? state.runId,
    created,
    resumeFrom: stdin ? undefined : state.resumeFrom,
    retries,
    ...(stdin ? { resumable: false } : { stateFile: path, resumeCommand: command }),
  };
  const interrupted = signal.aborted && e.name === 'AbortError';
  const message = interrupted ? `upload of ${input} interrupted` : `upload of ${input} failed: ${e.name}: ${e.message}`;
  return new Failure(message, { details, json, cause: e, exitCode: interrupted ? INTERRUPTED : 1 });
}

/** The first `n` bytes of the file, in hex. */
function readPrefix(input, n) {
  const fd = openSync(input, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString('hex');
  } finally {
    closeSync(fd);
  }
}
