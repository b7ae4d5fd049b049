// Does the demo page stay responsive while it uploads a big NDJSON file? Headless
// Chromium (Debian's, through playwright-core) opens the demo (dist/demo, staged by
// `scripts/demo.sh stage`) served by a `--sink` emulator, picks a file of N events from
// the file picker and presses Create events; the page's main thread is watched the whole
// time: its long tasks (over 50 ms, the Long Tasks API) and the longest gap between two
// animation frames. A benchmark, not a test: it measures and fails on nothing but a
// broken upload. Not part of `make bench`'s run (bench/run.mjs): run it by hand,
//
//   node bench/demo-upload.mjs [--events 1000000] [--chunksize 2500] [--concurrency 4]
//
// (chunk size and concurrency default to the page's own; a chunk is framed and its body
// handed to fetch in one task, so bigger chunks make longer tasks)
//
// Prints one line `RESULT {json}`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startEmulator, writeNdjson } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('events', 1000000);
const CHUNK = opt('chunksize', 2500);
const CONCURRENCY = opt('concurrency', 4);

if (!existsSync(path.join(ROOT, 'dist/package/web/index.js'))) throw new Error('no dist/package: run make pack');
execFileSync(path.join(ROOT, 'scripts/demo.sh'), ['stage'], { stdio: 'inherit' });

const dir = mkdtempSync(path.join(os.tmpdir(), 'events-demo-upload-'));
const file = path.join(dir, 'events.ndjson');
const bytes = writeNdjson(file, N);
const emulator = await startEmulator({ sink: true, args: ['--static', path.join(ROOT, 'dist/demo')] });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${emulator.origin}/`);
  await page.locator('#connection-status[data-state="ok"]').waitFor({ timeout: 60_000 });
  await page.locator('input[name="source"][value="file"]').check();
  await page.setInputFiles('#file', file);
  await page.locator('#file-status[data-state="ok"]').waitFor({ timeout: 60_000 });
  await page.fill('#chunksize', String(CHUNK));
  await page.fill('#concurrency', String(CONCURRENCY));
  await page.evaluate(() => {
    const w = (window.__watch = { longTasks: [], maxFrameGap: 0, frames: 0 });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (now) => {
      w.maxFrameGap = Math.max(w.maxFrameGap, now - last);
      w.frames++;
      last = now;
      if (!w.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const t0 = performance.now();
  await page.click('#create-run');
  await page.locator('#create-result.ok, #create-result.error').waitFor({ timeout: 15 * 60_000 });
  const ms = performance.now() - t0;
  const shown = await page.locator('#create-result').innerText();
  if (!shown.includes(`Created ${N.toLocaleString('en-US')} events`)) throw new Error(`the upload failed: ${shown}`);
  const watch = await page.evaluate(() => {
    window.__watch.stop = true;
    return window.__watch;
  });
  const long = watch.longTasks;
  console.log(`RESULT ${JSON.stringify({
    events: N,
    mb: +(bytes / 1e6).toFixed(1),
    chunksize: CHUNK,
    concurrency: CONCURRENCY,
    ms: Math.round(ms),
    eventsPerSecond: Math.round(N / (ms / 1000)),
    longTasks: long.length,
    longestTaskMs: Math.round(Math.max(0, ...long)),
    longTasksTotalMs: Math.round(long.reduce((a, b) => a + b, 0)),
    frames: watch.frames,
    longestFrameGapMs: Math.round(watch.maxFrameGap),
  })}`);
} finally {
  await browser.close();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
