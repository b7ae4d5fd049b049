// Shared by tests/package/*.test.mjs. tests/package/run.sh sets the environment:
// PKG_TEST_APP (the temporary project with the tarball installed, served by the
// emulator at `/`), EVENTS_EMULATOR_URL (the emulator's origin), PKG_TEST_ROOT.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const run = promisify(execFile);

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the package tests with 'make test-package'`);
  return v;
}

export const APP = need('PKG_TEST_APP');
export const ORIGIN = need('EVENTS_EMULATOR_URL');
export const ROOT = need('PKG_TEST_ROOT');
export const { expected } = await import(join(APP, 'scenario.mjs'));

/**
 * Runs `node args…` in the temporary project, as a user's program; resolves its stdout's
 * last line as JSON. Anything on stderr (a warning of the package, say) fails.
 */
export async function nodeJson(args, { timeout = 60_000, bin = process.execPath, env = process.env } = {}) {
  const name = bin === process.execPath ? 'node' : bin;
  let stdout, stderr;
  try {
    ({ stdout, stderr } = await run(bin, args, { cwd: APP, timeout, env }));
  } catch (e) {
    throw new Error(`${name} ${args.join(' ')} failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
  assert.equal(stderr, '', `${name} ${args.join(' ')} wrote to stderr`);
  const lines = stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    throw new Error(`no JSON result from ${name} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Opens `path` (on the emulator's origin) in a fresh headless Chromium. Resolves
 * `{ page, problems, failed, close }`: `problems` lists every page error, console error or
 * warning, failed request, and HTTP error that `allowHttpErrors` does not foresee (URL
 * substring → how many times); `failed` is a Promise that rejects at the first of them
 * (race it against the page's work); `close()` closes the browser.
 */
export async function openPage(path, { allowHttpErrors = {} } = {}) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const problems = [];
  const allowed = { ...allowHttpErrors };
  const requests = [];
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  failed.catch(() => {}); // judged where it is raced, or through `problems`
  try {
    const page = await browser.newPage();
    const report = (what) => {
      problems.push(what);
      fail(new Error(`${path}: ${what}`));
    };
    page.on('pageerror', (e) => report(`page error: ${e.stack || e.message}`));
    page.on('crash', () => report('page crashed'));
    page.on('requestfailed', (r) => report(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      requests.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
      if (r.status() < 400) return;
      const key = Object.keys(allowed).find((k) => r.url().includes(k) && allowed[k] > 0);
      if (key) allowed[key] -= 1;
      else report(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() !== 'error' && m.type() !== 'warning') return;
      // Chromium logs every HTTP error answer; those are judged by status above.
      if (/^Failed to load resource: the server responded with a status of/.test(m.text())) return;
      report(`console ${m.type()}: ${m.text()} (${m.location()?.url ?? ''})`);
    });
    await page.goto(new URL(path, ORIGIN).href);
    return { page, problems, requests, failed, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/**
 * Opens `path` (as `openPage`) and resolves what the page stores in `window.__result` (a
 * Promise of the scenario's summary). Fails on any of `openPage`'s problems.
 */
export async function runPage(path, { allowHttpErrors = {}, timeout = 60_000 } = {}) {
  const { page, problems, requests, failed, close } = await openPage(path, { allowHttpErrors });
  try {
    const work = (async () => {
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
      return page.evaluate(() => window.__result);
    })();
    const outcome = await Promise.race([work, failed]);
    if (!outcome.ok) throw new Error(`${path}: the page's scenario failed: ${outcome.error}`);
    assert.deepEqual(problems, []);
    return { result: outcome.result, requests };
  } finally {
    await close();
  }
}

/** `vite build --base ./` of the app in `APP/dir`, with the workspace's Vite; its assets. */
export async function viteBuild(dir) {
  const cwd = join(APP, dir);
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const { stdout, stderr } = await run(process.execPath, [vite, 'build', '--base', './'], { cwd, timeout: 60_000 });
  // Vite lists the files it wrote as `dist/…`; any other line with "warn"/"error" is a complaint.
  const complaints = (stdout + stderr).split('\n').filter((l) => !/^dist\//.test(l.trim()) && /warn|error/i.test(l));
  assert.deepEqual(complaints, [], `vite build complained:\n${stdout}\n${stderr}`);
  const assets = readdirSync(join(cwd, 'dist', 'assets'));
  const js = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(cwd, 'dist', 'assets', f), 'utf8'));
  return { assets, js };
}
