// `kill -9` of the emulator during ingestion: every create it acknowledged to the client
// is still there after a restart, and a client that keeps retrying finishes exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  loadClient, startEmulator, tempDir, login, stats, setFaults, makeEvents, storedEvents,
  assertStoredExactlyOnce, settle, figure, waitFor,
} from './helpers.mjs';

const { EventsClient } = loadClient();

test('kill -9 during ingestion: every chunk the client saw acknowledged survives the restart', async (t) => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'events.sqlite');
  let emu = await startEmulator(['--db', db]);
  try {
    const { token } = await login(emu);
    const client = new EventsClient({ token, baseUrl: emu.api, maxRetries: 0 });
    const events = makeEvents(50_000, 'kill9');
    let killed;
    const out = await settle(client.createEvents(events, {
      chunksize: 1000,
      concurrency: 4,
      onProgress: (p) => {
        if (p.chunksDone === 15 && !killed) killed = emu.kill9();
      },
    }));
    const exit = await killed;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(out.ok, false, 'the upload cannot finish without the server');
    const err = out.error;
    assert.equal(err.name, 'CreateEventsError', err.message);
    const acked = err.succeeded;
    assert.ok(acked.length >= 15, `${acked.length} chunks acknowledged`);
    for (const f of err.failed) assert.equal(f.error.name, 'NetworkError', f.error.message);

    emu = await startEmulator(['--db', db]);
    const stored = await storedEvents(emu, token, { collection: 'kill9' });
    const byExt = new Map(stored.map((e) => [e.externalId, e]));
    // Acknowledged: every event there, as sent, under the id the client was given.
    for (const s of acked) {
      events.slice(s.from, s.to).forEach((e, i) => {
        const got = byExt.get(e.externalId);
        assert.ok(got, `acknowledged ${e.externalId} survived`);
        assert.equal(got.id, s.ids[i]);
        assert.equal(got.start, e.start);
      });
    }
    // Not acknowledged: a request the server was handling when it died is whole or absent.
    let unacknowledgedButStored = 0;
    for (const f of err.failed) {
      const n = events.slice(f.from, f.to).filter((e) => byExt.has(e.externalId)).length;
      assert.ok(n === 0 || n === f.count, `chunk ${f.index} is whole or absent (${n} of ${f.count})`);
      if (n) unacknowledgedButStored++;
    }
    assert.equal(new Set(stored.map((e) => e.externalId)).size, stored.length, 'no duplicate');
    assert.equal(stored.length, err.created + unacknowledgedButStored * 1000);
    // Resuming with the error's runId against the restarted server completes the set:
    // its idempotency answers survived the kill too.
    const resumed = await new EventsClient({ token, baseUrl: emu.api }).createEvents(events, {
      chunksize: 1000, runId: err.runId,
    });
    for (const s of acked) assert.deepEqual(resumed.ids.slice(s.from, s.to), s.ids, `chunk ${s.index} replayed`);
    await assertStoredExactlyOnce(emu, token, 'kill9', events, resumed.ids);
    figure(t, 'kill9-acknowledged', {
      events: 50_000, acknowledgedChunks: acked.length, acknowledgedEvents: err.created,
      survived: err.created, unacknowledgedButStoredChunks: unacknowledgedButStored,
    });
  } finally {
    await emu.stop();
    cleanup();
  }
});

test('kill -9 and restart on the same port mid-upload: the retrying client completes the set exactly once', async (t) => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'events.sqlite');
  const first = await startEmulator(['--db', db]);
  let second;
  try {
    const { token } = await login(first);
    // Retries back off (0.5 s, 1 s, 2 s … 30 s windows) while the emulator is down; 12
    // of them outlast a restart however slow the machine.
    const client = new EventsClient({ token, baseUrl: first.api, maxRetries: 12 });
    const events = makeEvents(50_000, 'kill9-restart');
    let restarted;
    let last;
    const result = await client.createEvents(events, {
      chunksize: 1000,
      concurrency: 4,
      onProgress: (p) => {
        last = p;
        if (p.chunksDone === 20 && !restarted) {
          restarted = first.kill9().then(() => startEmulator(['--db', db], { addr: `127.0.0.1:${first.port}` }));
        }
      },
    });
    second = await restarted;
    assert.equal(second.origin, first.origin, 'the same address again');
    assert.equal(result.created, 50_000);
    // Chunks that were committed but not answered when the server died were retried
    // with their Idempotency-Key: the restarted server replays them from its database.
    await assertStoredExactlyOnce(second, token, 'kill9-restart', events, result.ids);
    assert.equal((await stats(second)).events, 50_000);
    figure(t, 'kill9-restart', {
      events: 50_000, chunks: 50, retries: last.retries,
      retriedChunks: result.chunks.filter((c) => c.attempts > 1).length,
    });
  } finally {
    await first.stop();
    await second?.stop();
    cleanup();
  }
});

test('answers lost just before a kill -9 are replayed by the restarted server: same ids, nothing twice', async (t) => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'events.sqlite');
  const first = await startEmulator(['--db', db]);
  const ac = new AbortController();
  let second;
  try {
    const { token } = await login(first);
    const client = new EventsClient({ token, baseUrl: first.api, maxRetries: 10 });
    const events = makeEvents(5000, 'kill9-replay');
    // Every events request is handled (a create commits) and its answer lost.
    await setFaults(first, { rate: 1, kinds: ['lost-response'] });
    const upload = settle(client.createEvents(events, { chunksize: 1000, concurrency: 5, signal: ac.signal }));
    // Wait until the first server has committed every chunk, none acknowledged …
    await waitFor(async () => (await stats(first)).events === 5000, 'the first server to commit all 5 chunks');
    // … then kill it and restart it, without faults, on the same address and database.
    await first.kill9();
    second = await startEmulator(['--db', db, '--log'], { addr: `127.0.0.1:${first.port}` });
    const atRestart = (await stats(second)).events;
    const out = await upload;
    assert.ok(out.ok, out.error?.message);
    const result = out.value;
    assert.equal(result.created, 5000);
    assert.ok(result.chunks.every((c) => c.attempts > 1), 'every chunk needed a retry');
    assert.equal(atRestart, 5000, 'the restarted server holds the 5 commits whose answers were lost');
    // Nothing was added after the restart, and the client holds the ids committed before it.
    await assertStoredExactlyOnce(second, token, 'kill9-replay', events, result.ids);
    assert.equal((await stats(second)).events, 5000);
    const replays = second.stderr().split('\n').filter((l) => l.startsWith('POST /api/v1/events 201 ')).length;
    assert.ok(replays >= 5, `${replays} answers replayed after the restart`);
    figure(t, 'kill9-replay', { events: 5000, chunks: 5, committedBeforeKill: atRestart, repliesAfterRestart: replays });
  } finally {
    ac.abort();
    await first.stop();
    await second?.stop();
    cleanup();
  }
});
