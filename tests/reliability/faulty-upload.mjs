// The fault run shared by faults.test.mjs (100000 events) and soak/ (more, other seeds).
import assert from 'node:assert/strict';
import {
  loadClient, withEmulator, login, stats, setFaults, clearFaults, makeEvents, assertStoredExactlyOnce, figure,
  release,
} from './helpers.mjs';

const { EventsClient } = loadClient();
export const ALL_KINDS = ['503', '429', 'reset', 'lost-response', 'hold'];

/**
 * Uploads `events` events in chunks of 1000 while a `rate` share of requests fail
 * (503 and 429 with Retry-After, connection reset, answer lost after the commit, and
 * requests held unanswered, so that the client's 1500 ms timeout gives up on them
 * however slow the machine), then checks that the Promise resolved with every id and
 * that the emulator holds each event exactly once, also after the held requests were
 * released and handled late.
 */
export async function uploadThroughFaults(t, { name, events: n, seed, rate = 0.2 }) {
  await withEmulator([], async (emu) => {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 10, timeoutMs: 1500 });
    const events = makeEvents(n, name);
    const chunks = Math.ceil(n / 1000);
    await setFaults(emu, { rate, kinds: ALL_KINDS, delayMs: 2500, seed });
    let last;
    const started = performance.now();
    const result = await client.createEvents(events, 1000, { onProgress: (p) => (last = p) });
    const ms = Math.round(performance.now() - started);
    // Held requests still waiting (those whose connection the emulator has not seen
    // close) are handled now, long after their chunk was stored by a retry.
    const late = (await release(emu)).released;
    await clearFaults(emu);

    assert.equal(result.created, n);
    assert.equal(result.ids.length, n);
    assert.equal(result.chunks.length, chunks);
    result.chunks.forEach((c, i) => {
      assert.deepEqual([c.index, c.from, c.status], [i, i * 1000, 201]);
      assert.equal(c.to, Math.min(n, i * 1000 + 1000));
    });
    const s = await stats(emu);
    const attempts = result.chunks.reduce((k, c) => k + c.attempts, 0);
    assert.equal(attempts, s.requests.create, 'every create request the emulator saw is an attempt the client counted');
    assert.equal(last.retries, attempts - chunks);
    assert.equal(last.eventsDone, n);
    const faults = s.faults;
    for (const k of ALL_KINDS) assert.ok(faults[k] > 0, `${k} was injected: ${JSON.stringify(faults)}`);
    const injected = ALL_KINDS.reduce((k, kind) => k + faults[kind], 0);
    // Each fault costs one retry (a held request, one timeout); a request slower than
    // 1500 ms on a busy machine may add one.
    assert.ok(last.retries >= injected, `${last.retries} retries for ${injected} faults`);

    await assertStoredExactlyOnce(emu, token, name, events, result.ids);
    // After that long read, a late duplicate commit of any earlier request would show.
    const end = await stats(emu);
    assert.equal(end.events, n);
    assert.equal(end.held, 0);
    figure(t, name, {
      events: n, chunks, seed, requests: attempts, faults, injected, releasedLate: late,
      faultShare: +(injected / attempts).toFixed(3), retries: last.retries, ms,
    });
  });
}
