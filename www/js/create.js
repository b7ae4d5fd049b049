// Step 2: generate events or choose a file, then createEvents with a progress bar and a
// Cancel button. A file is streamed (the File itself is the source), its bar in bytes.
import { $, el, fmtBytes, fmtInt, fmtMs, intField, plural, setStatus, FormError, splitList } from './dom.js';
import { generateEvents, newRunId } from './generate.js';
import { prepareEventsFile } from './files.js';
import { showError, showSkipped } from './errors.js';

export function setupCreate(ctx) {
  const form = $('create-form');
  const run = $('create-run');
  const cancel = $('create-cancel');
  const result = $('create-result');
  const box = $('create-progress-box');
  const bar = $('create-progress');
  const percent = $('create-percent');
  const fileStatus = $('file-status');
  let loaded = null;
  let controller = null;
  /** The last upload that stopped unfinished and can resume: `{ again, loaded }`. */
  let unfinished = null;

  const source = () => form.elements.source.value;
  const showSource = () => {
    $('generate-fields').hidden = source() !== 'generate';
    $('file-fields').hidden = source() !== 'file';
  };
  for (const radio of form.elements.source) radio.addEventListener('change', showSource);
  showSource();

  // Picking the same path again (the file fixed in place) must fire `change`, and the
  // File read afresh: the one kept from the first pick can no longer be read.
  // Cancelling the picker then leaves no file, as the input shows.
  $('file').addEventListener('click', (e) => {
    e.target.value = '';
    loaded = null;
    setStatus(fileStatus, 'idle', 'No file chosen.');
  });
  $('file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    loaded = null;
    // An unfinished upload is kept: the file picked again after fixing it resumes it
    // (a new run would store its stored part again).
    result.replaceChildren();
    if (!file) { setStatus(fileStatus, 'idle', 'No file chosen.'); return; }
    setStatus(fileStatus, 'busy', `Looking at ${file.name}…`);
    try {
      loaded = await prepareEventsFile(file);
      const resumes = unfinished?.loaded?.name === loaded.name;
      setStatus(fileStatus, 'ok', `${loaded.summary}. ` + (resumes
        ? `Press Create events to resume its unfinished upload after the ${fmtInt(unfinished.again.resumeFrom?.events ?? 0)} events already stored (the part before them must be unchanged).`
        : unfinished?.loaded
          ? `Press Create events to send it (a new upload: the unfinished one of ${unfinished.loaded.name} is left as it is).`
          : 'Press Create events to send it.'));
    } catch (err) {
      setStatus(fileStatus, 'error', `Cannot use ${file.name}: ${err.message}`);
    }
  });

  /** `p`: a createEvents progress; `bytesTotal`: the file's size, when the source is bytes. */
  function setProgress(p, bytesTotal) {
    const total = bytesTotal ?? p.eventsTotal;
    const done = bytesTotal === undefined ? p.eventsDone : p.bytesDone ?? 0;
    const pct = total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 0;
    bar.value = pct;
    bar.textContent = `${pct}%`;
    percent.textContent = `${pct}%`;
    const of = (n) => (n === undefined ? '–' : fmtInt(n));
    // chunksDone counts failed chunks too (after a cancel, every chunk not sent fails).
    $('stat-chunks').textContent = `${fmtInt(p.chunksDone - p.failedChunks)} / ${p.chunksTotal ? fmtInt(p.chunksTotal) : '–'}`;
    $('stat-events').textContent = `${fmtInt(p.eventsDone)} / ${of(p.eventsTotal)}`;
    $('stat-bytes').textContent = bytesTotal === undefined ? '–' : `${fmtBytes(p.bytesDone ?? 0)} / ${fmtBytes(bytesTotal)}`;
    $('stat-rate').textContent = p.elapsedMs > 0 && p.eventsDone > 0 ? fmtInt((p.eventsDone * 1000) / p.elapsedMs) : '–';
    $('stat-retries').textContent = fmtInt(p.retries);
    $('stat-failed').textContent = fmtInt(p.failedChunks);
    $('stat-elapsed').textContent = p.elapsedMs > 0 ? fmtMs(p.elapsedMs) : '–';
  }

  /**
   * What to send: `events` (an array) or `source` (bytes, with `bytesTotal`), how to name a
   * problem's row, and the collection steps 3 and 4 then show.
   */
  function collect() {
    if (source() === 'file') {
      if (!loaded) throw new FormError('Choose a .ndjson, .json or .csv file first.');
      return { ...loaded, onInvalid: form.elements.onInvalid.value };
    }
    const f = form.elements;
    const count = intField(f.count, 'Number of events');
    const types = splitList(f.types.value);
    if (!f.owner.value.trim() || !f.collection.value.trim()) throw new FormError('Give an owner and a collection.');
    let events;
    try {
      events = generateEvents({
        count,
        owner: f.owner.value.trim(),
        collection: f.collection.value.trim(),
        from: f.from.value,
        to: f.to.value,
        types,
        runId: newRunId(),
      });
    } catch (e) {
      throw new FormError(e.message);
    }
    return { events, rowLabel: (p) => `event ${p.index + 1} (index ${p.index})`, collection: f.collection.value.trim() };
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (controller) return;
    result.replaceChildren();
    let batch;
    let chunksize;
    let concurrency;
    let client;
    try {
      client = ctx.requireClient();
      chunksize = intField(form.elements.chunksize, 'Chunk size');
      concurrency = intField(form.elements.concurrency, 'Concurrency');
      // The file of an unfinished upload (the same, or picked again after fixing it):
      // that upload goes on, with its chunking (another would give its chunks other
      // idempotency keys, and a new run would store its stored part again).
      if (unfinished?.loaded && source() === 'file' && loaded && loaded.name === unfinished.loaded.name) {
        await resume(loaded);
        return;
      }
      batch = collect();
    } catch (err) {
      showError(result, err);
      return;
    }
    unfinished = null;
    await upload({ ...batch, chunksize, concurrency, client });
  });

  /**
   * Resumes the unfinished upload with the client connected now (a fresh token after an
   * expiry) and the bad-event choice made now, against the same API (its idempotency
   * keys are that service's).
   */
  async function resume(file = unfinished.loaded) {
    const { again } = unfinished;
    const client = ctx.requireClient();
    if (client.baseUrl !== again.client.baseUrl) {
      throw new FormError(`This upload was made to ${again.client.baseUrl}; connect to it again (step 1) to resume, or start a new upload.`);
    }
    const onInvalid = again.source ? form.elements.onInvalid.value : again.onInvalid;
    // The file as picked now (fixed, perhaps), the chunking of the upload it resumes.
    const bytes = file && file !== unfinished.loaded ? { source: file.source, bytesTotal: file.bytesTotal } : {};
    if (Number(form.elements.chunksize.value) !== again.chunksize) form.elements.chunksize.value = again.chunksize;
    await upload({ ...again, ...bytes, client, onInvalid });
  }

  /**
   * One createEvents call with the progress bar and Cancel wired in. With `runId` it resumes an
   * earlier upload: chunks the server already stored answer from its idempotency cache.
   */
  async function upload(batch) {
    const { events, source: bytes, bytesTotal, rowLabel, collection, onInvalid, chunksize, concurrency, client, runId, resumeFrom } = batch;
    const start = { chunksDone: 0, chunksTotal: 0, eventsDone: 0, eventsTotal: events?.length, bytesDone: 0, retries: 0, failedChunks: 0, elapsedMs: 0 };
    setProgress(start, bytesTotal);
    box.dataset.state = 'running';
    result.replaceChildren();
    $('create-code').textContent = createCode(batch);

    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    const started = performance.now();
    try {
      const options = { chunksize, concurrency, signal: controller.signal, onProgress: (p) => setProgress(p, bytesTotal) };
      if (runId) options.runId = runId;
      if (resumeFrom) options.resumeFrom = resumeFrom;
      if (bytes) options.onInvalid = onInvalid;
      const created = await client.createEvents(events ?? bytes, options);
      const ms = performance.now() - started;
      setProgress({
        chunksDone: created.chunks.length, chunksTotal: created.chunks.length,
        eventsDone: created.created, eventsTotal: events?.length ?? created.created, bytesDone: bytesTotal,
        retries: created.chunks.reduce((n, c) => n + c.attempts - 1, 0),
        failedChunks: 0, elapsedMs: ms,
      }, bytesTotal);
      box.dataset.state = 'done';
      unfinished = null;
      showCreated(created, ms, batch);
    } catch (err) {
      box.dataset.state = err?.name === 'AbortError' ? 'cancelled' : 'error';
      showError(result, err, { rowLabel, total: events?.length, what: 'createEvents' });
      // A stream stopped by a bad event says so with a ValidationError that has a runId too.
      if (typeof err?.runId === 'string' && (Array.isArray(err.failed) || err.name === 'ValidationError')) {
        if (collection && err.created > 0) ctx.useCollection?.(collection);
        // Resuming sends the same events with the same chunking and runId from the stored
        // prefix on (a file is sliced past it): nothing is stored twice.
        // (An array is sent whole again: its stored chunks answer from the cache.)
        const again = { ...batch, runId: err.runId, resumeFrom: bytes ? err.resumeFrom : undefined };
        unfinished = { again, loaded: bytes ? loaded : null };
        const failed = Array.isArray(err.failed) ? err.failed : [];
        const left = events && failed.length ? ` (${plural(failed.reduce((n, f) => n + f.count, 0), 'event')} left)` : '';
        const onclick = () => resume().catch((e) => showError(result, e));
        result.append(el('div', { className: 'actions' },
          el('button', { type: 'button', id: 'create-resume', className: 'primary', onclick }, `Resume the upload${left}`)));
      }
    } finally {
      controller = null;
      run.disabled = false;
      cancel.disabled = true;
      // The button pressed was disabled (or replaced) meanwhile, which drops the keyboard
      // focus to the page's start: give it to the outcome, where Resume is.
      if (!document.activeElement || document.activeElement === document.body) result.focus();
    }
  }

  cancel.addEventListener('click', () => controller?.abort());

  function showCreated(created, ms, { collection, runId: resumed, rowLabel, resumeFrom }) {
    result.className = 'result ok';
    const skipped = created.skipped?.count ?? 0;
    const before = resumeFrom?.events ?? 0;
    result.replaceChildren(
      el('h3', {}, `Created ${plural(created.created, 'event')}${before ? ` (${fmtInt(before + created.created)} with the ${fmtInt(before)} stored before)` : ''}${skipped ? ` · skipped ${plural(skipped, 'bad event')}` : ''}`),
      ...(resumed ? [el('p', {}, 'Resumed with runId ', el('code', {}, resumed), before
        ? `: the ${fmtInt(before)} events stored before were not read again (resumeFrom); chunks stored past them were answered from the server's idempotency record, none stored twice.`
        : ': the chunks stored before were answered from the server\'s idempotency record, none stored twice.')] : []),
      el('p', {}, `${plural(created.chunks.length, 'chunk')} in ${fmtMs(ms)} · ` +
        `${fmtInt((created.created * 1000) / Math.max(ms, 1))} events/s` + (collection ? ` · collection ${collection}` : '')),
      ...(created.ids.length ? [el('p', { className: 'help' }, 'First ids, in input order: ',
        el('code', {}, created.ids.slice(0, 3).join(', ')), created.ids.length > 3 ? ', …' : '')] : []),
    );
    if (created.skipped) showSkipped(result, created.skipped, rowLabel);
    // Point steps 3 and 4 at what was just created.
    if (collection) ctx.useCollection?.(collection);
  }
}

