// What a finished call leaves behind: nothing. A long-lived AbortSignal keeps no
// listener of the client's once its calls end, and a call's result is garbage once
// the caller drops it (a JsFuture on a Promise that never settled, one a request,
// held the call's task, and through it its result, for good).
import test from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { withEmulator, login, loadClient, makeEvents, setFaults, stats, waitFor } from './helpers.mjs';

const { EventsClient } = loadClient();

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Collects until every WeakRef in `refs` is cleared, or `rounds` full collections passed. */
async function collected(refs, rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    // A WeakRef's target lives to the end of the job that made it: let the loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (refs.every((r) => r.deref() === undefined)) return true;
  }
  return false;
}

test('a long-lived signal keeps no listener once the calls that watched it end', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const shutdown = new AbortController();
    const { signal } = shutdown;
    for (let i = 0; i < 12; i++) {
      await client.createEvents(makeEvents(20, 'listeners'), { chunksize: 10, signal });
      await client.queryEvents({ filter: { collection: 'listeners' } }, { signal });
      for await (const _ of client.queryAll({ filter: { collection: 'listeners' } }, { pageSize: 50, signal }));
      const reader = client.exportEvents({ filter: { collection: 'listeners' } }, { signal }).getReader();
      while (!(await reader.read()).done);
    }
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'every listener removed');
  });
});

test('results the caller dropped are collected: nothing of a finished call stays reachable', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    const refs = [];
    for (let i = 0; i < 5; i++) {
      refs.push(new WeakRef(await client.createEvents(makeEvents(100, 'dropped'), { chunksize: 20, signal: new AbortController().signal })));
      refs.push(new WeakRef(await client.queryEvents({ filter: { collection: 'dropped' } })));
    }
    assert.ok(await collected(refs), `still reachable: ${refs.filter((r) => r.deref() !== undefined).length} of ${refs.length}`);
  });
});

test('a polyfill signal that cannot remove listeners may fire after the calls ended: nothing throws', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api });
    // The least an AbortSignal option must have: `aborted` and `addEventListener`.
    const listeners = [];
    const signal = { aborted: false, reason: undefined, addEventListener: (type, f) => listeners.push(f) };
    await client.createEvents(makeEvents(5, 'polyfill'), { signal });
    await client.queryEvents({}, { signal });
    for await (const _ of client.queryAll({}, { pageSize: 100, signal }));
    assert.ok(listeners.length >= 3);
    signal.aborted = true;
    signal.reason = new Error('late');
    for (const f of listeners) f(); // as the polyfill's abort() would: must not throw
  });
});

test('exportEvents that fails stops the page it requested ahead', async () => {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 0 });
    await client.createEvents(makeEvents(30, 'ahead'), 30);
    // Page 0 answers, page 1 fails, page 2 (requested ahead) is held.
    await setFaults(emu, { sequence: ['ok', '503', 'hold'] });
    const reader = client.exportEvents({ filter: { collection: 'ahead' } }, { pageSize: 10 }).getReader();
    const failed = await (async () => {
      try {
        for (;;) if ((await reader.read()).done) return null;
      } catch (e) {
        return e;
      }
    })();
    assert.equal(failed?.name, 'EventsApiError', String(failed));
    // The held request was aborted by the client: the emulator holds nothing.
    await waitFor(async () => (await stats(emu)).held === 0, 'the page requested ahead aborted', { timeoutMs: 10_000 });
  });
});
