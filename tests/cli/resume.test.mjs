// Resume: an upload stopped by Ctrl-C (SIGINT) or killed (SIGKILL) at a point chosen by
// the emulator's state (chunks held by a `hold` fault), then the same command again:
// every event stored exactly once, and the second run sends only the chunks missing
// (the emulator's create counter). A changed file is refused. The token is never in
// the process's arguments, its output or the state file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  APP, BIN, assertEachOnce, assertNoToken, cliEnv, cliExpect, transcript, clearFaults, makeEvents, readJson, release, setFaults, startCli, stats,
  waitFor, withCli, writeNdjson, lastJson,
} from './helpers.mjs';

const EVENTS = 20000;
const CHUNK = 500;
const CHUNKS = EVENTS / CHUNK;
const STORED_FIRST = 10; // chunks stored before the upload is stopped

/**
 * Starts an upload of EVENTS events whose first STORED_FIRST chunks are stored and the
 * next one held by the emulator; resolves once the state file records the stored prefix.
 * One chunk in flight, so that the chunks reach the emulator in order and meet the
 * fault sequence's entries one by one.
 */
async function interruptedUpload(emu, env, dir, collection) {
  const events = makeEvents(EVENTS, collection);
  const file = writeNdjson(join(dir, `${collection}.ndjson`), events);
  const args = ['upload', file, '--base-url', emu.api, '--chunksize', String(CHUNK), '--concurrency', '1'];
  await setFaults(emu, { sequence: [...Array(STORED_FIRST).fill('ok'), 'hold'] });
  const run = startCli(args, { env });
  let ended;
  run.done.then((r) => (ended = r));
  const statePath = `${file}.genomcore-upload.json`;
  const unlessEnded = (check) => () => {
    if (ended) throw new Error(`the upload ended (${ended.code ?? ended.signal}) before it was stopped:\n${ended.stderr}`);
    return check();
  };
  const wait = { timeoutMs: 60_000 };
  await waitFor(unlessEnded(async () => (await stats(emu)).held === 1), 'the held create', wait);
  const prefix = () => existsSync(statePath) && readJson(statePath).resumeFrom.events === STORED_FIRST * CHUNK;
  await waitFor(unlessEnded(prefix), 'the state file to record the stored prefix', wait);
  return { events, file, args, run, statePath };
}

/** After the first run ended: nothing held is handled, no more faults. */
async function settle(emu) {
  await release(emu, { then: 'reset' });
  await clearFaults(emu);
}

/** The same command again; resolves the creates it sent (none of them a replay). */
async function secondRun(emu, env, args, statePath) {
  const before = await stats(emu);
  const r = await cliExpect(0, args, { env });
  assert.match(r.stderr, /resuming run [0-9a-f-]+: 5,000 events already stored/);
  assert.match(r.stdout, /done: 15,000 events created \(plus 5,000 stored before the resume\), 30 chunks/);
  assert.ok(!existsSync(statePath), 'the state file is gone after success');
  const after = await stats(emu);
  assert.equal(after.replayed - before.replayed, 0, 'no chunk already stored was sent again');
  return after.requests.create - before.requests.create;
}

test('Ctrl-C mid-upload: state saved, the resume command printed, exit 130; the rerun sends only what was missing', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    // The command on the PATH, as after `npm install -g`: the resume line names it.
    const onPath = { ...env, PATH: `${dirname(BIN)}${delimiter}${process.env.PATH}` };
    const { events, args, run, statePath } = await interruptedUpload(emu, onPath, dir, 'cli-sigint');
    // The token is in the environment, never in the arguments.
    const cmdline = readFileSync(`/proc/${run.child.pid}/cmdline`, 'utf8');
    assert.match(cmdline, /upload/);
    assertNoToken(cmdline, token, '/proc/<pid>/cmdline');

    run.child.kill('SIGINT');
    const first = await run.done;
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /stopped: upload of .* interrupted/);
    assert.match(first.stderr, /state saved in .*cli-sigint\.ndjson\.genomcore-upload\.json; to resume: genomcore-events upload .*cli-sigint\.ndjson --base-url/);
    await settle(emu);
    const state = readJson(statePath);
    assert.equal(state.resumeFrom.events, STORED_FIRST * CHUNK);
    assertNoToken(readFileSync(statePath, 'utf8'), token, 'the state file');
    for (const e of ['GENOMCORE_TOKEN', 'refreshToken', '"token"']) assert.ok(!readFileSync(statePath, 'utf8').includes(e));

    const sent = await secondRun(emu, env, args, statePath);
    assert.equal(sent, CHUNKS - STORED_FIRST, 'the second run sent only the missing chunks');
    await assertEachOnce(emu, token, 'cli-sigint', events);
    assertNoToken(first.stdout + first.stderr, token, 'the output');
  });
});

