// Shared by tests/cli/*.test.mjs (make test-cli): the `genomcore-events` command as
// npm installed it from the packed tarball into the project of tests/package/run.sh
// (PKG_TEST_APP), run as a child process against real emulator processes (one per
// test, from tests/reliability/helpers.mjs), which are checked over plain HTTP.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { login, storedEvents, tempDir, withEmulator } from '../reliability/helpers.mjs';

export { stats, setFaults, clearFaults, release, waitFor, storedEvents, makeEvents } from '../reliability/helpers.mjs';

const APP = process.env.PKG_TEST_APP;
if (!APP) throw new Error("PKG_TEST_APP is not set: run the CLI tests with 'make test-cli'");

/** The installed command: npm's link in node_modules/.bin, as `npx genomcore-events` finds it. */
export const BIN = join(APP, 'node_modules', '.bin', 'genomcore-events');
export { APP };

/** Every output the tests saw, and every token they gave: none may appear in any output. */
export const transcript = [];
const tokens = [];
after(() => {
  for (const token of tokens) assertNoToken(transcript.join('\n'), token, 'the output of a run');
});

/** The environment of a run: nothing of the test's own, plus `env` (e.g. GENOMCORE_TOKEN). */
export function cliEnv(env = {}) {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...env };
}

/**
 * Starts `genomcore-events …args`; `input` (a string) is written to its standard input
 * (closed at once when absent). Returns the child and `done`, resolving
 * `{ code, signal, stdout, stderr }`.
 */
export function startCli(args, { env = {}, input, cwd = APP, keepInputOpen = false } = {}) {
  const child = spawn(BIN, args, { cwd, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // a command that does not read its input
  if (keepInputOpen) child.stdin.write(input); // a producer that has not finished
  else child.stdin.end(input);
  const done = new Promise((resolve) =>
    child.once('close', (code, signal) => {
      transcript.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** Runs the command to its end: `{ code, signal, stdout, stderr }`. */
export function cli(args, options) {
  return startCli(args, options).done;
}

/** A command line a command printed, run verbatim by a shell: `{ code, signal, stdout, stderr }`. */
export async function shell(line, env = {}, cwd = APP) {
  const child = spawn('sh', ['-c', line], { cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const [code, signal] = await new Promise((resolve) => child.once('close', (...r) => resolve(r)));
  transcript.push(stdout, stderr);
  return { code, signal, stdout, stderr };
}

/** As `cli`, failing with its output unless it exits with `code`. */
export async function cliExpect(code, args, options) {
  const r = await cli(args, options);
  assert.equal(r.code, code, `genomcore-events ${args.join(' ')} exited ${r.code ?? r.signal}, not ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** The last line of standard output as JSON. */
export function lastJson(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** `events` as an NDJSON file at `path`. */
export function writeNdjson(path, events) {
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}

export const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** A fresh token of the emulator, with its refresh token, and the env giving them to the command. */
async function credentials(emu) {
  const { token, refreshToken } = await login(emu, 'cli');
  tokens.push(token, refreshToken);
  return { token, refreshToken, env: { GENOMCORE_TOKEN: token, GENOMCORE_REFRESH_TOKEN: refreshToken } };
}

/**
 * Runs `fn({ emu, dir, token, refreshToken, env })` with a fresh emulator, a temporary
 * directory and a login (`env` gives its tokens to the command); cleans up after.
 */
export async function withCli(fn) {
  const { dir, cleanup } = tempDir();
  try {
    return await withEmulator([], async (emu) => fn({ emu, dir, ...(await credentials(emu)) }));
  } finally {
    cleanup();
  }
}

/** Stored events of `collection` by externalId, failing on any stored twice. */
export async function assertEachOnce(emu, token, collection, events) {
  const stored = await storedEvents(emu, token, { collection });
  const seen = new Set();
  for (const e of stored) {
    assert.ok(!seen.has(e.externalId), `${e.externalId} stored twice`);
    seen.add(e.externalId);
  }
  assert.equal(stored.length, events.length, `${collection}: ${stored.length} stored, ${events.length} in the file`);
  for (const e of events) assert.ok(seen.has(e.externalId), `${e.externalId} missing`);
  return stored;
}

/** Fails when `token` (or its signature, the secret part) is in `text`. */
export function assertNoToken(text, token, what) {
  const signature = token.split('.')[2];
  assert.ok(!text.includes(token) && !text.includes(signature), `the token appears in ${what}`);
}
