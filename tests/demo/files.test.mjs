// The demo page with files, in Chromium against the emulator: an NDJSON file streamed by
// createEvents (the File itself, never read whole) with a byte progress bar; onInvalid
// 'skip' with the skipped rows listed; "Export NDJSON" saving the query's events as a
// download. What the emulator holds is read over plain HTTP (tests/reliability/helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE, ROOT, WAIT, deleteConfirmed, faults, generate, openPage, release, shot, text, untilHeld } from './page.mjs';
import { assertStoredExactlyOnce, login, makeEvents, storedEvents } from '../reliability/helpers.mjs';

const emu = { origin: BASE, api: `${BASE}/api/v1` };
const { token } = await login(emu, 'demo-test');
const ndjson = (events) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

/**
 * Runs in the page before its scripts: records the size of every Blob the page reads
 * whole (text(), arrayBuffer(), bytes(), FileReader), so that a test can tell the chosen
 * file was streamed, not read.
 */
function recordWholeReads() {
  window.__wholeReads = [];
  for (const name of ['text', 'arrayBuffer', 'bytes']) {
    const original = Blob.prototype[name];
    if (!original) continue;
    Blob.prototype[name] = function (...args) {
      window.__wholeReads.push(this.size);
      return original.apply(this, args);
    };
  }
  for (const name of ['readAsText', 'readAsArrayBuffer', 'readAsDataURL', 'readAsBinaryString']) {
    const original = FileReader.prototype[name];
    FileReader.prototype[name] = function (blob, ...args) {
      window.__wholeReads.push(blob.size);
      return original.call(this, blob, ...args);
    };
  }
}

