// Step 3: queryEvents for the table (one page at a time), queryAll for the chart.
import { $, el, fmtInt, fmtMs, intField, plural, setStatus, splitList } from './dom.js';
import { showError } from './errors.js';
import { drawHistogram, clearChart } from './chart.js';
import { setupExport } from './export.js';

/** The chart reads at most this many matching events (queryAll stops there). */
export const CHART_CAP = 50_000;
const CHART_PAGE_SIZE = 10_000;

/** The query body from the form: equality for one value, $in for several. */
export function queryBody(f) {
  const filter = {};
  for (const field of ['owner', 'collection', 'type']) {
    const values = splitList(f[field].value);
    if (values.length === 1) filter[field] = values[0];
    else if (values.length > 1) filter[field] = { $in: values };
  }
  const body = {};
  if (Object.keys(filter).length) body.filter = filter;
  body.sort = Object.fromEntries(f.sort.value.split(',').map((kv) => {
    const [k, v] = kv.split(':');
    return [k, Number(v)];
  }));
  if (f.from.value) body.afterDate = f.from.value;
  if (f.to.value) body.beforeDate = f.to.value;
  return body;
}

export function setupQuery(ctx) {
  const form = $('query-form');
  const status = $('query-status');
  const tbody = $('results-body');
  const result = el('div', { className: 'result', role: 'status' });
  form.after(result);
  const plot = $('chart-plot');
  const caption = $('chart-caption');
  let last = null; // { body, pageSize, total }
  let pageController = null;
  let chartController = null;
  let chartKey = null;

  async function runPage(body, page, pageSize) {
    const client = ctx.requireClient();
    pageController?.abort();
    const controller = (pageController = new AbortController());
    setStatus(status, 'busy', 'Querying…');
    $('results').setAttribute('aria-busy', 'true');
    result.replaceChildren();
    const started = performance.now();
    try {
      const res = await client.queryEvents(body, { page, pageSize, signal: controller.signal });
      if (controller !== pageController) return;
      last = { body, pageSize, total: res.total };
      form.elements.page.value = String(page + 1);
      renderRows(res.items);
      const from = res.items.length ? page * pageSize + 1 : 0;
      const to = page * pageSize + res.items.length;
      setStatus(status, 'ok', `${plural(res.total, 'matching event')}` +
        (res.items.length ? ` · showing ${fmtInt(from)}–${fmtInt(to)}` : res.total ? ' · no events on this page' : '') +
        ` · ${fmtMs(performance.now() - started)}`);
      $('results-caption').textContent = res.total
        ? `Matching events ${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(res.total)}`
        : 'No matching events';
      updatePager(page, pageSize, res.total);
      $('query-code').textContent = queryCode(body, page, pageSize, res.total);
      const key = JSON.stringify({ ...body, sort: undefined });
      if (key !== chartKey) runChart(client, body, res.total, key);
    } catch (err) {
      if (controller !== pageController) return;
      setStatus(status, 'error', 'The query failed.');
      showError(result, err, { what: 'queryEvents' });
      // No stale rows or chart under a failed query.
      last = null;
      renderRows([], 'The query failed: see the error above.');
      $('results-caption').textContent = 'Matching events';
      updatePager(0, 1, 0);
      chartController?.abort();
      chartKey = null;
      clearChart(plot);
      caption.textContent = 'The chart of matching events over time appears after a query.';
    } finally {
      if (controller === pageController) {
        pageController = null;
        $('results').removeAttribute('aria-busy');
      }
    }
  }

  function renderRows(items, empty = 'No matching events.') {
    if (items.length === 0) {
      tbody.replaceChildren(el('tr', { className: 'empty' }, el('td', { colSpan: 6 }, empty)));
      return;
    }
    tbody.replaceChildren(...items.map((ev) => el('tr', {},
      el('td', { className: 'mono' }, ev.start),
      el('td', {}, el('span', { className: 'type-chip' }, ev.type)),
      el('td', {}, ev.value),
      el('td', {}, ev.owner),
      el('td', {}, ev.collection),
      el('td', { className: 'mono' }, ev.externalId))));
  }

  function updatePager(page, pageSize, total) {
    const pages = Math.max(1, Math.ceil(total / pageSize));
    $('page-info').textContent = total ? `Page ${fmtInt(page + 1)} of ${fmtInt(pages)}` : 'Page – of –';
    $('page-first').disabled = $('page-prev').disabled = page <= 0;
    $('page-next').disabled = $('page-last').disabled = page + 1 >= pages;
    for (const [id, target] of [['page-first', 0], ['page-prev', page - 1], ['page-next', page + 1], ['page-last', pages - 1]]) {
      $(id).onclick = () => runPage(last.body, target, last.pageSize);
    }
  }

  async function runChart(client, body, total, key) {
    chartController?.abort();
    const controller = (chartController = new AbortController());
    chartKey = key;
    if (total === 0) {
      clearChart(plot, 'No matching events to chart.');
      caption.textContent = 'Matching events over time (none).';
      return;
    }
    const want = Math.min(total, CHART_CAP);
    caption.textContent = `Reading ${fmtInt(want)} matching events with queryAll for the chart…`;
    plot.setAttribute('aria-busy', 'true');
    const { sort, ...unsorted } = body;
    const starts = [];
    const started = performance.now();
    try {
      for await (const ev of client.queryAll(unsorted, { pageSize: Math.min(CHART_PAGE_SIZE, want), signal: controller.signal })) {
        starts.push(Date.parse(ev.start));
        if (starts.length >= CHART_CAP) break;
      }
      if (controller !== chartController) return;
      const { bin } = drawHistogram(plot, starts);
      const scope = starts.length < total
        ? `the first ${fmtInt(starts.length)} of ${fmtInt(total)} matches by start (capped at ${fmtInt(CHART_CAP)})`
        : `all ${plural(starts.length, 'match', 'matches')}`;
      caption.textContent = `Matching events per ${bin.name} (UTC), by start: counted from ${scope}, ` +
        `read with queryAll in ${fmtMs(performance.now() - started)}. Filters and dates apply; sort and paging do not.`;
    } catch (err) {
      if (controller !== chartController) return;
      chartKey = null;
      clearChart(plot);
      caption.textContent = `The chart could not be drawn: ${err.name}: ${err.message}`;
    } finally {
      if (controller === chartController) {
        chartController = null;
        plot.removeAttribute('aria-busy');
      }
    }
  }

  setupExport(ctx, () => queryBody(form.elements), result);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // Run again: events may have been created since; only paging reuses the chart.
    chartKey = null;
    try {
      const page = intField(form.elements.page, 'Page') - 1;
      runPage(queryBody(form.elements), page, Number(form.elements.pageSize.value));
    } catch (err) {
      showError(result, err);
    }
  });

  /** Re-runs the last query from its first page (after a delete), with a fresh chart. */
  ctx.refreshQuery = () => {
    if (!last) return null;
    chartKey = null;
    return runPage(last.body, 0, last.pageSize);
  };
}

