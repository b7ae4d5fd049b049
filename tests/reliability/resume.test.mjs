// Resuming after a crash: `resumeFrom` (the contiguous stored prefix, in progress and
// errors) skips what was stored; with the same runId the chunks after it get the same
// ranges and idempotency keys, so nothing is stored twice. In-process after an abort
// for every kind of source, then a real `kill -9` of the uploading process at a random
// point, and a streamed upload through the emulator's faults.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  withEmulator, login, loadClient, makeEvents, assertStoredExactlyOnce, stats, tempDir, waitFor, setFaults, clearFaults,
  release, figure,
} from './helpers.mjs';

const { EventsClient } = loadClient();
const enc = new TextEncoder();
const HERE = dirname(fileURLToPath(import.meta.url));
const ndjson = (events) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function clientFor(emu, extra = {}) {
  const { token } = await login(emu);
  return { token, client: new EventsClient({ token, baseUrl: emu.api, ...extra }) };
}

/** Runs `createEvents` until `stopAfter` chunks were stored, then aborts; the AbortError. */
async function abortAfter(client, source, options, stopAfter) {
  const controller = new AbortController();
  const err = await client.createEvents(source, {
    ...options,
    signal: controller.signal,
    onProgress: (p) => p.chunksDone >= stopAfter && controller.abort(),
  }).then(() => null, (e) => e);
  assert.equal(err?.name, 'AbortError', err?.message);
  return err;
}

test('resumeFrom skips the stored prefix of every kind of source: the second run sends only the rest, with the first run\'s chunks and line numbers', async () => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { concurrency: 1 });
    const kinds = {
      'ndjson blob': (events) => new Blob([ndjson(events)]),
      'ndjson stream': (events) => new Blob([ndjson(events)]).stream(),
      'json array in pieces': (events) => (function* () {
        const text = enc.encode(`[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]`);
        for (let i = 0; i < text.length; i += 7777) yield text.subarray(i, i + 7777);
      })(),
      'events iterable': (events) => events.values(),
      array: (events) => events,
    };
    for (const [kind, make] of Object.entries(kinds)) {
      const collection = `resume-${kind.replaceAll(' ', '-')}`;
      const events = makeEvents(5000, collection);
      // A bad event after the resume point: skipped in both runs, named by the same line.
      const bad = kind === 'array' ? [] : [4321];
      const withBad = events.map((e, i) => (bad.includes(i) ? { ...e, owner: 1 } : e));
      const skip = kind === 'array' ? {} : { onInvalid: 'skip' };
      const first = await abortAfter(client, make(withBad), { chunksize: 500, runId: `run-${collection}`, ...skip }, 3);
      assert.equal(first.resumeFrom.events, 1500, kind);
      if (kind.startsWith('ndjson')) {
        assert.equal(first.resumeFrom.line, 1500, kind);
        assert.equal(first.resumeFrom.bytes, enc.encode(ndjson(events.slice(0, 1500))).length - 1, kind);
      }
      const before = await stats(emu);
      const second = await client.createEvents(make(withBad), { chunksize: 500, runId: `run-${collection}`, resumeFrom: first.resumeFrom, returnIds: true, ...skip });
      const after = await stats(emu);
      const sent = after.requests.create - before.requests.create;
      const expectedChunks = kind === 'array' ? 7 : 8; // the bad event splits one chunk in two
      assert.equal(sent, expectedChunks, `${kind}: only the chunks after the prefix were sent`);
      assert.equal(second.chunks[0].from, 1500, kind);
      assert.equal(second.created, 3500 - bad.length, kind);
      if (bad.length) {
        assert.deepEqual(second.skipped.problems.map((p) => [p.index, p.line ?? null]), [[4321, kind.startsWith('ndjson') ? 4322 : kind === 'json array in pieces' ? 4323 : null]], kind);
      }
      assert.deepEqual(second.resumeFrom.events, 5000, kind);
      await assertStoredExactlyOnce(emu, token, collection, events.filter((_, i) => !bad.includes(i)));
    }
  });
});

