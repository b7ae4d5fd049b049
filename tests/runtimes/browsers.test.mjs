// Firefox ESR (Debian's, through geckodriver from crates.io) and WebKitGTK (Debian's
// WebKitWebDriver and MiniBrowser, under Xvfb): the plain module page, the /slim page
// and the /inline page of the installed package run the scenario against the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN, expected } from '../package/helpers.mjs';
import { openBrowser, runScenarioPage } from './webdriver.mjs';

const WASM = '/node_modules/genomcore-events-wasm/web/genomcore_events_wasm_bg.wasm';

// The /slim page's init() input: a Response in one, a URL in the other (Chromium: a module).
for (const [name, label, input] of [['firefox', 'Firefox ESR', 'response'], ['webkit', 'WebKitGTK', 'url']]) {
  test(`${label}: a plain <script type="module"> page, a /slim page (init with a ${input}), an /inline page`, async (t) => {
    const browser = await openBrowser(name);
    t.diagnostic(`${label} ${browser.version}`);
    try {
      // plain.html names its label 'browser-module'; the same summary as in Chromium.
      const plain = await runScenarioPage(browser.session, new URL('/plain.html', ORIGIN).href);
      assert.deepEqual(plain.result, expected(ORIGIN, 'browser-module'));
      assert.deepEqual(plain.wasm, [WASM]);
      const slim = await runScenarioPage(browser.session, new URL(`/slim.html?input=${input}`, ORIGIN).href);
      assert.deepEqual(slim.result, expected(ORIGIN, 'slim'));
      assert.deepEqual(slim.wasm, [WASM]);
      const inline = await runScenarioPage(browser.session, new URL('/inline.html', ORIGIN).href);
      assert.deepEqual(inline.result, expected(ORIGIN, 'inline'));
      assert.deepEqual(inline.wasm, [], 'no .wasm fetched: it is inside the JavaScript');
    } catch (e) {
      t.diagnostic(`${label}'s driver said:\n${browser.log()}`);
      throw e;
    } finally {
      await browser.close();
    }
  });
}
