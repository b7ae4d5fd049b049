// genomcore-events upload | export | query | delete, each against a real emulator:
// what it prints, its exit code, and what the emulator holds (over plain HTTP).
import test from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  assertEachOnce, assertNoToken, BIN, cliEnv, cliExpect, lastJson, makeEvents, readJson, release, setFaults, shell, startCli, stats, storedEvents,
  waitFor, withCli, writeNdjson,
} from './helpers.mjs';
import { expireTokens, login } from '../reliability/helpers.mjs';

test('upload: a file, then standard input; a human summary and --json', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const events = makeEvents(2500, 'cli-upload');
    const file = writeNdjson(join(dir, 'events.ndjson'), events);
    const human = await cliExpect(0, ['upload', file, '--base-url', emu.api, '--chunksize', '1000'], { env });
    assert.match(human.stdout, /done: 2,500 events created, 3 chunks, 0 retries/);
    await assertEachOnce(emu, token, 'cli-upload', events);
    assert.ok(!existsSync(`${file}.genomcore-upload.json`), 'the state file is gone after success');

    const more = makeEvents(1200, 'cli-stdin');
    const input = more.map((e) => JSON.stringify(e)).join('\n');
    const json = await cliExpect(0, ['upload', '-', '--base-url', emu.api, '--chunksize', '500', '--json'], { env, input });
    const out = lastJson(json.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.created, 1200);
    assert.equal(out.chunks, 3);
    assert.equal(typeof out.runId, 'string');
    await assertEachOnce(emu, token, 'cli-stdin', more);

    // A JSON array, --format json, and the token from an owner-only file.
    const arr = makeEvents(300, 'cli-json');
    const jsonFile = join(dir, 'events.json');
    writeFileSync(jsonFile, JSON.stringify(arr, null, 1));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    await cliExpect(0, ['upload', jsonFile, '--format', 'json', '--base-url', emu.api, '--token-file', tokenFile]);
    await assertEachOnce(emu, token, 'cli-json', arr);
  });
});

