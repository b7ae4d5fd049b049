// Every error the package throws, shown readably: its class name, its message, its fields.
import { ValidationError } from 'genomcore-events-wasm';
import { el, fmtInt, plural } from './dom.js';

const SHOWN_PROBLEMS = 10;
const SHOWN_CHUNKS = 5;

const HINTS = {
  NetworkError: 'The request did not reach the API: check the base URL and your connection; a hosted API must also allow this page\'s origin (CORS).',
  TimeoutError: 'The API did not answer in time; the client already retried. Try again, or lower the chunk size.',
  AuthError: 'The token is missing, wrong or expired: connect again (step 1).',
};

const isValidation = (e) => e instanceof ValidationError || e?.name === 'ValidationError';

/**
 * Fills `box` with a readable account of `err`.
 * @param {HTMLElement} box
 * @param {unknown} err
 * @param {{rowLabel?: (i: number) => string, total?: number, what?: string}} [context]
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
  if (HINTS[name]) box.append(el('p', { className: 'help' }, HINTS[name]));
}

function validation(box, e, { rowLabel = (i) => `event ${i + 1} (index ${i})` }) {
  const problems = Array.isArray(e.problems) ? e.problems : [];
  const count = e.problemCount ?? problems.length;
  const rows = new Set(problems.map((p) => p.index)).size;
  box.append(
    el('h3', {}, el('span', { className: 'err-name' }, 'ValidationError'), ': nothing was sent'),
    el('p', {}, `${plural(count, 'problem')} in the events${rows && count === problems.length ? ` (${plural(rows, 'row')})` : ''}. ` +
      `The client checks every event against the contract before the first request.`),
  );
  const shown = problems.slice(0, SHOWN_PROBLEMS);
  box.append(el('table', { className: 'problems' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Row'), el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Problem'))),
    el('tbody', {}, shown.map((p) => el('tr', {},
      el('td', {}, rowLabel(p.index)),
      el('td', {}, el('code', {}, p.field || '(event)')),
      el('td', {}, p.message))))));
  if (count > shown.length) box.append(el('p', { className: 'help' }, `… and ${plural(count - shown.length, 'more problem')}.`));
}

function chunks(box, e, { total }) {
  const failed = Array.isArray(e.failed) ? e.failed : [];
  const notStored = failed.reduce((n, f) => n + (f.count ?? 0), 0);
  const created = e.created ?? 0;
  const all = total ?? created + notStored;
  box.append(el('p', {}, `${fmtInt(created)} of ${fmtInt(all)} events were stored; ` +
    `${fmtInt(notStored)} in ${plural(failed.length, 'chunk')} were not.`));
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
}
