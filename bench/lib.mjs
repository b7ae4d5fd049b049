// Shared pieces of the benchmarks: the events, the emulator, the client, statistics.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Where the client for Node is: the package when `make pack` built it, else a wasm-pack build. */
export function clientEntry() {
  const candidates = [
    process.env.BENCH_CLIENT,
    path.join(ROOT, 'dist/package/node/index.cjs'),
    path.join(ROOT, 'target/bench-pkg/api.js'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no client build found (tried ${candidates.join(', ')}); run make bench`);
  return path.resolve(found);
}

/**
 * The client builds to measure: the package's Node entry (named `first`) and one more
 * per `--variant NAME=ENTRY` argument (an entry path from the repository root).
 */
export function variantsFrom(args, first = 'client') {
  const variants = [[first, clientEntry()]];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--variant') {
      const [name, entry] = args[++i].split('=');
      variants.push([name, path.resolve(ROOT, entry)]);
    }
  }
  return variants;
}

export function loadClient(entry = clientEntry()) {
  return require(entry);
}

/**
 * Realistic events, as the emulator's ingest bench makes them: an SDK-like owner and
 * collection, increasing starts, one in three with `end` and `batch` (~230 bytes of JSON each).
 */
export function makeEvents(n, collection = 'bench', offset = 0) {
  const events = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const start = new Date(Date.UTC(2024, 3, 1) + k * 1000 + (k % 1000)).toISOString();
    const e = {
      owner: String((k % 7) + 1),
      collection,
      start,
      value: `heart rate sample ${k} from the wearable`,
      type: 'measurement',
      source: 'bench',
      externalId: `ext-${String(k).padStart(8, '0')}`,
    };
    if (k % 3 === 0) {
      e.end = start;
      e.batch = `batch-${Math.floor(k / 1000)}`;
    }
    events[i] = e;
  }
  return events;
}

/**
 * Notes the wasm linear memory of the first instance created from now on (the client's,
 * as its glue instantiates it); the returned function gives its size in bytes then
 * (0 before). It grows, never shrinks.
 */
export function watchWasmMemory() {
  let memory = null;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, a) {
      const instance = new target(...a);
      memory ??= instance.exports.memory ?? null;
      return instance;
    },
  });
  return () => (memory ? memory.buffer.byteLength : 0);
}

/**
 * Writes `n` events of `makeEvents(n, collection)` to `file` as NDJSON, 100000 at a time
 * (a file of millions without holding them); resolves its size in bytes.
 */
export function writeNdjson(file, n, collection = 'bench') {
  const fd = openSync(file, 'w');
  try {
    for (let at = 0; at < n; at += 100_000) {
      writeSync(fd, makeEvents(Math.min(100_000, n - at), collection, at).map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

// `cargo build --profile emulator` puts it in the cargo target dir (CARGO_TARGET_DIR when set).
export const EMULATOR_BIN =
  process.env.BENCH_EMULATOR ?? path.join(path.resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'emulator/events-emulator');

/**
 * Starts the emulator on a free port: `{ sink: true }` stores nothing, otherwise a
 * SQLite file in a fresh temp dir (`{ db: ':memory:' }` for memory); `args`: more flags.
 */
export async function startEmulator({ sink = false, db, args: extra = [] } = {}) {
  let dir = null;
  if (!db) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'events-bench-'));
    db = path.join(dir, 'bench.sqlite');
  }
  const args = ['--addr', '127.0.0.1:0', '--db', sink ? ':memory:' : db];
  if (sink) args.push('--sink');
  args.push(...extra);
  const child = spawn(EMULATOR_BIN, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const first = (await it.next()).value ?? '';
  const second = (await it.next()).value ?? '';
  const origin = first.replace(/^listening on /, '');
  const token = second.replace(/^token: /, '');
  if (!origin.startsWith('http://') || !token) throw new Error(`emulator did not start: ${first} / ${second}`);
  lines.on('line', () => {});
  const exited = new Promise((r) => child.once('exit', r));
  return {
    origin,
    api: `${origin}/api/v1`,
    token,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh access token for the benchmark's own user. */
export async function login(api) {
  const r = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'x', organizationId: 'o' }),
  });
  if (r.status !== 200) throw new Error(`login: ${r.status}`);
  return (await r.json()).token;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The order the variants `names` run in round `round` (negative: a warm-up, in the given
 * order): rotated by one each round, so that none always runs first (after the machine
 * was idle) or right after the same other.
 */
export const roundOrder = (names, round) => names.map((_, j) => names[(j + Math.max(round, 0)) % names.length]);

/** Runs `fns` (name → async () => void) interleaved, `rounds` times each (order rotated each round); ms per name. */
export async function interleaved(fns, rounds, { warmup = 1, before } = {}) {
  const names = Object.keys(fns);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = -warmup; r < rounds; r++) {
    for (const name of roundOrder(names, r)) {
      if (before) await before(name);
      if (globalThis.gc) globalThis.gc();
      const t0 = performance.now();
      await fns[name]();
      const ms = performance.now() - t0;
      if (r >= 0) times[name].push(ms);
    }
  }
  return times;
}

export const fmt = {
  int: (x) => Math.round(x).toLocaleString('en-US'),
  ms: (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)),
  x: (x) => `${x.toFixed(2)}×`,
  kb: (bytes) => `${(bytes / 1024).toFixed(1)} KB`,
  mb: (bytes) => `${(bytes / 1048576).toFixed(1)} MB`,
};