test('upload: an invalid event fails with its line (exit 1); --skip-invalid uploads the rest and writes the rejected lines', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const events = makeEvents(30, 'cli-bad');
    const lines = events.map((e) => JSON.stringify(e));
    lines[11] = JSON.stringify({ ...events[11], start: 'yesterday' });
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');

    const failed = await cliExpect(1, ['upload', file, '--base-url', emu.api, '--chunksize', '5'], { env });
    assert.match(failed.stderr, /error: upload of .*bad\.ndjson failed: ValidationError/);
    assert.match(failed.stderr, /line 12 \(byte \d+\): start: /);
    assert.match(failed.stderr, /run the same command with --skip-invalid \(it resumes/);
    // Run by its path (not on the PATH): the printed command names the script, and adds
    // --skip-invalid (without it the rerun would stop at the same event).
    const printed = failed.stderr.match(/to upload the valid rest: (.*)/)?.[1];
    assert.match(printed ?? failed.stderr, /^node \S+ upload \S*bad\.ndjson --base-url \S+ --chunksize 5 --skip-invalid$/);

    // That command, run verbatim by a shell, resumes the stopped run: the rest, once.
    const skipped = await shell(printed, env);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /skipped 1 invalid events: see .*bad\.rejected\.ndjson/);
    const rejected = readFileSync(join(dir, 'bad.rejected.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0].line, 12);
    assert.equal(rejected[0].problems[0].field, 'start');
    assert.equal(rejected[0].text, lines[11]);
    const stored = await storedEvents(emu, token, { collection: 'cli-bad' });
    assert.deepEqual(stored.map((e) => e.externalId).sort(), events.filter((_, i) => i !== 11).map((e) => e.externalId).sort());

    // From standard input the rejected events go to stdin.rejected.ndjson in the
    // current directory.
    const piped = lines.map((l) => l.replaceAll('cli-bad', 'cli-bad-stdin')).join('\n') + '\n';
    const fromStdin = await cliExpect(0, ['upload', '-', '--base-url', emu.api, '--skip-invalid'], { env, input: piped, cwd: dir });
    assert.match(fromStdin.stdout, /skipped 1 invalid events: see stdin\.rejected\.ndjson/);
    const fromStdinRejected = readFileSync(join(dir, 'stdin.rejected.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(fromStdinRejected.map((r) => [r.line, r.problems[0].field]), [[12, 'start']]);
  });
});

test('export: NDJSON to a file (the events as created) and to standard output (as stored), a JSON array; --json summaries', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const events = makeEvents(2345, 'cli-export');
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'in.ndjson'), events), '--base-url', emu.api], { env });
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'other.ndjson'), makeEvents(10, 'cli-other')), '--base-url', emu.api], { env });
    const stored = await storedEvents(emu, token, { collection: 'cli-export' });
    const byExternalId = (list) => [...list].sort((a, b) => a.externalId.localeCompare(b.externalId));

    const out = join(dir, 'out.ndjson');
    const toFile = await cliExpect(0, ['export', '--collection', 'cli-export', '-o', out, '--base-url', emu.api], { env });
    assert.match(toFile.stdout, /exported 2,345 events, .* to .*out\.ndjson/);
    assert.ok(!existsSync(`${out}.partial`));
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(byExternalId(lines), byExternalId(events), 'the events as they were created');

    const toStdout = await cliExpect(0, ['export', '--collection', 'cli-export', '--fields', 'stored', '--base-url', emu.api, '--json'], { env });
    const storedLines = toStdout.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(storedLines.map((e) => e.id).sort(), stored.map((e) => e.id).sort());
    const summary = JSON.parse(toStdout.stderr.trim().split('\n').at(-1));
    assert.deepEqual(summary, { ok: true, events: 2345, bytes: Buffer.byteLength(toStdout.stdout), output: '-' });

    const query = join(dir, 'query.json');
    writeFileSync(query, JSON.stringify({ filter: { collection: 'cli-export', owner: '3' } }));
    const asJson = await cliExpect(0, ['export', '--query', query, '--format', 'json', '-o', join(dir, 'out.json'), '--base-url', emu.api, '--json'], { env });
    const arr = readJson(join(dir, 'out.json'));
    assert.deepEqual(byExternalId(arr), byExternalId(events.filter((e) => e.owner === '3')));
    assert.deepEqual(lastJson(asJson.stdout), { ok: true, events: arr.length, bytes: readFileSync(join(dir, 'out.json')).length, output: join(dir, 'out.json') });

    // A failed export to standard output keeps its --json outcome off standard output,
    // where the events go.
    const badQuery = join(dir, 'bad-query.json');
    writeFileSync(badQuery, JSON.stringify({ filter: { noSuchField: 1 } }));
    const failed = await cliExpect(1, ['export', '--query', badQuery, '--base-url', emu.api, '--json'], { env });
    assert.equal(failed.stdout, '');
    const outcome = JSON.parse(failed.stderr.split('\n').find((l) => l.startsWith('{')));
    assert.equal(outcome.ok, false);
    assert.match(outcome.error.message, /400/);
  });
});

test('export to standard output whose reader goes away (| head): a quiet end, exit 0, the paging stopped', async () => {
  await withCli(async ({ emu, dir, env }) => {
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'gone.ndjson'), makeEvents(500, 'cli-reader-gone')), '--base-url', emu.api], { env });
    // Page 0 answers, page 1 waits until the reader has gone.
    await setFaults(emu, { sequence: ['ok', 'hold'] });
    const run = startCli(['export', '--collection', 'cli-reader-gone', '--page-size', '100', '--base-url', emu.api], { env });
    let ended = false;
    run.done.then(() => (ended = true));
    await new Promise((resolve) => run.child.stdout.once('data', resolve));
    run.child.stdout.destroy();
    // Page 1 is asked for ahead while page 0 is written, unless the reader went away
    // first (a busy machine): then the export ends without asking. Either way it ends.
    await waitFor(async () => ended || (await stats(emu)).held >= 1, 'page 1 held, or the export ended');
    await release(emu);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /error|EPIPE/i);
    assert.ok((await stats(emu)).requests.query < 5, 'the export stopped paging');
  });
});

test('query: one page as JSON when not on a terminal; --page and --page-size', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'q.ndjson'), makeEvents(45, 'cli-query')), '--base-url', emu.api], { env });
    const r = await cliExpect(0, ['query', '--collection', 'cli-query', '--page', '2', '--page-size', '20', '--base-url', emu.api], { env });
    const page = JSON.parse(r.stdout);
    assert.equal(page.total, 45);
    assert.equal(page.page, 2);
    assert.equal(page.items.length, 5);
    const all = JSON.parse((await cliExpect(0, ['query', '--collection', 'cli-query', '--base-url', emu.api, '--json'], { env })).stdout);
    assert.equal(all.items.length, 45);
    assert.deepEqual(page.items, all.items.slice(40));
  });
});