test('SIGKILL mid-upload: the rerun stores every event exactly once and sends only what was missing', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const { events, args, run, statePath } = await interruptedUpload(emu, env, dir, 'cli-sigkill');
    run.child.kill('SIGKILL');
    const first = await run.done;
    assert.equal(first.signal, 'SIGKILL');
    await settle(emu);
    assert.equal(readJson(statePath).resumeFrom.events, STORED_FIRST * CHUNK);

    // A resume keeps the chunking and the target (another --chunksize would give the
    // chunks other idempotency keys): anything else is refused, nothing sent.
    const before = (await stats(emu)).requests.create;
    const wrongSize = await cliExpect(2, args.map((a) => (a === String(CHUNK) ? '700' : a)), { env });
    assert.match(wrongSize.stderr, /the interrupted upload used --chunksize 500: resume with the same, or --restart/);
    const elsewhere = emu.api.replace('127.0.0.1', 'localhost');
    const wrongTarget = await cliExpect(1, args.map((a) => (a === emu.api ? elsewhere : a)), { env });
    assert.match(wrongTarget.stderr, new RegExp(`went to ${emu.api.replace(/[.]/g, '\\.')}, not ${elsewhere}`));
    assert.equal((await stats(emu)).requests.create, before, 'nothing sent');

    const sent = await secondRun(emu, env, args, statePath);
    assert.equal(sent, CHUNKS - STORED_FIRST, 'the second run sent only the missing chunks');
    await assertEachOnce(emu, token, 'cli-sigkill', events);
  });
});

test('a file changed since the interrupted upload is refused (nothing sent) unless --restart', async () => {
  await withCli(async ({ emu, dir, env }) => {
    const { file, args, run, statePath } = await interruptedUpload(emu, env, dir, 'cli-changed');
    run.child.kill('SIGINT');
    assert.equal((await run.done).code, 130);
    await settle(emu);
    appendFileSync(file, JSON.stringify(makeEvents(1, 'cli-changed', 'extra')[0]) + '\n');

    const before = (await stats(emu)).requests.create;
    const refused = await cliExpect(1, args, { env });
    assert.match(refused.stderr, /changed since the interrupted upload/);
    assert.match(refused.stderr, /--restart/);
    assert.equal((await stats(emu)).requests.create, before, 'nothing sent');
    assert.ok(existsSync(statePath), 'the state is kept');

    const restarted = await cliExpect(0, [...args, '--restart'], { env });
    assert.match(restarted.stderr, /--restart: the 5,000 events stored by the interrupted upload will be stored again/);
    assert.match(restarted.stdout, /done: 20,001 events created/);
  });
});

test('SIGTERM while standard input is open but silent (a producer that has not finished): stopped at once, exit 130 with the summary', async () => {
  await withCli(async ({ emu, env }) => {
    const events = makeEvents(1500, 'cli-stdin-open');
    const before = (await stats(emu)).requests.create;
    const run = startCli(['upload', '-', '--base-url', emu.api, '--chunksize', '1000'], {
      env,
      input: `${events.map((e) => JSON.stringify(e)).join('\n')}\n`,
      keepInputOpen: true,
    });
    await waitFor(async () => (await stats(emu)).requests.create === before + 1, 'the first chunk sent');
    run.child.kill('SIGTERM');
    const r = await run.done;
    run.child.stdin.destroy();
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /standard input cannot be resumed/);
  });
});