test('an NDJSON file is streamed from the picker with a byte progress bar', async (t) => {
  const { page, errors } = await openPage(t, { init: recordWholeReads });
  const collection = `e2e-file-${Date.now().toString(36)}`;
  const events = makeEvents(40_000, collection);
  const buffer = Buffer.from(ndjson(events));
  await page.locator('input[name="source"][value="file"]').check();
  await page.setInputFiles('#file', { name: 'vitals.ndjson', mimeType: 'application/x-ndjson', buffer });
  await page.locator('#file-status[data-state="ok"]', { hasText: `vitals.ndjson: ${(buffer.length / 1e6).toFixed(1)} MB of NDJSON` }).waitFor(WAIT);
  await page.fill('#chunksize', '2000');
  await page.fill('#concurrency', '2');
  await page.evaluate(() => {
    window.__progress = [];
    const bar = document.getElementById('create-progress');
    new MutationObserver(() => window.__progress.push(bar.value)).observe(bar, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  // The fifth and sixth requests (both in flight at concurrency 2) are held until the bar
  // on its way has been looked at.
  await faults({ sequence: ['ok', 'ok', 'ok', 'ok', 'hold', 'hold'] });
  try {
    await page.click('#create-run');
    await untilHeld(2);
    await page.locator('#stat-chunks', { hasText: /^4 \/ –$/ }).waitFor(WAIT);
    const midway = await page.locator('#create-progress').evaluate((p) => p.value);
    assert.ok(midway > 0 && midway < 100, `the bar is on its way: ${midway}%`);
    assert.match(await text(page, '#stat-bytes'), new RegExp(`^[\\d.]+ MB / ${(buffer.length / 1e6).toFixed(1)} MB$`));
    assert.match(await text(page, '#stat-events'), /^8,000 \/ –$/);
    await shot(page, '11-file-streaming');
  } finally {
    await faults(null);
  }
  await page.locator('#create-result.ok').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /Created 40,000 events/);
  assert.match(await text(page, '#create-result'), new RegExp(`20 chunks .* collection ${collection}`));
  assert.equal(await text(page, '#create-percent'), '100%');
  const mb = (buffer.length / 1e6).toFixed(1);
  assert.equal(await text(page, '#stat-bytes'), `${mb} MB / ${mb} MB`);
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((v) => v > 0 && v < 100), `the bar moved through intermediate values: ${seen.join(', ')}`);
  // The page read at most the file's first 64 KB itself (its format and first collection).
  const reads = await page.evaluate(() => window.__wholeReads);
  assert.ok(reads.every((size) => size <= 64 * 1024), `whole reads of ${reads.join(', ')} bytes`);
  assert.match(await page.locator('#create-code').textContent(), /createEvents\(file \/\* the File itself/);
  assert.equal(await page.inputValue('#q-collection'), collection);
  await shot(page, '12-file-streamed');

  await assertStoredExactlyOnce(emu, token, collection, events);
  await deleteConfirmed(page, collection, 40_000);
  assert.deepEqual(errors, []);
});

test('a file upload cancelled midway resumes past the stored prefix (resumeFrom), nothing stored twice', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-file-resume-${Date.now().toString(36)}`;
  const events = makeEvents(20_000, collection);
  await page.locator('input[name="source"][value="file"]').check();
  await page.setInputFiles('#file', { name: 'resume.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson(events)) });
  await page.locator('#file-status[data-state="ok"]').waitFor(WAIT);
  await page.fill('#chunksize', '2000');
  await page.fill('#concurrency', '1');
  // Two chunks are stored, the third is held unanswered: Cancel lands mid-upload.
  await faults({ sequence: ['ok', 'ok', 'hold'] });
  try {
    await page.click('#create-run');
    await untilHeld(1);
    await page.locator('#stat-chunks', { hasText: /^2 \/ –$/ }).waitFor(WAIT);
    await page.click('#create-cancel');
    await page.locator('#create-result.warn').waitFor(WAIT);
    await release('reset');
  } finally {
    await faults(null);
  }
  assert.match(await text(page, '#create-result'), /AbortError: cancelled/);
  assert.match(await text(page, '#create-result'), /^4,000 events were stored; /m);
  await page.click('#create-resume');
  await page.locator('#create-result.ok').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /Created 16,000 events/);
  assert.match(await text(page, '#create-result'), /Resumed with runId/);
  assert.match(await page.locator('#create-code').textContent(), /resumeFrom: \{"events":4000,/);
  await assertStoredExactlyOnce(emu, token, collection, events);
  await deleteConfirmed(page, collection, 20_000);
  assert.deepEqual(errors, []);
});

test('onInvalid: a bad row stops the upload, or with skip is left out and listed', async (t) => {
  const { page, errors } = await openPage(t);
  const sample = path.join(ROOT, 'www/samples/events-with-errors.ndjson');
  const collection = 'demo-ndjson-errors';
  await page.locator('input[name="source"][value="file"]').check();
  await page.setInputFiles('#file', sample);
  await page.locator('#file-status[data-state="ok"]', { hasText: 'events-with-errors.ndjson' }).waitFor(WAIT);

  // 'fail' (the default): one chunk, so nothing was sent.
  await page.click('#create-run');
  await page.locator('#create-result.error').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /ValidationError: nothing was sent/);
  const failRows = await page.locator('#create-result table.problems tbody tr').allInnerTexts();
  assert.ok(failRows.some((r) => /line 3 \(event 3\)\s+start\s+.*RFC 3339/.test(r)), failRows.join('\n'));
  assert.equal((await storedEvents(emu, token, { collection })).length, 0);

  // 'skip': the three good rows are stored, the two bad ones listed with their fields.
  await page.locator('input[name="onInvalid"][value="skip"]').check();
  await page.click('#create-run');
  await page.locator('#create-result.ok').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /Created 3 events · skipped 2 bad events/);
  const rows = await page.locator('#create-result table.skipped tbody tr').allInnerTexts();
  assert.equal(rows.length, 3, rows.join('\n'));
  assert.match(rows[0], /line 3 \(event 3\)\s+start\s+.*RFC 3339/);
  assert.match(rows[1], /line 4 \(event 4\)\s+owner\s+/);
  assert.match(rows[2], /line 4 \(event 4\)\s+end\s+/);
  assert.match(await page.locator('#create-code').textContent(), /onInvalid: 'skip'/);
  await page.locator('#create-result').scrollIntoViewIfNeeded();
  await shot(page, '13-skipped');
  const stored = await storedEvents(emu, token, { collection });
  assert.deepEqual(stored.map((e) => e.externalId).sort(), ['nd-bad-0001', 'nd-bad-0002', 'nd-bad-0005']);

  await deleteConfirmed(page, collection, 3);
  assert.deepEqual(errors, []);
});

test('a file stopped at a bad event after some chunks were stored: skip, then Resume (or Create again) stores the rest once', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-file-bad-midway-${Date.now().toString(36)}`;
  // Large enough that the browser hands the file over in several pieces (it gave 1.2 MB
  // in one): the bad event is met after chunks have left.
  const events = makeEvents(30_000, collection);
  const BAD = 25_000;
  const lines = events.map((e) => JSON.stringify(e));
  lines[BAD] = JSON.stringify({ ...events[BAD], start: 'yesterday' });
  await page.locator('input[name="source"][value="file"]').check();
  // From disk (a file-backed File is read in pieces; one made from memory may come whole,
  // and then the bad event is met before any chunk leaves).
  const dir = mkdtempSync(path.join(tmpdir(), 'demo-midway-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'midway.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  await page.setInputFiles('#file', file);
  await page.locator('#file-status[data-state="ok"]').waitFor(WAIT);
  await page.fill('#chunksize', '1000');
  await page.fill('#concurrency', '1');
  await page.click('#create-run');
  await page.locator('#create-result.error').waitFor(WAIT);
  const stopped = await text(page, '#create-result');
  assert.match(stopped, /ValidationError: the upload stopped at a bad event/);
  assert.match(stopped, /then press Create events or Resume/);
  const before = (await storedEvents(emu, token, { collection })).length;
  assert.ok(before > 0 && before <= BAD && before % 1000 === 0, `${before} stored before the bad event`);

  // Skip chosen now, then Resume: the resumed run leaves the bad event out.
  await page.locator('input[name="onInvalid"][value="skip"]').check();
  await page.click('#create-resume');
  await page.locator('#create-result.ok').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /skipped 1 bad event/);
  assert.match(await text(page, '#create-result'), /Resumed with runId/);
  await assertStoredExactlyOnce(emu, token, collection, events.filter((_, i) => i !== BAD));
  await deleteConfirmed(page, collection, events.length - 1);
  assert.deepEqual(errors, []);
});

test('a file stopped at a bad event, fixed in place and picked again from the same path (another chunk size in the form): Create events resumes it with its chunking, nothing stored twice', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-file-fixed-${Date.now().toString(36)}`;
  const events = makeEvents(20_000, collection);
  const BAD = 15_000;
  const lines = events.map((e) => JSON.stringify(e));
  const dir = mkdtempSync(path.join(tmpdir(), 'demo-fixed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'events.ndjson');
  writeFileSync(file, `${lines.map((l, i) => (i === BAD ? JSON.stringify({ ...events[BAD], start: 'yesterday' }) : l)).join('\n')}\n`);
  await page.locator('input[name="source"][value="file"]').check();
  await page.setInputFiles('#file', file);
  await page.locator('#file-status[data-state="ok"]').waitFor(WAIT);
  await page.fill('#chunksize', '1000');
  await page.fill('#concurrency', '1');
  await page.click('#create-run');
  await page.locator('#create-result.error').waitFor(WAIT);
  const before = (await storedEvents(emu, token, { collection })).length;
  assert.ok(before > 0 && before <= BAD && before % 1000 === 0, `${before} stored before the bad event`);

  // The file fixed in place and picked again through the picker, the same path (a
  // browser fires no change for an unchanged path unless the page cleared the input;
  // the File of the first pick can no longer be read); the form's chunk size changed.
  writeFileSync(file, `${lines.join('\n')}\n`);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#file')]);
  await chooser.setFiles(file);
  await page.locator('#file-status[data-state="ok"]', { hasText: 'resume its unfinished upload' }).waitFor(WAIT);
  await page.fill('#chunksize', '500');
  await page.click('#create-run');
  await page.locator('#create-result.ok').waitFor(WAIT);
  assert.match(await text(page, '#create-result'), /Resumed with runId/);
  assert.equal(await page.inputValue('#chunksize'), '1000', 'the interrupted upload\'s chunking');
  await assertStoredExactlyOnce(emu, token, collection, events);
  await deleteConfirmed(page, collection, events.length);
  assert.deepEqual(errors, []);
});

test('Export NDJSON saves the query\'s events as a file', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-export-${Date.now().toString(36)}`;
  await generate(page, { count: 3000, collection, chunksize: 1000 });
  await page.locator('#create-result.ok', { hasText: 'Created 3,000 events' }).waitFor(WAIT);
  // Only one type of the four: the export follows the form's filter.
  await page.fill('#q-type', 'steps');
  // Fails at once when the page shows the export's error instead of waiting for a download.
  const failed = page.locator('#export-status[data-state="error"]').waitFor(WAIT)
    .then(async () => { throw new Error(`the export failed: ${await text(page, '#query-form + .result')}`); });
  failed.catch(() => {});
  const [download] = await Promise.all([Promise.race([page.waitForEvent('download', WAIT), failed]), page.click('#query-export')]);
  assert.equal(download.suggestedFilename(), `events-${collection}.ndjson`);
  const lines = readFileSync(await download.path(), 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const exported = lines.map((l) => JSON.parse(l));
  // The events as created (no server id or createdAt), so that the file uploads again.
  const want = (await storedEvents(emu, token, { collection, type: 'steps' })).map(({ id, createdAt, ...e }) => e);
  assert.equal(want.length, 750);
  const byExternalId = new Map(want.map((e) => [e.externalId, e]));
  assert.equal(new Set(exported.map((e) => e.externalId)).size, 750);
  for (const e of exported) assert.deepEqual(e, byExternalId.get(e.externalId));
  await page.locator('#export-status[data-state="ok"]', { hasText: 'Exported 750 events' }).waitFor(WAIT);
  await shot(page, '14-exported');
  await page.fill('#q-type', '');
  await deleteConfirmed(page, collection, 3000);
  assert.deepEqual(errors, []);
});

test('a failed export shows the export\'s own error (EventsApiError 503), not the browser\'s "Failed to fetch"', async (t) => {
  const { page, errors } = await openPage(t);
  const collection = `e2e-export-fails-${Date.now().toString(36)}`;
  await generate(page, { count: 100, collection, chunksize: 100 });
  await page.locator('#create-result.ok', { hasText: 'Created 100 events' }).waitFor(WAIT);
  // Every try of the first page refused (the first request and the client's 3 retries).
  await faults({ sequence: ['503', '503', '503', '503'] });
  t.after(() => faults(null));
  await page.click('#query-export');
  await page.locator('#export-status[data-state="error"]').waitFor(WAIT);
  const shown = await text(page, '#query-form + .result');
  assert.match(shown, /EventsApiError/);
  assert.match(shown, /503/);
  assert.doesNotMatch(shown, /Failed to fetch/);
  await faults(null);
  await deleteConfirmed(page, collection, 100);
  // The browser logs the refused requests themselves; nothing else went wrong.
  assert.deepEqual(errors.filter((e) => !/status of 503/.test(e)), []);
});
