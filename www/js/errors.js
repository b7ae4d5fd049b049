// Every error the package throws, shown readably: its class name, its message, its fields.
import { ValidationError } from 'genomcore-events-wasm';
import { el, fmtInt, plural } from './dom.js';

const SHOWN_PROBLEMS = 10;
const SHOWN_CHUNKS = 5;
const SHOWN_SKIPPED = 100;

const HINTS = {
  NetworkError: 'The request did not reach the API: check the base URL and your connection; a hosted API must also allow this page\'s origin (CORS).',
  TimeoutError: 'The API did not answer in time; the client already retried. Try again, or lower the chunk size.',
  AuthError: 'The token is missing, wrong or expired: connect again (step 1).',
  SourceError: 'The file could not be read (changed on disk, or gone?): pick it again.',
};

const isValidation = (e) => e instanceof ValidationError || e?.name === 'ValidationError';

/**
 * Fills `box` with a readable account of `err`.
 * @param {HTMLElement} box
 * @param {unknown} err
 * @param {{rowLabel?: (problem: {index: number, line?: number}) => string, total?: number, what?: string}} [context]
 */
export function showError(box, err, context = {}) {
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e.name || 'Error';
  box.replaceChildren();
  box.className = `result ${name === 'AbortError' ? 'warn' : 'error'}`;

  if (name === 'FormError') {
    box.append(el('h3', {}, 'Check the form'), el('p', {}, e.message));
    return;
  }
  if (isValidation(e)) {
    validation(box, e, context);
    return;
  }
  const title = {
    EventsApiError: `the API answered ${e.status}`,
    CreateEventsError: 'some chunks were not stored',
    AbortError: 'cancelled',
    TimeoutError: 'no answer in time',
    NetworkError: 'the API could not be reached',
    AuthError: 'no usable token',
    SourceError: 'the file could not be read',
  }[name] ?? (context.what ? `${context.what} failed` : 'failed');
  box.append(el('h3', {}, el('span', { className: 'err-name' }, name), ': ', title));

  if (name === 'CreateEventsError' || (name === 'AbortError' && Array.isArray(e.failed))) {
    chunks(box, e, context);
    return;
  }
  box.append(el('p', {}, e.message));
  if (name === 'EventsApiError') {
    const server = Array.isArray(e.serverMessage) ? e.serverMessage : [];
    if (server.length > 1) box.append(el('ul', {}, server.slice(0, SHOWN_PROBLEMS).map((m) => el('li', {}, m))));
    box.append(el('p', { className: 'help' }, e.retryable
      ? 'Passing trouble: the client retried with backoff before giving up.'
      : 'The request was refused as it is; retrying the same request would not help.'));
  }
  const hint = name === 'EventsApiError' && e.status === 401 ? HINTS.AuthError : HINTS[name];
  if (hint) box.append(el('p', { className: 'help' }, hint));
}

const defaultRowLabel = (p) => `event ${p.index + 1} (index ${p.index})`;

/** A table of problems: the row (by `rowLabel`), the field, the message. */
function problemTable(problems, rowLabel, className = 'problems') {
  return el('table', { className },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Row'), el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Problem'))),
    el('tbody', {}, problems.map((p) => el('tr', {},
      el('td', {}, rowLabel(p)),
      el('td', {}, el('code', {}, p.field || '(event)')),
      el('td', {}, p.message)))));
}