test('--state-dir keeps the state elsewhere; standard input is said not to be resumable', async () => {
  await withCli(async ({ emu, dir, env }) => {
    const events = makeEvents(3000, 'cli-stdin-stop');
    await setFaults(emu, { sequence: ['ok', 'hold'] });
    const run = startCli(['upload', '-', '--base-url', emu.api, '--chunksize', '1000', '--concurrency', '1'], {
      env,
      input: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  await waitFor(async () => (await stats(emu)).held === 1, 'a held create');
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130);
  assert.match(r.stderr, /standard input cannot be resumed/);
  await settle(emu);

  const file = writeNdjson(join(dir, 'x.ndjson'), makeEvents(10, 'cli-state-dir'));
  const states = join(dir, 'states', 'made-by-the-command');
  await setFaults(emu, { sequence: ['hold'] });
  const held = startCli(['upload', file, '--state-dir', states, '--base-url', emu.api], { env });
  await waitFor(async () => (await stats(emu)).held === 1, 'a held create');
  assert.equal(readdirSync(states).filter((f) => f.endsWith('.genomcore-upload.json')).length, 1);
  assert.ok(!existsSync(`${file}.genomcore-upload.json`));
  held.child.kill('SIGINT');
  assert.equal((await held.done).code, 130);
  });
});

test('a resumed --skip-invalid upload counts the events stored before it and every event left out, the earlier run\'s too; the rejects file is owner-only', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    // 100 events, every tenth invalid; chunks of 10 events of the input (9 valid), one at a time.
    const events = makeEvents(100, 'cli-skip-resume');
    const lines = events.map((e, i) => JSON.stringify(i % 10 === 9 ? { ...e, start: 'never' } : e));
    const file = join(dir, 'skip.ndjson');
    writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
    const args = ['upload', file, '--base-url', emu.api, '--chunksize', '10', '--concurrency', '1', '--skip-invalid'];
    // Three chunks stored, the fourth refused once, and --max-retries 0 does not retry it.
    await setFaults(emu, { sequence: ['ok', 'ok', 'ok', '503'] });
    const first = await cliExpect(1, [...args, '--max-retries', '0'], { env });
    assert.match(first.stderr, /CreateEventsError: 1 of 10 chunks failed \(events 30–38\); 81 of 90 events were stored\. First error: Events API answered 503/);
    await clearFaults(emu);
    const second = await cliExpect(0, args, { env });
    // The first three chunks (events 0-28): 27 events stored, and the 2 invalid ones among
    // them left out (the resumed run meets event 29 again). The six chunks stored after the failed one are sent again and answered
    // from the server's idempotency record (counted as created, stored once).
    assert.match(second.stderr, /resuming run [0-9a-f-]+: 27 events already stored, 2 left out/);
    assert.match(second.stdout, /done: 63 events created \(plus 27 stored before the resume\)/);
    assert.match(second.stdout, /skipped 10 invalid events: see .*skip\.rejected\.ndjson/);
    const rejectsPath = join(dir, 'skip.rejected.ndjson');
    const rejected = readFileSync(rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rejected.map((r) => r.index), [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    assert.equal(statSync(rejectsPath).mode & 0o777, 0o600, 'the events\' text is readable by its owner only');
    await assertEachOnce(emu, token, 'cli-skip-resume', events.filter((_, i) => i % 10 !== 9));
    // A rejects file left readable by others (an earlier version, a copy) is made
    // owner-only when written again (here by a new run: --restart).
    chmodSync(rejectsPath, 0o644);
    await cliExpect(0, [...args, '--restart'], { env });
    assert.equal(statSync(rejectsPath).mode & 0o777, 0o600);
  });
});

test('a resume state that cannot be read stops the upload with its path and the advice; --restart replaces it', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const events = makeEvents(50, 'cli-bad-state');
    const file = writeNdjson(join(dir, 'state.ndjson'), events);
    const statePath = `${file}.genomcore-upload.json`;
    writeFileSync(statePath, '{"version": 1, "runId": "cut sh');
    const refused = await cliExpect(1, ['upload', file, '--base-url', emu.api], { env });
    assert.match(refused.stderr, /error: the resume state .*state\.ndjson\.genomcore-upload\.json cannot be read: not JSON/);
    assert.match(refused.stderr, /--restart/);
    // Edited: valid JSON, a field missing or of another type.
    const valid = { version: 1, runId: 'r', source: { path: file, size: 1, mtimeMs: 1 }, target: { baseUrl: emu.api }, options: { chunksize: 10000, format: null }, resumeFrom: { events: 0, bytes: 0 } };
    for (const edited of [{ ...valid, source: undefined, options: undefined }, { ...valid, target: null }, { ...valid, resumeFrom: { events: 1, bytes: 'x' } }]) {
      writeFileSync(statePath, JSON.stringify(edited));
      const r = await cliExpect(1, ['upload', file, '--base-url', emu.api], { env });
      assert.match(r.stderr, /error: the resume state .* cannot be read: not a resume state of version 1/, JSON.stringify(edited));
    }
    assert.equal((await stats(emu)).requests.create, 0, 'nothing sent');
    const restarted = await cliExpect(0, ['upload', file, '--base-url', emu.api, '--restart'], { env });
    assert.match(restarted.stderr, /--restart: the resume state .* cannot be read: not a resume state of version 1; it is replaced/);
    assert.ok(!existsSync(statePath));
    await assertEachOnce(emu, token, 'cli-bad-state', events);
  });
});