/** Runs resume-child.mjs; resolves `{ code, signal, out }`. */
function child(emu, token, args, env = {}) {
  const proc = spawn(process.execPath, [join(HERE, 'resume-child.mjs'), emu.api, ...args], {
    env: { ...process.env, EVENTS_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const done = new Promise((res) => proc.once('exit', (code, signal) => res({ code, signal, out })));
  return { proc, done };
}

for (const resume of [true, false]) {
  test(`kill -9 of the uploading process at a random point, then the same command ${resume ? 'with' : 'without'} resumeFrom: every event exactly once`, async (t) => {
    const { dir, cleanup } = tempDir();
    try {
      await withEmulator([], async (emu) => {
        const { token } = await login(emu);
        const collection = `killed-${resume}`;
        const events = makeEvents(20_000, collection);
        const file = join(dir, 'events.ndjson');
        writeFileSync(file, ndjson(events));
        const state = join(dir, 'state.json');
        const chunks = 40;
        const killAt = 1 + Math.floor(Math.random() * (chunks - 8));
        const args = [file, `run-${collection}`, state, resume ? 'blob' : 'stream'];
        const first = child(emu, token, args);
        // The state file too: the emulator counts a create before its answer reaches the
        // child, whose first progress report writes the file (killAt 1 could kill before).
        await waitFor(async () => (await stats(emu)).requests.create >= killAt && existsSync(state), `${killAt} creates and a state file`);
        first.proc.kill('SIGKILL');
        const killed = await first.done;
        assert.equal(killed.signal, 'SIGKILL', 'the process was killed before it finished');
        const saved = JSON.parse(readFileSync(state, 'utf8'));
        const before = await stats(emu);
        const second = await child(emu, token, args, { RESUME: resume ? '1' : '0' }).done;
        const outcome = JSON.parse(second.out);
        assert.equal(second.code, 0, second.out);
        const sent = (await stats(emu)).requests.create - before.requests.create;
        const skipped = resume ? saved.events / 500 : 0;
        assert.equal(sent, chunks - skipped, 'the second run sent every chunk after the prefix, and only those');
        assert.equal(outcome.created, 20_000 - saved.events * (resume ? 1 : 0));
        await assertStoredExactlyOnce(emu, token, collection, events);
        const end = await stats(emu);
        figure(t, `kill-9-${resume ? 'resumeFrom' : 'runId'}`, {
          events: 20_000, chunks, killedAfterCreates: killAt, storedPrefix: saved.events, sentAgain: sent, replayed: end.replayed,
        });
      });
    } finally {
      cleanup();
    }
  });
}

test('a resume point must fit its source, and a resumed run stopped before its first read keeps its bytes and line', async () => {
  await withEmulator([], async (emu) => {
    const { client } = await clientFor(emu);
    const events = makeEvents(20, 'resume-points');
    const bytes = enc.encode(ndjson(events));
    const tenth = ndjson(events.slice(0, 10)).length;
    const point = { events: 10, bytes: tenth, line: 11 };
    const before = (await stats(emu)).requests.create;
    // Aborted at once (before or after its first read): the point it reports still has
    // the bytes and line it started from, so that saving it and resuming again is safe.
    const sources = {
      Blob: () => new Blob([bytes]),
      stream: () => new Blob([bytes]).stream(),
      'async pieces': () => (async function* () { yield bytes; })(),
    };
    for (const [what, make] of Object.entries(sources)) {
      const controller = new AbortController();
      const upload = client.createEvents(make(), { chunksize: 5, resumeFrom: point, signal: controller.signal });
      controller.abort();
      const err = await upload.then(() => null, (e) => e);
      assert.equal(err?.name, 'AbortError', `${what}: ${err}`);
      assert.deepEqual(err.resumeFrom, point, what);
    }
    // Bytes resumed by an event count alone would be read from byte 0 and numbered from
    // 10: every chunk under another chunk's key. Refused, for every kind of byte source.
    for (const [what, make] of Object.entries(sources)) {
      const err = await client.createEvents(make(), { chunksize: 5, resumeFrom: { events: 10 } }).then(() => null, (e) => e);
      assert.equal(err?.name, 'TypeError', `${what}: ${err}`);
      assert.match(err.message, /^resumeFrom for bytes needs bytes and line besides events, as progress reports them/);
    }
    // Events resume from a count alone; past their end is a RangeError, as for an array.
    const iterable = () => (function* () { yield* events; })();
    const withBytes = await client.createEvents(iterable(), { resumeFrom: point }).then(() => null, (e) => e);
    assert.equal(withBytes?.name, 'TypeError', String(withBytes));
    assert.match(withBytes.message, /resumeFrom.bytes and resumeFrom.line are for bytes/);
    const past = await client.createEvents(iterable(), { resumeFrom: { events: 25 } }).then(() => null, (e) => e);
    assert.equal(past?.name, 'RangeError', String(past));
    assert.match(past.message, /^resumeFrom.events \(25\) is past the end of the events \(20\)$/);
    // Bytes past their end (the point of another, longer file): a RangeError, not an
    // upload that resolves with nothing sent, for every kind of byte source.
    const beyond = { events: 30, bytes: bytes.length + 100, line: 31 };
    for (const [what, make] of Object.entries({ Uint8Array: () => bytes, ...sources })) {
      const err = await client.createEvents(make(), { chunksize: 5, resumeFrom: beyond }).then(() => null, (e) => e);
      assert.equal(err?.name, 'RangeError', `${what}: ${err}`);
      assert.match(err.message, new RegExp(`^resumeFrom.bytes \\(${beyond.bytes}\\) is past the end of the source \\(${bytes.length} bytes\\)`), what);
    }
    assert.equal((await stats(emu)).requests.create, before, 'nothing was sent');
  });
});

test('a streamed upload through 20% faults stores every event exactly once', async (t) => {
  await withEmulator([], async (emu) => {
    const { token, client } = await clientFor(emu, { maxRetries: 10, timeoutMs: 1500 });
    const events = makeEvents(30_000, 'streamed-faults');
    await setFaults(emu, { rate: 0.2, kinds: ['503', '429', 'reset', 'lost-response', 'hold'], delayMs: 2500, seed: 12 });
    const file = new Blob([ndjson(events)]);
    const landed = [];
    const result = await client.createEvents(file.stream(), { chunksize: 1000, onChunk: (c) => landed.push(c) });
    await release(emu);
    await clearFaults(emu);
    assert.equal(result.created, 30_000);
    landed.sort((a, b) => a.from - b.from);
    const ids = landed.flatMap((c) => c.ids);
    await assertStoredExactlyOnce(emu, token, 'streamed-faults', events, ids);
    const s = await stats(emu);
    figure(t, 'streamed-faults', { events: 30_000, requests: s.requests.create, faults: s.faults, replayed: s.replayed });
  });
});