function queryCode(body, page, pageSize, total) {
  const entries = Object.entries(body).map(([k, v]) => `  ${k}: ${literal(v)},`);
  return `const body = {\n${entries.join('\n')}\n};
const { items, total } = await client.queryEvents(body, { page: ${page}, pageSize: ${pageSize} });
// total: ${total}

// The chart: the start of every matching event (sort left out), page by page, up to ${fmtInt(CHART_CAP)}.
for await (const event of client.queryAll(body, { pageSize: ${CHART_PAGE_SIZE} })) { … }

// Export NDJSON: every matching event as NDJSON bytes, saved as a file.
const reader = client.exportEvents(body, { format: 'ndjson' }).getReader();
const parts = [];   // read here: new Response(stream).blob() would hide the export's own error
for (let step = await reader.read(); !step.done; step = await reader.read()) parts.push(step.value);
const blob = new Blob(parts);   // then a download link to URL.createObjectURL(blob)`;
}

/** A compact JS literal: { key: value }, [a, b], "text". */
function literal(v) {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v && typeof v === 'object') {
    const inner = Object.entries(v).map(([k, x]) => `${/^[$A-Za-z_][$\w]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(x)}`);
    return inner.length ? `{ ${inner.join(', ')} }` : '{}';
  }
  return JSON.stringify(v);
}
