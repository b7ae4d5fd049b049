// The resume state of an upload from a file: a small JSON file next to the input (or
// in --state-dir) with the runId, the file's size and mtime, the options that fix the
// chunk boundaries and the stored prefix (`resumeFrom`). Never a token. Written
// atomically (a temporary file renamed over it), so a kill leaves the old or the new.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Failure } from './errors.mjs';

export const STATE_VERSION = 1;

/** Where the state of an upload of `file` lives. */
export function statePath(file, stateDir) {
  if (stateDir === undefined) return `${file}.genomcore-upload.json`;
  // One directory for many inputs: the name plus a hash of the absolute path.
  const hash = createHash('sha256').update(resolve(file)).digest('hex').slice(0, 12);
  return join(stateDir, `${basename(file)}.${hash}.genomcore-upload.json`);
}

/**
 * The saved state, or `undefined` when there is none. One that cannot be read (cut
 * short by a full disk, edited, from another version) is an `Unreadable` error naming
 * the file; `--restart` replaces it.
 */
export function loadState(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw new UnreadableState(path, e.message);
  }
  let state;
  try {
    state = JSON.parse(text);
  } catch (e) {
    throw new UnreadableState(path, `not JSON (${e.message})`);
  }
  if (state?.version !== STATE_VERSION || !isState(state)) {
    throw new UnreadableState(path, `not a resume state of version ${STATE_VERSION}`);
  }
  return state;
}

/** Every field the commands read, of the type they read it as (an edited file may lack one). */
function isState(s) {
  const number = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const optional = (v) => v === undefined || number(v);
  const { runId, source, target, options, resumeFrom } = s;
  return (
    typeof runId === 'string' &&
    (source === undefined || (source !== null && typeof source.path === 'string' && number(source.size) && number(source.mtimeMs))) &&
    target !== null && typeof target === 'object' && (typeof target.baseUrl === 'string' || typeof target.env === 'string') &&
    options !== null && typeof options === 'object' && optional(options.chunksize) &&
    (options.format == null || typeof options.format === 'string') &&
    resumeFrom !== null && typeof resumeFrom === 'object' && number(resumeFrom.events) && optional(resumeFrom.bytes) && optional(resumeFrom.line)
  );
}

export class UnreadableState extends Failure {
  constructor(path, why) {
    super(`the resume state ${path} cannot be read: ${why}`, {
      details: ['run the command with --restart to start the upload over (what was stored is stored again), or delete that file'],
    });
  }
}

export function saveState(path, state) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeState(path) {
  rmSync(path, { force: true });
}

/**
 * Saves `state` with `resumeFrom` updates at most every `intervalMs` (the last one is
 * always written, by `flush()` or the timer), so that progress costs little I/O.
 */
export function throttledSaver(path, state, intervalMs = 200) {
  let last = 0;
  let timer;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    last = performance.now();
    saveState(path, state);
  };
  return {
    state,
    update(resumeFrom) {
      if (resumeFrom.events === state.resumeFrom.events && resumeFrom.bytes === state.resumeFrom.bytes) return;
      state.resumeFrom = { ...resumeFrom };
      const wait = intervalMs - (performance.now() - last);
      if (wait <= 0) write();
      else timer ??= setTimeout(write, wait);
    },
    flush: write,
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
