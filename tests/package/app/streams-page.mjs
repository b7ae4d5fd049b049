// The page side of tests/package/streams.test.mjs: createEvents from bytes in Chromium,
// each source kind built here from the bytes the test hands over. Every call resolves
// plain JSON (the result or the error's fields) for the test to judge; what the emulator
// holds the test reads itself, over HTTP.

const enc = new TextEncoder();

/** `bytes` cut at `cuts` (ascending byte positions). */
function pieces(bytes, cuts = []) {
  const out = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(at, c));
    at = c;
  }
  return out;
}

/** A pull stream of the pieces; with `failWith`, it errors after the last one. */
function streamOf(parts, failWith) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++].slice());
      else if (failWith) controller.error(failWith);
      else controller.close();
    },
  });
}

/** The source kinds, each made from the whole bytes and where to cut them. */
const SOURCES = {
  uint8array: (bytes) => bytes,
  arraybuffer: (bytes) => bytes.slice().buffer,
  blob: (bytes) => new Blob([bytes]),
  file: (bytes) => new File([bytes], 'events.ndjson', { type: 'application/x-ndjson' }),
  'file.stream()': (bytes) => new File([bytes], 'events.ndjson').stream(),
  readablestream: (bytes, cuts) => streamOf(pieces(bytes, cuts)),
  'async iterable of bytes': (bytes, cuts) => (async function* () {
    yield* pieces(bytes, cuts);
  })(),
  // Decoded in order, so that a cut inside a character ends up whole in one string.
  'async iterable of strings': (bytes, cuts) => (async function* () {
    const dec = new TextDecoder();
    for (const p of pieces(bytes, cuts)) yield dec.decode(p, { stream: true });
    yield dec.decode();
  })(),
  'sync iterable of bytes': (bytes, cuts) => pieces(bytes, cuts).values(),
  'failing stream': (bytes, cuts) => streamOf(pieces(bytes, cuts), new Error('the disk went away')),
  // Objects, not bytes: as a generator over a database cursor would yield them.
  'async iterable of events': (bytes) => (async function* () {
    for (const line of new TextDecoder().decode(bytes).split('\n')) if (line) yield JSON.parse(line);
  })(),
};

function errorSummary(e, pkg) {
  return {
    name: e?.name,
    message: e?.message,
    isValidationError: e instanceof pkg.ValidationError,
    isEventsError: e instanceof pkg.EventsError,
    problems: e?.problems?.map(({ index, line, offset, field, message }) => ({ index, line, offset, field, message })),
    problemCount: e?.problemCount,
    created: e?.created,
    succeeded: e?.succeeded?.map((c) => [c.from, c.to]),
    succeededIds: e?.succeeded?.flatMap((c) => c.ids),
    runId: e?.runId,
    resumeFrom: e?.resumeFrom,
    cause: e?.cause && { name: e.cause.name, message: e.cause.message },
  };
}

export function streamsApi(pkg) {
  let client;
  const posts = [];
  return {
    /** A client with the test's token, against this page's origin (the emulator). */
    connect(token, options = {}) {
      client?.free();
      client = new pkg.EventsClient({
        token,
        baseUrl: `${location.origin}/api/v1`,
        ...options,
        // Every create request, to count what was sent after a bad event.
        onRequest: (r) => {
          if (r.method === 'POST' && /\/events(\?|$)/.test(r.url)) posts.push(r.status);
        },
      });
    },

    /**
     * createEvents from `text` (or from `url`'s fetch body) as the `kind` of source, cut at
     * `cuts`; resolves `{ ok, result | error, posts, progress }`.
     */
    async upload({ kind, text, cuts, url, options = {} }) {
      let source;
      if (kind === 'fetch body') {
        const answer = await fetch(url);
        if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
        source = answer.body;
      } else {
        const bytes = typeof text === 'string' ? enc.encode(text) : new Uint8Array(text);
        source = SOURCES[kind](bytes, cuts);
      }
      const progress = [];
      const sentBefore = posts.length;
      try {
        const r = await client.createEvents(source, { ...options, onProgress: (p) => progress.push({ ...p }) });
        return {
          ok: true,
          result: { created: r.created, ids: r.ids, chunks: r.chunks.map((c) => [c.from, c.to]), skipped: r.skipped },
          posts: posts.slice(sentBefore),
          progress,
        };
      } catch (e) {
        return { ok: false, error: errorSummary(e, pkg), posts: posts.slice(sentBefore), progress };
      }
    },

    /**
     * The same text uploaded once per cut position (1 … length − 1), as two pieces of an
     * async iterable; `mark` (in the text) becomes the cut's number, zero-padded to its
     * length, so that every upload has the same bytes but its own externalIds. Resolves
     * `[cut, created or the error]` per position.
     */
    async everyCut({ text, mark, options = {} }) {
      const out = [];
      const length = enc.encode(text).length;
      for (let cut = 1; cut < length; cut++) {
        const bytes = enc.encode(text.replaceAll(mark, String(cut).padStart(mark.length, '0')));
        try {
          const r = await client.createEvents(SOURCES['async iterable of bytes'](bytes, [cut]), options);
          out.push([cut, r.created]);
        } catch (e) {
          out.push([cut, `${e.name}: ${e.message}`]);
        }
      }
      return out;
    },
  };
}