test('query into a slow reader: the whole page arrives before the command exits (writes to a pipe are not dropped)', async () => {
  await withCli(async ({ emu, dir, env }) => {
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'big.ndjson'), makeEvents(3000, 'cli-slow')), '--base-url', emu.api], { env });
    // The page is ~600 KB of JSON, ten times a pipe's buffer. The reader takes 1 KiB at a
    // time, one per turn of its event loop: far slower than the command writes.
    const child = spawn(BIN, ['query', '--collection', 'cli-slow', '--base-url', emu.api, '--json'], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
    const pieces = [];
    const exited = once(child, 'close');
    child.stdout.on('readable', function take() {
      const piece = child.stdout.read(1024) ?? child.stdout.read();
      if (piece) {
        pieces.push(piece);
        setImmediate(take);
      }
    });
    const [code] = await exited;
    const text = Buffer.concat(pieces).toString('utf8');
    assert.equal(code, 0);
    const page = JSON.parse(text);
    assert.equal(page.items.length, 3000, `${text.length} bytes read`);
  });
});

test('delete: the name typed again (on standard input), a wrong name refused, --yes', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'a.ndjson'), makeEvents(20, 'cli-del-a')), '--base-url', emu.api], { env });
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'b.ndjson'), makeEvents(7, 'cli-del-b')), '--base-url', emu.api], { env });
    const before = (await stats(emu)).requests.delete;

    const wrong = await cliExpect(1, ['delete', 'cli-del-a', '--base-url', emu.api], { env, input: 'cli-del-b\n' });
    assert.match(wrong.stderr, /Type its name to confirm/);
    assert.match(wrong.stderr, /not deleted: 'cli-del-b' is not 'cli-del-a'/);
    const none = await cliExpect(2, ['delete', 'cli-del-a', '--base-url', emu.api], { env, input: '' });
    assert.match(none.stderr, /no confirmation .* --yes/);
    assert.equal((await stats(emu)).requests.delete, before, 'no delete request without confirmation');

    const typed = await cliExpect(0, ['delete', 'cli-del-a', '--base-url', emu.api], { env, input: 'cli-del-a\n' });
    assert.match(typed.stdout, /deleted 20 events of collection 'cli-del-a'/);
    const yes = await cliExpect(0, ['delete', 'cli-del-b', '--yes', '--json', '--base-url', emu.api], { env });
    assert.deepEqual(JSON.parse(yes.stdout), { ok: true, collection: 'cli-del-b', deleted: 7, uncertain: false });
    assert.equal((await storedEvents(emu, token, {})).length, 0);
    // A name that ends with a space is confirmed by typing it as it is (a CRLF line too).
    await cliExpect(0, ['upload', writeNdjson(join(dir, 's.ndjson'), makeEvents(3, 'cli-del-s ')), '--base-url', emu.api], { env });
    const spaced = await cliExpect(0, ['delete', 'cli-del-s ', '--base-url', emu.api], { env, input: 'cli-del-s \r\n' });
    assert.match(spaced.stdout, /deleted 3 events of collection 'cli-del-s '/);

    // export/query: --collection with a query file that names a collection already is refused.
    const file = join(dir, 'q.json');
    writeFileSync(file, JSON.stringify({ filter: { collection: 'cli-del-a' } }));
    const both = await cliExpect(2, ['export', '--query', file, '--collection', 'cli-del-b', '--base-url', emu.api], { env });
    assert.match(both.stderr, /filters on collection already: give the collection there or in --collection, not both/);
  });
});

