// "Export NDJSON" (step 3): every event the query's form matches, from client.exportEvents
// (a ReadableStream of NDJSON bytes written from the API's pages), saved by the browser as a
// file. The bytes go into a Blob (Chromium keeps a large one on disk), then a download.
import { $, el, fmtBytes, plural, setStatus } from './dom.js';
import { showError } from './errors.js';

const NEWLINE = 0x0a;

/** A pass-through that counts bytes and lines (events) as they flow. */
function counter(onCount) {
  let bytes = 0;
  let lines = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
      onCount(lines, bytes);
      controller.enqueue(chunk);
    },
  });
}

/** A file name from the query's collection filter: events-<collection>.ndjson. */
function fileName(body) {
  const c = body.filter?.collection;
  const name = typeof c === 'string' ? c.replace(/[^\w.-]+/g, '_') : 'query';
  return `events-${name}.ndjson`;
}

/**
 * @param {object} ctx the page's shared state (`requireClient`)
 * @param {() => object} currentBody the query body the form shows now
 * @param {HTMLElement} result where errors are shown
 */
export function setupExport(ctx, currentBody, result) {
  const button = $('query-export');
  const status = $('export-status');
  let link = null; // the last export's object URL, released at the next one
  let controller = null;

  button.addEventListener('click', async () => {
    if (controller) return;
    let client;
    let body;
    try {
      client = ctx.requireClient();
      body = currentBody();
    } catch (err) {
      showError(result, err);
      return;
    }
    controller = new AbortController();
    button.disabled = true;
    result.replaceChildren();
    if (link) URL.revokeObjectURL(link);
    link = null;
    const name = fileName(body);
    setStatus(status, 'busy', 'Exporting…');
    try {
      const stream = client.exportEvents(body, { format: 'ndjson', signal: controller.signal });
      let events = 0;
      let bytes = 0;
      const counted = stream.pipeThrough(counter((n, b) => {
        events = n;
        bytes = b;
        status.textContent = `Exporting… ${plural(n, 'event')} (${fmtBytes(b)})`;
      }));
      // Read here, not through `new Response(stream).blob()`, which turns any error of
      // the stream into a bare "TypeError: Failed to fetch": the export's own error
      // (an EventsApiError with its status, an AbortError…) is what the page shows.
      const parts = [];
      const reader = counted.getReader();
      for (let step = await reader.read(); !step.done; step = await reader.read()) parts.push(step.value);
      const blob = new Blob(parts, { type: 'application/x-ndjson' });
      link = URL.createObjectURL(blob);
      const a = el('a', { href: link, download: name, id: 'export-link' }, name);
      setStatus(status, 'ok', `Exported ${plural(events, 'event')} (${fmtBytes(bytes)}) to `);
      status.append(a, '.');
      a.click();
    } catch (err) {
      setStatus(status, 'error', 'The export failed.');
      showError(result, err, { what: 'exportEvents' });
    } finally {
      controller = null;
      button.disabled = false;
    }
  });
}