function validation(box, e, { rowLabel = defaultRowLabel }) {
  const problems = Array.isArray(e.problems) ? e.problems : [];
  const count = e.problemCount ?? problems.length;
  const rows = new Set(problems.map((p) => p.index)).size;
  // Bytes (a file, a stream) are checked chunk by chunk: chunks before the bad event may be stored.
  const streamed = typeof e.created === 'number';
  box.append(
    el('h3', {}, el('span', { className: 'err-name' }, 'ValidationError'), ': ',
      streamed && e.created > 0 ? 'the upload stopped at a bad event' : 'nothing was sent'),
    el('p', {}, `${plural(count, 'problem')} in the events${rows && count === problems.length ? ` (${plural(rows, 'row')})` : ''}. ` +
      (streamed
        ? `The client checks each chunk before it is sent: ${plural(e.created, 'event')} before the bad one ${e.created === 1 ? 'was' : 'were'} stored, nothing after it was sent. ` +
          'Fix the file and pick it again (the same name), or choose to skip bad events, then press Create events or Resume: the upload goes on after what was stored, nothing is stored twice.'
        : 'The client checks every event against the contract before the first request.')),
  );
  const shown = problems.slice(0, SHOWN_PROBLEMS);
  box.append(problemTable(shown, rowLabel));
  if (count > shown.length) box.append(el('p', { className: 'help' }, `… and ${plural(count - shown.length, 'more problem')}.`));
}

/**
 * Appends to `box` the events `onInvalid: 'skip'` left out (`result.skipped`: `count`, the
 * first `problems`, `problemCount`), each by its row.
 */
export function showSkipped(box, skipped, rowLabel = defaultRowLabel) {
  if (!skipped.count) return;
  const problems = skipped.problems ?? [];
  const shown = problems.slice(0, SHOWN_SKIPPED);
  box.append(
    el('h4', {}, `Skipped ${plural(skipped.count, 'bad event')} (onInvalid: 'skip')`),
    problemTable(shown, rowLabel, 'problems skipped'),
  );
  const more = (skipped.problemCount ?? problems.length) - shown.length;
  if (more > 0) box.append(el('p', { className: 'help' }, `… and ${plural(more, 'more problem')} (the client reports the first ${problems.length}).`));
}

function chunks(box, e, { total }) {
  const failed = Array.isArray(e.failed) ? e.failed : [];
  const notStored = failed.reduce((n, f) => n + (f.count ?? 0), 0);
  const created = e.created ?? 0;
  // A file's total is known only once it is read to the end.
  const of = total === undefined ? '' : ` of ${fmtInt(total)}`;
  if (failed.length === 0) {
    // Not a chunk's failure: the source's (a file changed or gone), or a stop before any
    // chunk left. Its own message says which.
    box.append(el('p', {}, created === 0 ? 'Nothing was stored. ' : `${fmtInt(created)}${of} events were stored. `, e.message));
    if (/the source failed/.test(e.message)) {
      box.append(el('p', { className: 'help' }, 'The file could not be read (changed on disk, or gone?): pick it again, then press Create events to go on after what was stored.'));
    }
  } else {
    box.append(el('p', {}, `${fmtInt(created)}${of} events were stored; ` +
      `${fmtInt(notStored)} in ${plural(failed.length, 'chunk')} were not.`));
  }
  const resume = typeof e.runId === 'string'
    ? 'Resuming (the same events and chunking, with error.runId) stores only what is missing: the server answers chunks it has already stored from its idempotency cache.'
    : 'Every stored chunk is listed in error.succeeded with its ids; error.failed lists what to resend.';
  if (e.name === 'AbortError') {
    box.append(el('p', { className: 'help' }, resume));
    return;
  }
  box.append(el('ul', {}, failed.slice(0, SHOWN_CHUNKS).map((f) => el('li', {},
    `chunk ${f.index}: events ${fmtInt(f.from)}–${fmtInt(f.to - 1)} (${fmtInt(f.count)}) after ${plural(f.attempts ?? 1, 'attempt')}: `,
    el('span', { className: 'err-name' }, f.error?.name ?? 'Error'), ` ${f.error?.message ?? ''}`))));
  if (failed.length > SHOWN_CHUNKS) box.append(el('p', { className: 'help' }, `… and ${plural(failed.length - SHOWN_CHUNKS, 'more failed chunk')}.`));
  box.append(el('p', { className: 'help' }, resume));
  // Chunks refused for the token: a fresh one (step 1) serves the resumed upload.
  if (failed.some((f) => f.error?.name === 'AuthError' || f.error?.status === 401)) {
    box.append(el('p', { className: 'help' }, `${HINTS.AuthError} Then resume: the upload goes on with the new token.`));
  }
}
