// Step 2: generate or load events, then createEvents with a progress bar and a Cancel button.
import { $, el, fmtInt, fmtMs, intField, plural, setStatus, FormError, splitList } from './dom.js';
import { generateEvents, newRunId } from './generate.js';
import { loadEventsFile } from './files.js';
import { showError } from './errors.js';

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

  const source = () => form.elements.source.value;
  const showSource = () => {
    $('generate-fields').hidden = source() !== 'generate';
    $('file-fields').hidden = source() !== 'file';
  };
  for (const radio of form.elements.source) radio.addEventListener('change', showSource);
  showSource();

  $('file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    loaded = null;
    result.replaceChildren();
    if (!file) { setStatus(fileStatus, 'idle', 'No file loaded.'); return; }
    setStatus(fileStatus, 'busy', `Reading ${file.name}…`);
    try {
      loaded = await loadEventsFile(file);
      setStatus(fileStatus, 'ok', `Loaded ${loaded.summary}. Press Create events to send them.`);
    } catch (err) {
      setStatus(fileStatus, 'error', `Cannot use ${file.name}: ${err.message}`);
    }
  });

  function setProgress(p) {
    const fraction = p.eventsTotal > 0 ? p.eventsDone / p.eventsTotal : 0;
    const pct = Math.floor(fraction * 100);
    bar.value = pct;
    bar.textContent = `${pct}%`;
    percent.textContent = `${pct}%`;
    $('stat-chunks').textContent = `${fmtInt(p.chunksDone)} / ${p.chunksTotal ? fmtInt(p.chunksTotal) : '–'}`;
    $('stat-events').textContent = `${fmtInt(p.eventsDone)} / ${fmtInt(p.eventsTotal)}`;
    $('stat-rate').textContent = p.elapsedMs > 0 && p.eventsDone > 0 ? fmtInt((p.eventsDone * 1000) / p.elapsedMs) : '–';
    $('stat-retries').textContent = fmtInt(p.retries);
    $('stat-failed').textContent = fmtInt(p.failedChunks);
    $('stat-elapsed').textContent = p.elapsedMs > 0 ? fmtMs(p.elapsedMs) : '–';
  }

  /** The events to send, and how to name a row in a ValidationError. */
  function collect() {
    if (source() === 'file') {
      if (!loaded) throw new FormError('Choose a .json or .csv file first.');
      return { ...loaded, label: loaded.summary };
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
    return { events, rowLabel: (i) => `event ${i + 1} (index ${i})`, label: `${fmtInt(count)} generated events` };
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
      batch = collect();
    } catch (err) {
      showError(result, err);
      return;
    }
    await upload({ ...batch, chunksize, concurrency, client });
  });

  /**
   * One createEvents call with the progress bar and Cancel wired in. With `runId` it resumes an
   * earlier upload: chunks the server already stored answer from its idempotency cache.
   */
  async function upload({ events, rowLabel, chunksize, concurrency, client, runId }) {
    setProgress({ chunksDone: 0, chunksTotal: 0, eventsDone: 0, eventsTotal: events.length, retries: 0, failedChunks: 0, elapsedMs: 0 });
    box.dataset.state = 'running';
    result.replaceChildren();
    $('create-code').textContent = createCode(events.length, chunksize, concurrency, runId);

    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    const started = performance.now();
    try {
      const options = { chunksize, concurrency, signal: controller.signal, onProgress: setProgress };
      if (runId) options.runId = runId;
      const created = await client.createEvents(events, options);
      const ms = performance.now() - started;
      setProgress({
        chunksDone: created.chunks.length, chunksTotal: created.chunks.length,
        eventsDone: created.created, eventsTotal: events.length,
        retries: created.chunks.reduce((n, c) => n + c.attempts - 1, 0),
        failedChunks: 0, elapsedMs: ms,
      });
      box.dataset.state = 'done';
      showCreated(created, events, ms, runId);
    } catch (err) {
      box.dataset.state = err?.name === 'AbortError' ? 'cancelled' : 'error';
      showError(result, err, { rowLabel, total: events.length, what: 'createEvents' });
      if (typeof err?.runId === 'string' && Array.isArray(err.failed)) {
        const collections = new Set(events.map((ev) => ev.collection));
        if (collections.size === 1 && err.created > 0) ctx.useCollection?.([...collections][0]);
        // Resuming sends the same events with the same chunking and runId: nothing is stored twice.
        const again = { events, rowLabel, chunksize, concurrency, client, runId: err.runId };
        result.append(el('div', { className: 'actions' },
          el('button', { type: 'button', id: 'create-resume', className: 'primary', onclick: () => upload(again) },
            `Resume the upload (${plural(err.failed.reduce((n, f) => n + f.count, 0), 'event')} left)`)));
      }
    } finally {
      controller = null;
      run.disabled = false;
      cancel.disabled = true;
    }
  }

  cancel.addEventListener('click', () => controller?.abort());

  function showCreated(created, events, ms, resumed) {
    const collections = [...new Set(events.map((ev) => ev.collection))];
    result.className = 'result ok';
    result.replaceChildren(
      el('h3', {}, `Created ${plural(created.created, 'event')}`),
      ...(resumed ? [el('p', {}, 'Resumed with runId ', el('code', {}, resumed),
        ': the chunks stored before were answered from the server\'s idempotency cache, none stored twice.')] : []),
      el('p', {}, `${plural(created.chunks.length, 'chunk')} in ${fmtMs(ms)} · ` +
        `${fmtInt((created.created * 1000) / Math.max(ms, 1))} events/s · ` +
        `collection${collections.length === 1 ? '' : 's'} ${collections.slice(0, 3).join(', ')}${collections.length > 3 ? ', …' : ''}`),
      el('p', { className: 'help' }, 'First ids, in input order: ',
        el('code', {}, created.ids.slice(0, 3).join(', ')), created.ids.length > 3 ? ', …' : ''),
    );
    // Point steps 3 and 4 at what was just created.
    if (collections.length === 1) ctx.useCollection?.(collections[0]);
  }
}

function createCode(n, chunksize, concurrency, runId) {
  return `const controller = new AbortController();   // Cancel calls controller.abort()
const result = await client.createEvents(events /* ${fmtInt(n)} events */, {
  chunksize: ${chunksize},
  concurrency: ${concurrency},
  onProgress: (p) => draw(p),   // { chunksDone, chunksTotal, eventsDone, eventsTotal, retries, … }
  signal: controller.signal,${runId ? `\n  runId: ${JSON.stringify(runId)},   // resumes the earlier upload: error.runId` : ''}
});
// → { created, ids, chunks, runId }; or a ValidationError (nothing sent),
//   CreateEventsError / AbortError ({ created, succeeded, failed, runId })`;
}