function createCode({ events, source, onInvalid, chunksize, concurrency, runId, resumeFrom }) {
  const what = events ? `events /* ${fmtInt(events.length)} events */` : source instanceof Blob ? 'file /* the File itself: streamed, never read whole */' : 'bytes /* the CSV rows as NDJSON */';
  const progress = events
    ? 'onProgress: (p) => draw(p),   // { chunksDone, chunksTotal, eventsDone, eventsTotal, retries, … }'
    : `onProgress: (p) => draw(p.bytesDone / ${source instanceof Blob ? 'file.size' : 'bytes.length'}),   // and chunksDone, eventsDone, retries, …`;
  return `const controller = new AbortController();   // Cancel calls controller.abort()
const result = await client.createEvents(${what}, {
  chunksize: ${chunksize},
  concurrency: ${concurrency},${events ? '' : `\n  onInvalid: '${onInvalid}',   // 'skip': bad events left out and listed in result.skipped`}
  ${progress}
  signal: controller.signal,${runId ? `\n  runId: ${JSON.stringify(runId)},   // resumes the earlier upload: error.runId` : ''}${resumeFrom ? `\n  resumeFrom: ${JSON.stringify(resumeFrom)},   // error.resumeFrom: the stored prefix, not read again` : ''}
});
// → { created, ids, chunks, runId${events ? '' : ', skipped'} }; or a ValidationError (${events ? 'nothing sent' : 'nothing after the bad event sent'}),
//   CreateEventsError / AbortError ({ created, succeeded, failed, runId })`;
}
