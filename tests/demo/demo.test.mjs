// End-to-end test of the demo page (www/), in Debian's Chromium through playwright-core,
// against an emulator that serves the staged page (dist/demo) and the API from one origin.
//
//   scripts/with-emulator.sh --static dist/demo -- node --test tests/demo/*.test.mjs
//
// Screenshots of every step go to test-output/demo/ (or $DEMO_TEST_OUTPUT). Uploads from
// files and the export: tests/demo/files.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, ROOT, WAIT, deleteCollection, faults, generate, openPage, release, shot, text, untilHeld } from './page.mjs';

test('the whole flow: connect, create 25000 events with progress, query, chart, page, delete', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-${Date.now().toString(36)}`;
  assert.match(await text(page, '#connection-status'), /Connected to http:\/\/127\.0\.0\.1:\d+\/api\/v1 · signed in as demo/);
  assert.equal(await page.inputValue('#base-url'), `${BASE}/api/v1`);
  await shot(page, '01-connected');

  // Create: record every value the progress bar shows on the way.
  await page.evaluate(() => {
    window.__progress = [];
    const bar = document.getElementById('create-progress');
    new MutationObserver(() => window.__progress.push(bar.value)).observe(bar, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  // The fifth request is held until the screenshot of the bar on its way is taken.
  await faults({ sequence: ['ok', 'ok', 'ok', 'ok', 'hold'] });
  const started = Date.now();
  try {
    await generate(page, { count: 25000, collection, chunksize: 2500, concurrency: 4 });
    await untilHeld(1);
    await page.waitForFunction(() => {
      const [done, total] = document.getElementById('stat-chunks').textContent.split(' / ').map(Number);
      return done >= 4 && done < total;
    }, null, WAIT);
    const midway = await page.locator('#create-progress').evaluate((p) => p.value);
    assert.ok(midway > 0 && midway < 100, `the bar is on its way: ${midway}%`);
    assert.equal(await page.locator('#create-cancel').isEnabled(), true);
    await shot(page, '02-creating');
  } finally {
    await faults(null);
  }
  await page.locator('#create-result.ok').waitFor(WAIT);
  const createMs = Date.now() - started;
  assert.match(await text(page, '#create-result'), /Created 25,000 events/);
  assert.match(await text(page, '#create-result'), /10 chunks/);
  assert.doesNotMatch(await text(page, '#create-result'), /undefined|null|NaN|\[object/);
  assert.equal(await page.locator('#create-progress').evaluate((p) => p.value), 100);
  assert.equal(await text(page, '#create-percent'), '100%');
  assert.equal(await text(page, '#stat-chunks'), '10 / 10');
  assert.equal(await text(page, '#stat-events'), '25,000 / 25,000');
  assert.match(await text(page, '#stat-rate'), /^[\d,]+$/);
  assert.equal(await text(page, '#stat-failed'), '0');
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((v) => v > 0 && v < 100), `the bar moved through intermediate values: ${seen.join(', ')}`);
  t.diagnostic(`create 25000 events: ${createMs} ms in the page`);
  await shot(page, '03-created');

  // Query: the created collection is pre-filled; one page of 25 rows, the chart of all matches.
  assert.equal(await page.inputValue('#q-collection'), collection);
  await page.selectOption('#q-page-size', '25');
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '25,000 matching events' }).waitFor(WAIT);
  assert.equal(await page.locator('#results-body tr').count(), 25);
  assert.equal(await text(page, '#page-info'), 'Page 1 of 1,000');
  const firstStart = await text(page, '#results-body tr:first-child td:first-child');
  assert.match(firstStart, /^2024-04-0[1-7]T\d\d:\d\d:\d\dZ$/);
  await page.locator('#chart-caption', { hasText: 'all 25,000 matches' }).waitFor(WAIT);
  const bars = await page.locator('#chart-plot svg rect.bar').count();
  assert.ok(bars > 24, `the chart has bars: ${bars}`);
  assert.match(await page.locator('#chart-plot svg').getAttribute('aria-label'), /Histogram of 25,000 events per hour/);
  await shot(page, '04-query');

  // Paging: the next page starts later (start ascending) and the pager follows.
  await page.click('#page-next');
  await page.locator('#page-info', { hasText: 'Page 2 of 1,000' }).waitFor(WAIT);
  await page.locator('#query-status', { hasText: 'showing 26–50' }).waitFor(WAIT);
  assert.ok((await text(page, '#results-body tr:first-child td:first-child')) >= firstStart);

  // A filter on type: the generator deals the four types in turn.
  await page.fill('#q-type', 'glucose');
  await page.fill('#q-page', '1');
  await page.selectOption('#q-sort', 'start:-1');
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '6,250 matching events' }).waitFor(WAIT);
  const types = await page.locator('#results-body tr td:nth-child(2)').allInnerTexts();
  assert.deepEqual([...new Set(types)], ['glucose']);
  await page.locator('#chart-caption', { hasText: 'all 6,250 matches' }).waitFor(WAIT);
  await page.fill('#q-type', '');
  await page.selectOption('#q-sort', 'start:1');
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '25,000 matching events' }).waitFor(WAIT);

  // More events in the collection, then the same query run again: the chart is drawn
  // afresh (it was kept while the query's body stayed the same).
  await page.locator('#chart-caption', { hasText: 'all 25,000 matches' }).waitFor(WAIT);
  await generate(page, { count: 1000, collection, chunksize: 1000, concurrency: 1 });
  await page.locator('#create-result.ok', { hasText: 'Created 1,000 events' }).waitFor(WAIT);
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '26,000 matching events' }).waitFor(WAIT);
  await page.locator('#chart-caption', { hasText: 'all 26,000 matches' }).waitFor(WAIT);

  // Delete, with its confirmation step; the query then shows zero.
  await deleteCollection(page, collection, 26000);
  await shot(page, '05-delete-confirm');
  await page.click('#delete-yes');
  await page.locator('#delete-result.ok', { hasText: 'Deleted 26,000 events' }).waitFor(WAIT);
  await page.locator('#query-status[data-state="ok"]', { hasText: '0 matching events' }).waitFor(WAIT);
  assert.equal(await text(page, '#results-body'), 'No matching events.');
  await page.locator('#chart-plot', { hasText: 'No matching events to chart.' }).waitFor(WAIT);
  await shot(page, '06-deleted');

  assert.deepEqual(errors, []);
});

test('a CSV file: good rows are created, a bad row shows the ValidationError with its row', async (t) => {
  const { page, errors } = await openPage(t);
  await page.locator('input[name="source"][value="file"]').check();

  await page.setInputFiles('#file', path.join(ROOT, 'www/samples/events-with-errors.csv'));
  await page.locator('#file-status[data-state="ok"]', { hasText: '5 events' }).waitFor(WAIT);
  await page.click('#create-run');
  await page.locator('#create-result.error').waitFor(WAIT);
  const shown = await text(page, '#create-result');
  assert.match(shown, /ValidationError: nothing was sent/);
  const rows = await page.locator('#create-result table.problems tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => /row 3 \(line 4\)\s+start\s+.*RFC 3339/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /row 4 \(line 5\)\s+owner/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /row 4 \(line 5\)\s+end/.test(r)), rows.join('\n'));
  await page.locator('#create-result').scrollIntoViewIfNeeded();
  await shot(page, '07-validation');

  // The good sample (quoted commas, quotes and a line break in a field) goes through.
  await page.setInputFiles('#file', path.join(ROOT, 'www/samples/events.csv'));
  await page.locator('#file-status[data-state="ok"]', { hasText: '6 events' }).waitFor(WAIT);
  await page.click('#create-run');
  await page.locator('#create-result.ok', { hasText: 'Created 6 events' }).waitFor(WAIT);
  assert.equal(await page.inputValue('#q-collection'), 'demo-csv');
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '6 matching events' }).waitFor(WAIT);
  assert.ok((await page.locator('#results-body').innerText()).includes('note: "felt dizzy", resolved'));
  await deleteCollection(page, 'demo-csv', 6);
  await page.click('#delete-yes');
  await page.locator('#delete-result.ok', { hasText: 'Deleted 6 events' }).waitFor(WAIT);

  assert.deepEqual(errors, []);
});

test('Cancel aborts an upload (AbortError says what was stored); Resume completes it without duplicates', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-cancel-${Date.now().toString(36)}`;
  // Two chunks answer at once, the third is held unanswered: Cancel lands mid-upload.
  await faults({ sequence: ['ok', 'ok', 'hold'] });
  try {
    await generate(page, { count: 5000, collection, chunksize: 500, concurrency: 1 });
    await page.locator('#stat-chunks', { hasText: '2 / 10' }).waitFor(WAIT);
    await untilHeld(1);
    await page.click('#create-cancel');
    await page.locator('#create-result.warn').waitFor(WAIT);
    // The cancelled request is dropped unhandled, whether or not its connection is open.
    await release('reset');
  } finally {
    await faults(null);
  }
  const shown = await text(page, '#create-result');
  assert.match(shown, /AbortError: cancelled/);
  assert.match(shown, /1,000 of 5,000 events were stored; 4,000 in 8 chunks were not/);
  // The chunks not sent fail with the AbortError: counted as failed, not as stored.
  assert.equal(await text(page, '#stat-chunks'), '2 / 10');
  assert.equal(await text(page, '#stat-failed'), '8');
  assert.equal(await page.locator('#create-cancel').isDisabled(), true);
  assert.equal(await page.locator('#create-run').isEnabled(), true);
  await shot(page, '08-cancelled');

  // Resume: the same events, chunking and runId; the two stored chunks are not stored twice.
  await page.click('#create-resume');
  await page.locator('#create-result.ok', { hasText: 'Created 5,000 events' }).waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /Resumed with runId/);
  assert.equal(await text(page, '#create-percent'), '100%');
  await deleteCollection(page, collection, 5000);
  await page.click('#delete-yes');
  await page.locator('#delete-result.ok', { hasText: 'Deleted 5,000 events' }).waitFor(WAIT);
  assert.deepEqual(errors, []);
});

