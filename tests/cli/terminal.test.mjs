// On a terminal (a pseudo-terminal made by util-linux `script`): the upload's progress
// line, redrawn in place and coloured (not with NO_COLOR), and query's table. Without
// a terminal: plain progress lines, no redrawing, no colour.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { APP, BIN, assertNoToken, cliEnv, cliExpect, makeEvents, transcript, withCli, writeNdjson } from './helpers.mjs';

const quote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;

/** `genomcore-events …args` on a pseudo-terminal: `{ code, output }` (both streams, as a terminal shows them). */
function onTerminal(args, env, cols = 200) {
  return new Promise((resolve, reject) => {
    // A pseudo-terminal made without one has no size: 200 columns, as a wide window.
    const command = `stty cols ${cols} rows 50; ${[BIN, ...args].map(quote).join(' ')}`;
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd: APP,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => {
      transcript.push(output);
      resolve({ code, output });
    });
  });
}

test('upload on a terminal draws one progress line in place, coloured unless NO_COLOR', async () => {
  await withCli(async ({ emu, dir, token, env }) => {
    const file = writeNdjson(join(dir, 'tty.ndjson'), makeEvents(6000, 'cli-tty'));
    const args = ['upload', file, '--base-url', emu.api, '--chunksize', '500', '--concurrency', '1'];
    const coloured = await onTerminal(args, env);
    assert.equal(coloured.code, 0, coloured.output);
    // Each redraw returns to the line's start and clears it.
    const draws = coloured.output.split('\r\x1b[2K').filter((s) => s.includes('events/s'));
    assert.ok(draws.length >= 1, coloured.output);
    const line = draws.at(-1);
    for (const part of [/events/, /kB|MB/, /\d+%/, /events\/s/, /ETA /, /retries 0/, /concurrency 1/]) assert.match(line, part);
    assert.match(coloured.output, /\x1b\[36mupload\x1b\[0m/, 'coloured on a terminal');
    assert.match(coloured.output, /\x1b\[32mdone\x1b\[0m: 6,000 events created/);

    const plain = await onTerminal(['upload', writeNdjson(join(dir, 'tty2.ndjson'), makeEvents(600, 'cli-tty2')), '--base-url', emu.api, '--chunksize', '100'], { ...env, NO_COLOR: '1' });
    assert.equal(plain.code, 0, plain.output);
    assert.match(plain.output, /\r\x1b\[2Kupload .*events\/s/);
    assert.doesNotMatch(plain.output, /\x1b\[\d+m/, 'no colour with NO_COLOR');
    assertNoToken(coloured.output + plain.output, token, 'the terminal');

    // An 80-column terminal: whole fields are left out (events/s, then the ETA), never the
    // retries and the concurrency, and no line is wider than the terminal.
    const narrow = await onTerminal(['upload', writeNdjson(join(dir, 'tty3.ndjson'), makeEvents(3000, 'cli-tty3')), '--base-url', emu.api, '--chunksize', '500', '--concurrency', '1'], { ...env, NO_COLOR: '1' }, 80);
    assert.equal(narrow.code, 0, narrow.output);
    const narrowDraws = narrow.output.split('\r\x1b[2K').map((s) => s.split('\r')[0]).filter((s) => s.startsWith('upload '));
    assert.ok(narrowDraws.length >= 1, narrow.output);
    for (const draw of narrowDraws) {
      assert.ok(draw.length <= 79, `${draw.length} columns: ${draw}`);
      assert.match(draw, /retries 0 {2}concurrency 1$/, draw);
    }

    // Not a terminal: plain lines (here one per chunk), no redrawing, no colour.
    const pipeArgs = ['upload', writeNdjson(join(dir, 'pipe.ndjson'), makeEvents(600, 'cli-pipe')), '--base-url', emu.api, '--chunksize', '100', '--concurrency', '1'];
    const piped = await cliExpect(0, [...pipeArgs, '--progress-interval', '0'], { env });
    assert.doesNotMatch(piped.stdout + piped.stderr, /\r|\x1b/);
    const lines = piped.stderr.split('\n').filter((l) => l.startsWith('upload '));
    assert.equal(lines.length, 6, piped.stderr);
    assert.match(lines.at(-1), /^upload 600 events .*events\/s .*retries 0 {2}concurrency 1$/);
  });
});

test('query on a terminal prints a table', async () => {
  await withCli(async ({ emu, dir, env }) => {
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'q.ndjson'), makeEvents(30, 'cli-table')), '--base-url', emu.api], { env });
    const r = await onTerminal(['query', '--collection', 'cli-table', '--base-url', emu.api], { ...env, NO_COLOR: '1' });
    assert.equal(r.code, 0, r.output);
    const lines = r.output.split(/\r?\n/);
    assert.match(lines[0], /^id +start +end +owner +collection +type +value +source +externalId +batch$/);
    assert.equal(lines.filter((l) => /cli-table-\d+/.test(l)).length, 20);
    assert.match(r.output, /events 1-20 of 30 \(page 0 of 0-1\)/);
  });
});

test('query on a terminal: control characters and bidirectional overrides stored in events are shown escaped, not sent to the terminal', async () => {
  await withCli(async ({ emu, dir, env }) => {
    const events = makeEvents(1, 'cli-escapes');
    events[0].value = '\u001b]0;TITLE\u0007\u001b[2J\u001b[31mred';
    events[0].type = 't\nFAKE ROW\u202e';
    await cliExpect(0, ['upload', writeNdjson(join(dir, 'esc.ndjson'), events), '--base-url', emu.api], { env });
    const { code, output } = await onTerminal(['query', '--collection', 'cli-escapes', '--base-url', emu.api], { ...env, NO_COLOR: '1' });
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /\u001b\]0;|\u001b\[2J|\u001b\[31m|\u202e/, 'no escape sequence or override reaches the terminal');
    assert.match(output, /\\u001b\]0;TITLE\\u0007/);
    assert.match(output, /t\\u000aFAKE ROW\\u202e/);
  });
});