test('run by npx, a stopped upload prints a resume command that runs through npx with the package named', async () => {
  await withCli(async ({ emu, dir, env }) => {
    const file = writeNdjson(join(dir, 'npx.ndjson'), makeEvents(20, 'cli-npx'));
    await setFaults(emu, { sequence: ['503'] });
    const child = spawn('npx', ['--no', 'genomcore-events', 'upload', file, '--base-url', emu.api, '--max-retries', '0'], { cwd: APP, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdout.resume();
    const [code] = await once(child, 'close');
    transcript.push(stderr);
    assert.equal(code, 1, stderr);
    // Through npx, naming the package: `npx genomcore-events` where the package is not
    // installed would fetch another package of that name from the registry.
    assert.match(stderr, /to resume: npx -p genomcore-events-wasm genomcore-events upload .*npx\.ndjson --base-url /);
  });
});

test('a file that grows while it uploads: the bytes it held at the start are uploaded, a half-written line after them is not read, and the output says what was left', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    // ~1 MB, so that the upload, its first request held, has not read to the end yet.
    const events = makeEvents(4000, 'cli-grow');
    const file = writeNdjson(join(dir, 'grow.ndjson'), events);
    const size = statSync(file).size;
    await setFaults(emu, { sequence: ['hold'] });
    const run = startCli(['upload', file, '--base-url', emu.api, '--chunksize', '100', '--concurrency', '1', '--json'], { env });
    await waitFor(async () => (await stats(emu)).held === 1, 'the held create', { timeoutMs: 60_000 });
    const half = JSON.stringify(makeEvents(1, 'cli-grow', 'late')[0]).slice(0, 30);
    appendFileSync(file, half); // a writer in the middle of its line
    await clearFaults(emu);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.equal(out.created, 4000);
    assert.equal(out.notUploadedBytes, 30);
    assert.match(out.warnings.join('\n'), new RegExp(`grew by 30 bytes while it uploaded: those were not uploaded .*tail -c \\+${size + 1} `));
    await assertEachOnce(emu, token, 'cli-grow', events);
  });
});

test('a --skip-invalid upload resumed without the flag still counts the events the first run left out', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const events = makeEvents(100, 'cli-skip-then-not');
    const lines = events.map((e, i) => JSON.stringify(i === 5 ? { ...e, start: 'never' } : e));
    const file = join(dir, 'skip-then-not.ndjson');
    writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
    const args = ['upload', file, '--base-url', emu.api, '--chunksize', '10', '--concurrency', '1', '--json'];
    await setFaults(emu, { sequence: ['ok', 'ok', 'ok', '503'] });
    await cliExpect(1, [...args, '--skip-invalid', '--max-retries', '0'], { env });
    await clearFaults(emu);
    const out = lastJson((await cliExpect(0, args, { env })).stdout);
    assert.equal(out.skipped, 1, JSON.stringify(out));
    assert.ok(out.storedBefore > 0, 'a resumed run');
    assert.equal(out.storedBefore + out.created + out.skipped, 100);
    await assertEachOnce(emu, token, 'cli-skip-then-not', events.filter((_, i) => i !== 5));
  });
});

test('a gzip file is refused with the way to upload it; a token given as the file is not echoed', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const file = join(dir, 'events.ndjson.gz');
    writeFileSync(file, gzipSync(makeEvents(3, 'cli-gz').map((e) => JSON.stringify(e)).join('\n') + '\n'));
    const gz = await cliExpect(1, ['upload', file, '--base-url', emu.api], { env });
    assert.match(gz.stderr, /events\.ndjson\.gz is gzip-compressed: pipe it through zcat \(zcat \S+ \| genomcore-events upload - …\)/);
    const pasted = await cliExpect(1, ['upload', token, '--base-url', emu.api], { env });
    assert.match(pasted.stderr, /cannot read \(the value given looks like a token, not a path: not shown\)/);
    assertNoToken(pasted.stderr + pasted.stdout, token, 'the output');
    assert.equal((await stats(emu)).requests.create, 0, 'nothing sent');
  });
});