test('a 390px-wide screen: no sideways scrolling, every step usable', async (t) => {
  const { page, errors } = await openPage(t, { viewport: { width: 390, height: 844 } });
  const collection = `e2e-narrow-${Date.now().toString(36)}`;
  await shot(page, '09-narrow-start');
  await generate(page, { count: 3000, collection, chunksize: 500 });
  await page.locator('#create-result.ok', { hasText: 'Created 3,000 events' }).waitFor(WAIT);
  await page.selectOption('#q-page-size', '10');
  await page.click('#query-run');
  await page.locator('#query-status[data-state="ok"]', { hasText: '3,000 matching events' }).waitFor(WAIT);
  await page.locator('#chart-caption', { hasText: 'all 3,000 matches' }).waitFor(WAIT);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'the page does not scroll sideways');
  const svgWidth = await page.locator('#chart-plot svg').evaluate((s) => s.getBoundingClientRect().width);
  assert.ok(svgWidth <= 390, `the chart fits: ${svgWidth}px`);
  await shot(page, '10-narrow-query');
  await deleteCollection(page, collection, 3000);
  await page.click('#delete-yes');
  await page.locator('#delete-result.ok', { hasText: 'Deleted 3,000 events' }).waitFor(WAIT);
  assert.deepEqual(errors, []);
});

