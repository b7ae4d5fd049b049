// What a finished call leaves behind: nothing. A long-lived AbortSignal keeps no
// listener of the client's once its calls end, and a call's result is garbage once
// the caller drops it (a JsFuture on a Promise that never settled, one a request,
// held the call's task, and through it its result, for good).
import test from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { withEmulator, login, loadClient, makeEvents } from './helpers.mjs';

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