test('wrong usage: exit 2 with a helpful line; --help on every command with examples', async () => {
  const env = { GENOMCORE_TOKEN: 'not-used' };
  const cases = [
    [[], /missing <command>/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['upload'], /missing <file\|->/],
    [['upload', 'a', 'b'], /expected <file\|->, got 2 arguments/],
    [['upload', 'f', '--chunksize', '0'], /--chunksize must be an integer from 1 to 100000/],
    [['upload', 'f', '--format', 'csv'], /--format must be one of ndjson, json/],
    [['query', '--page', '4294967296'], /--page must be an integer from 0 to 4294967295/],
    [['upload', 'f', '--bogus'], /Unknown option '--bogus'/],
    [['upload', '-', '--restart'], /standard input cannot be resumed/],
    [['query', '--page-size', '20000'], /--page-size must be an integer from 1 to 10000/],
    [['export', '--env', 'staging'], /--env must be one of prod, dev/],
    [['export', '--query', '/nonexistent/q.json'], /--query \/nonexistent\/q\.json: no such file/],
    [['delete'], /missing <collection>/],
    [['query', '--env', 'dev', '--base-url', 'http://127.0.0.1:1/api/v1'], /give --env or --base-url, not both/],
  ];
  for (const [args, message] of cases) {
    const r = await cliExpect(2, args, { env });
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /Run 'genomcore-events( \w+)? --help' for usage\./, args.join(' '));
  }
  const noToken = await cliExpect(2, ['query', '--base-url', 'http://127.0.0.1:1/api/v1']);
  assert.match(noToken.stderr, /no token: set GENOMCORE_TOKEN/);
  // A token as an argument is refused without being repeated.
  const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ';
  for (const args of [['query', '--token', secret], ['query', `--token=${secret}`], ['upload', 'f', '--refresh-token', secret]]) {
    const r = await cliExpect(2, args, { env });
    assert.match(r.stderr, /a token is not accepted as an argument/);
    assertNoToken(r.stdout + r.stderr, secret, 'the refusal');
  }
  for (const command of ['upload', 'export', 'query', 'delete']) {
    const r = await cliExpect(0, [command, '--help']);
    assert.match(r.stdout, new RegExp(`^Usage: genomcore-events ${command}`));
    assert.match(r.stdout, /Examples:\n {2}/);
  }
  assert.match((await cliExpect(0, ['--help'])).stdout, /Exit codes: 0 done, 1 failed, 2 wrong usage, 130/);
  assert.match((await cliExpect(0, ['--version'])).stdout, /^\d+\.\d+\.\d+/);
});

test('--token-file: refused when others can read it; a failed request exits 1 with the API error', async () => {
  await withCli(async ({ emu, dir, token }) => {
    const file = join(dir, 'token.json');
    writeFileSync(file, JSON.stringify({ token }));
    chmodSync(file, 0o644);
    const open = await cliExpect(2, ['query', '--token-file', file, '--base-url', emu.api]);
    assert.match(open.stderr, /can be read by others \(mode 644\): run 'chmod 600 /);
    chmodSync(file, 0o600);
    await cliExpect(0, ['query', '--token-file', file, '--base-url', emu.api]);
    // A token pasted where the path goes is not repeated (error output ends up in CI logs).
    const pasted = await cliExpect(2, ['query', '--token-file', token, '--base-url', emu.api]);
    assert.match(pasted.stderr, /--token-file \(the value given looks like a token, not a path: not shown\): no such file/);
    assertNoToken(pasted.stderr, token, 'the error of a token given as --token-file');
    const bad = await cliExpect(1, ['query', '--base-url', emu.api], { env: { GENOMCORE_TOKEN: 'not.a.token' } });
    assert.match(bad.stderr, /^error: EventsApiError: .*401/m);
  });
});

test('an upload whose token the server no longer takes renews it with GENOMCORE_REFRESH_TOKEN and goes on; without it, a clear failure', async () => {
  await withCli(async ({ emu, dir, env }) => {
    const events = makeEvents(3000, 'cli-renew');
    const file = writeNdjson(join(dir, 'renew.ndjson'), events);
    await expireTokens(emu);
    const before = (await stats(emu)).requests;
    const r = await cliExpect(0, ['upload', file, '--base-url', emu.api, '--chunksize', '1000'], { env });
    assert.match(r.stdout, /done: 3,000 events created/);
    assert.ok((await stats(emu)).requests.auth > before.auth, 'the token was renewed');
    const { token } = await login(emu, 'cli-check');
    await assertEachOnce(emu, token, 'cli-renew', events);

    const { GENOMCORE_REFRESH_TOKEN, ...withoutRefresh } = env;
    const other = writeNdjson(join(dir, 'no-renew.ndjson'), makeEvents(10, 'cli-no-renew'));
    const refused = await cliExpect(1, ['upload', other, '--base-url', emu.api], { env: withoutRefresh });
    assert.match(refused.stderr, /401/);
  });
});