test('every form control has a label', async (t) => {
  const { page, errors } = await openPage(t);
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
    .map((c) => c.id || c.name));
  assert.deepEqual(unlabeled, []);
  assert.deepEqual(errors, []);
});

test('Enter in the token field before the package has loaded never puts the token into a URL', async (t) => {
  // The wasm is held until the token has been typed and Enter pressed.
  let letWasmThrough;
  const wasmAsked = new Promise((resolve) => {
    letWasmThrough = resolve;
  });
  let held;
  const { page } = await openPage(t, {
    connected: false,
    prepare: (p) => p.route('**/*.wasm', (route) => {
      held = route;
      letWasmThrough();
    }),
  });
  await wasmAsked;
  const secret = 'eyJhbGciOiJIUzI1NiJ9.SECRET-PATIENT-TOKEN.sig';
  await page.fill('#token', secret);
  await page.press('#token', 'Enter');
  assert.equal(await page.locator('#connect').isDisabled(), true, 'Connect waits for the package');
  assert.ok(!page.url().includes('SECRET'), page.url());
  await held.continue();
  await page.locator('#connection-status[data-state="ok"]').waitFor(WAIT);
  assert.ok(!page.url().includes('SECRET'), page.url());
  assert.equal(new URL(page.url()).search, '', 'no query string at all');
  assert.equal(await page.locator('#connect').isDisabled(), false);
});
