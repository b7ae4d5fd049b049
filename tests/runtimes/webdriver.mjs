// A small W3C WebDriver client (HTTP, Node's fetch) for the browsers Playwright cannot
// drive here: Firefox ESR through geckodriver and WebKitGTK through WebKitWebDriver.
// `openBrowser` starts the driver (and, for WebKitGTK, an Xvfb display: its MiniBrowser
// has no headless mode), opens a session, and `runScenarioPage` loads a page of the
// test project and returns what the page left in `window.__result`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

function started(child, what) {
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`${what} did not start: ${e.message}`)));
    child.once('spawn', resolve);
  });
}

/** Starts Xvfb on a free display; resolves `{ display, stop }` once it accepts clients. */
async function startXvfb() {
  const child = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await started(child, 'Xvfb');
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const display = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err}`)));
  });
  return { display, stop: () => child.kill() };
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`WebDriver ${method} ${path}: ${res.status} ${JSON.stringify(json.value).slice(0, 2000)}`);
  }
  return json.value;
}

export const BROWSERS = {
  firefox: {
    driver: 'geckodriver',
    args: (port) => ['--port', String(port), '--log', 'error'],
    capabilities: {
      browserName: 'firefox',
      'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'] },
    },
  },
  webkit: {
    driver: 'WebKitWebDriver',
    args: (port) => [`--port=${port}`],
    display: true,
    capabilities: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
        args: ['--automation'],
      },
    },
  },
};

/** Starts `name`'s driver and a session; resolves `{ version, session, close }`. */
export async function openBrowser(name) {
  const spec = BROWSERS[name];
  const stops = [];
  let logOf = () => '';
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const env = { ...process.env };
    if (spec.display) {
      const x = await startXvfb();
      stops.push(x.stop);
      env.DISPLAY = x.display;
    }
    const port = await freePort();
    // The driver's and the browser's own chatter is kept, and shown only when the run fails.
    const driver = spawn(spec.driver, spec.args(port), { stdio: ['ignore', 'pipe', 'pipe'], env });
    await started(driver, spec.driver);
    let log = '';
    for (const s of [driver.stdout, driver.stderr]) s.on('data', (d) => (log = (log + d).slice(-20_000)));
    logOf = () => log;
    const exited = once(driver, 'exit');
    stops.push(async () => {
      driver.kill();
      await exited;
    });
    const base = `http://127.0.0.1:${port}`;
    // The driver is ready when its /status answers (connection refused until it listens).
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await call(base, 'GET', '/status')).ready !== false) break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`${spec.driver} did not answer: ${e.message}`);
      }
      await new Promise((r) => setImmediate(r));
    }
    const created = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: spec.capabilities } });
    const id = created.sessionId;
    stops.push(() => call(base, 'DELETE', `/session/${id}`).catch(() => {}));
    await call(base, 'POST', `/session/${id}/timeouts`, { script: 120_000, pageLoad: 60_000 });
    const session = (method, path, body) => call(base, method, `/session/${id}${path}`, body);
    return { version: created.capabilities.browserVersion, session, close, log: () => logOf() };
  } catch (e) {
    await close();
    throw new Error(`${e.message}\n${spec.driver}'s output:\n${logOf()}`);
  }
}

/**
 * Loads `url` and resolves `{ result, wasm }`: the page's scenario summary and the
 * `.wasm` URLs it fetched (Resource Timing). Rejects when the scenario failed.
 */
export async function runScenarioPage(session, url) {
  await session('POST', '/url', { url });
  const outcome = await session('POST', '/execute/async', {
    script: `const done = arguments[arguments.length - 1];
      (function wait() {
        if (window.__result === undefined) return setTimeout(wait, 20);
        window.__result.then((r) => done({ ...r, wasm: performance.getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')) }));
      })();`,
    args: [],
  });
  if (!outcome.ok) throw new Error(`${url}: the page's scenario failed: ${outcome.error}`);
  return { result: outcome.result, wasm: outcome.wasm };
}
