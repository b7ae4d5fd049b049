// Shared by tests/demo/*.test.mjs: Debian's Chromium through playwright-core, against an
// emulator that serves the staged page (dist/demo) and the API from one origin
// (EVENTS_EMULATOR_URL, from scripts/with-emulator.sh --static dist/demo), its fault hooks,
// and the page's steps. Screenshots go to test-output/demo/ (or $DEMO_TEST_OUTPUT), which
// `make test-demo` empties first.
import { before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BASE = process.env.EVENTS_EMULATOR_URL;
const OUT = path.resolve(ROOT, process.env.DEMO_TEST_OUTPUT ?? 'test-output/demo');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const WAIT = { timeout: 60_000 };

if (!BASE) throw new Error('EVENTS_EMULATOR_URL is not set: run through scripts/with-emulator.sh --static dist/demo');
mkdirSync(OUT, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh page that records every console error and uncaught exception; `init` (a
 * function) runs in the page before its scripts, as playwright's addInitScript;
 * `prepare(page)` runs before the page is opened (routes); `connected: false` does not
 * wait for the page to sign in.
 */
export async function openPage(t, { viewport = { width: 1280, height: 900 }, init, prepare, connected = true } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light', acceptDownloads: true });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A request the page itself cancelled (Cancel, a newer query) is not a failure.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  t.after(() => context.close());
  await prepare?.(page);
  await page.goto(`${BASE}/`, connected ? undefined : { waitUntil: 'domcontentloaded' });
  if (connected) await page.locator('#connection-status[data-state="ok"]').waitFor(WAIT);
  return { page, errors };
}

export const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
export const text = (page, selector) => page.locator(selector).innerText();
// `faults(null)` clears the plan and releases any held request (handled normally).
export const faults = (body) => fetch(`${BASE}/__emulator/faults`, body
  ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
  : { method: 'DELETE' });
/** Releases every held request; `then: 'reset'` drops it unhandled, with no answer. */
export const release = (then) => fetch(`${BASE}/__emulator/release`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ then }),
});

/** Waits (polling the emulator's stats, at most 60 s) until `n` requests are held. */
export async function untilHeld(n) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { held } = await (await fetch(`${BASE}/__emulator/stats`)).json();
    if (held === n) return;
    if (Date.now() > deadline) throw new Error(`waited 60 s for ${n} held requests (${held} held)`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function generate(page, { count, collection, chunksize = 2500, concurrency = 4 }) {
  await page.locator('input[name="source"][value="generate"]').check();
  await page.fill('#gen-count', String(count));
  await page.fill('#gen-collection', collection);
  await page.fill('#chunksize', String(chunksize));
  await page.fill('#concurrency', String(concurrency));
  await page.click('#create-run');
}

export async function deleteCollection(page, collection, expected) {
  await page.fill('#d-collection', collection);
  await page.click('#delete-ask');
  await page.locator('#delete-confirm').waitFor({ state: 'visible' });
  if (expected !== undefined) {
    await page.locator('#delete-confirm-text', { hasText: `Delete ${expected.toLocaleString('en-US')} event` }).waitFor(WAIT);
  }
}

/** Deletes `collection` through step 4, confirmed; waits until the page says `expected` were deleted. */
export async function deleteConfirmed(page, collection, expected) {
  await deleteCollection(page, collection, expected);
  await page.click('#delete-yes');
  await page.locator('#delete-result.ok', { hasText: `Deleted ${expected.toLocaleString('en-US')} event` }).waitFor(WAIT);
}
