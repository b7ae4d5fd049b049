/** An event to create. `start`/`end` take RFC 3339 strings or `Date`s (sent as UTC). */
export interface EventInput {
  owner: string;
  collection: string;
  start: string | Date;
  end?: string | Date;
  value: string;
  type: string;
  source: string;
  externalId: string;
  batch?: string;
}

/** An event as stored: its fields plus the server's `id` and `createdAt`. */
export interface StoredEvent {
  id: string;
  createdAt: string;
  owner: string;
  collection: string;
  start: string;
  end?: string;
  value: string;
  type: string;
  source: string;
  externalId: string;
  batch?: string;
}

export interface EventsClientOptions {
  /** JWT access token. Give `token` (optionally with `refreshToken`) or `getToken`. */
  token?: string;
  /** Used to renew `token` when it is under 15 minutes from expiry, and once after a 401. */
  refreshToken?: string;
  /** Called before each request; called again once after a 401. */
  getToken?: () => string | PromiseLike<string>;
  /** Hosted environment; default `'prod'`. */
  env?: "prod" | "dev";
  /** Events API base URL, e.g. the emulator's `http://127.0.0.1:8787/api/v1`. */
  baseUrl?: string;
  /** Auth API base URL; default: `baseUrl` when given, else the environment's. */
  authUrl?: string;
  /** Chunks in flight at once; default 4. */
  concurrency?: number;
  /** Retries per request for passing trouble; default 3. */
  maxRetries?: number;
  /** Bound on each request, in ms; default 60000. */
  timeoutMs?: number;
  /** Allow `http://` to hosts other than loopback; default false. */
  allowInsecureHttp?: boolean;
  /**
   * gzip create bodies: `'auto'` (default) above 1 KB when the API is not on loopback,
   * `'gzip'` always, `'none'` never. A `415` answer turns it off for this client.
   * Answers: `'auto'` on loopback and `'none'` ask for plain ones
   * (`Accept-Encoding: identity`; browsers keep their own header).
   */
  compression?: "auto" | "gzip" | "none";
  /** Used for every request instead of the global `fetch` (proxies, agents, tests, tracing). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Told of every request after it ends; never sees a token. */
  onRequest?: (report: RequestReport) => void;
}

/** One request, as `onRequest` hears of it. */
export interface RequestReport {
  method: "POST" | "DELETE";
  /** The URL, its query values and any credentials redacted. */
  url: string;
  /** Absent when no answer came (network error, timeout, abort). */
  status?: number;
  /**
   * 1 for the first request of a call, 2 for its first retry, … (a create chunk's body
   * sent again plain after a `415` counts on: as the chunk's `attempts` does).
   */
  attempt: number;
  /** The create chunk it carried (`ChunkReport.index`). */
  chunk?: number;
  durationMs: number;
  /** Body bytes before compression, and as sent. */
  bytes: number;
  bytesSent: number;
  /**
   * Why it will be sent again (`status 503`, `network error`, `timeout`, `status 401:
   * token renewed`, `status 415: sent again uncompressed`), when it will.
   */
  retryReason?: string;
}

export interface CreateProgress {
  chunksDone: number;
  /** `undefined` for bytes and event iterables, unless `validate: 'all'` counted them. */
  chunksTotal: number | undefined;
  /** Events stored so far. */
  eventsDone: number;
  /** `undefined` for bytes and event iterables, unless `validate: 'all'` counted them. */
  eventsTotal: number | undefined;
  failedChunks: number;
  retries: number;
  /** Chunks allowed in flight now: halved on 429/503, raised one at a time after successes. */
  concurrency: number;
  /** Bytes read from a byte source so far, a resumed prefix included (absent for arrays and events). */
  bytesDone?: number;
  /** The byte source's size, when known (`Blob`, `File`, buffer, or the `bytesTotal` option). */
  bytesTotal?: number;
  /** Where a resumed run would start now: the end of the contiguous stored prefix. */
  resumeFrom: ResumePoint;
  elapsedMs: number;
}

/**
 * The end of an upload's contiguous stored prefix: the first `events` events (and, for
 * bytes, the first `bytes` bytes, ending on line `line`). Give it back as the
 * `resumeFrom` option, with the same `runId`, source and chunking, to skip it.
 */
export interface ResumePoint {
  events: number;
  bytes?: number;
  line?: number;
}

/**
 * Events as bytes: NDJSON (one event per line) or one JSON array, read piece by piece
 * and never made into JS objects. A Node `Readable` is an async iterable of pieces.
 */
export type EventBytes =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | ArrayBuffer | string>
  | ReadonlyArray<Uint8Array | ArrayBuffer>
  // An iterable of pieces, not an array: an array of strings is taken as events (and
  // fails as such), so it does not compile as bytes.
  | (Iterable<Uint8Array | ArrayBuffer | string> & { readonly length?: never });

/** Events one at a time: a generator over a database cursor, say. */
export type EventIterable = AsyncIterable<EventInput> | Iterable<EventInput>;

/**
 * What `createEvents` reads: an array, bytes, events one at a time, or a function that
 * returns a fresh source each time it is called (so that `validate: 'all'` can read it twice).
 */
export type EventSource =
  | ReadonlyArray<EventInput>
  | EventBytes
  | EventIterable
  | (() => EventBytes | EventIterable);

export interface CreateEventsOptions {
  /** Events per request, 1 to 100000; default 10000. */
  chunksize?: number;
  maxRetries?: number;
  concurrency?: number;
  /** Largest request body in bytes; default 16 MiB. */
  maxChunkBytes?: number;
  /**
   * Bytes of validated request bodies kept to be sent as they are; default 64 MiB.
   * Past it, a chunk is serialized and validated again when its turn comes.
   */
  maxBufferedBytes?: number;
  /** Called after every chunk. */
  onProgress?: (progress: CreateProgress) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Names this upload: each chunk's Idempotency-Key is `${runId}:${from}-${to}`.
   * Default: a random UUID. To resume a failed or aborted upload without storing
   * anything twice, call again with the same events, chunking and the error's `runId`.
   */
  runId?: string;
  /** Overrides the client's `compression` for this call. */
  compression?: "auto" | "gzip" | "none";
  /**
   * Bytes: `'ndjson'` or `'json'`; default: detected from the first byte that is not
   * blank. A `TypeError` with an array.
   */
  format?: "ndjson" | "json";
  /**
   * `'fail'` (default) stops at the first bad event (no new chunk is sent) with a
   * `ValidationError`; `'skip'` leaves bad events out and lists them in `skipped`
   * (an array is then read as an iterable of events).
   */
  onInvalid?: "fail" | "skip";
  /**
   * Sources other than arrays: `'chunk'` (default) validates each chunk before it is
   * sent; `'all'` first reads the whole source to validate it (a `Blob`, `File`,
   * buffer or a function returning a fresh source), so that nothing is sent if any
   * event is bad, and progress knows `eventsTotal` and `chunksTotal`. Arrays are
   * validated whole by default; `'chunk'` reads one as an iterable of events.
   */
  validate?: "chunk" | "all";
  /**
   * Skips the stored prefix of an earlier run (its progress's or error's `resumeFrom`);
   * give the same source, `runId` and chunking. Blobs are sliced, streams read past it.
   */
  resumeFrom?: ResumePoint;
  /** Keep every id for the result: default true for arrays, false for other sources. */
  returnIds?: boolean;
  /** Called with each stored request's ids as it lands (a chunk, or half of one after a 413). */
  onChunk?: (chunk: StoredChunk) => void;
  /** The source's size in bytes, for `progress.bytesTotal` when the source cannot tell (not with an array). */
  bytesTotal?: number;
  /**
   * With `onInvalid: 'skip'`: told of every event left out as it is met (the result
   * lists only the first 100 problems), with its text as read: write them to a
   * rejects file, mend them and upload them again.
   */
  onSkip?: (event: SkippedEvent) => void;
}

/** An event `onInvalid: 'skip'` left out. */
export interface SkippedEvent {
  /** Its index in the source. */
  index: number;
  /** Bytes: its line (1-based) and byte offset. */
  line?: number;
  offset?: number;
  /** Its JSON text as read (absent for an object `JSON.stringify` could not write). */
  text?: string;
  problems: { field: string; message: string }[];
}

/** Input events `from` to `to` (exclusive) went in one request. */
export interface ChunkReport {
  index: number;
  from: number;
  to: number;
  count: number;
  attempts: number;
  status: number;
  ms: number;
  /** Sent gzip-compressed. */
  compressed: boolean;
  /**
   * Stored (the API answered 2xx) but its answer was not the contract's `{ created, ids }`
   * (not JSON, no ids, or a count other than the events sent): what was wrong. The chunk
   * is stored all the same (resending it would store it twice); it has no ids.
   */
  warning?: string;
}

export interface CreateEventsResult {
  /** Events stored by this call (a resumed prefix not included). */
  created: number;
  /**
   * Ids of the created events, in input order (empty unless `returnIds`, for sources
   * other than arrays; empty too when a chunk's answer gave none: see `warnings`).
   */
  ids: string[];
  chunks: ChunkReport[];
  /** The upload's id (see `CreateEventsOptions.runId`). */
  runId: string;
  /** The API answered `415` to a compressed body: this client sends plain bodies now. */
  compressionRefused: boolean;
  /** The end of the stored prefix: the whole source. */
  resumeFrom: ResumePoint;
  /** Bytes with `onInvalid: 'skip'`: the events left out (the first 100 problems, and counts). */
  skipped?: { count: number; problems: ValidationProblem[]; problemCount: number };
  /** One line per stored chunk whose answer was off the contract (`ChunkReport.warning`); usually empty. */
  warnings: string[];
}

/** A stored chunk, in a `CreateEventsError` or `AbortError`. */
export interface StoredChunk extends ChunkReport {
  /** The chunk's ids, in input order: for arrays, and for other sources with `returnIds` (empty with a `warning`). */
  ids?: string[];
}

/** Input events `from` to `to` (exclusive) were not stored. */
export interface FailedChunk {
  index: number;
  from: number;
  to: number;
  count: number;
  attempts: number;
  error: Error;
}

export interface ValidationProblem {
  /** Index of the event in the input array. */
  index: number;
  /** The field, or `""` when the problem is the whole event. */
  field: string;
  message: string;
  /** Bytes: the event's line (1-based) and byte offset in the source. */
  line?: number;
  offset?: number;
}

/** What a query filters and sorts on: the event's fields and `id` (the contract's list: not `createdAt`). */
export type EventField =
  | "id" | "owner" | "collection" | "start" | "end" | "value" | "type" | "source"
  | "externalId" | "batch";

export type FilterScalar = string | number;

export interface FilterOperators {
  $in?: FilterScalar[];
  $nin?: FilterScalar[];
  $eq?: FilterScalar;
  $ne?: FilterScalar;
  $gt?: FilterScalar;
  $gte?: FilterScalar;
  $lt?: FilterScalar;
  $lte?: FilterScalar;
  $exists?: boolean;
}

export interface QueryBody {
  /** Field to a value (equality) or to operators. */
  filter?: Partial<Record<EventField, FilterScalar | FilterOperators>>;
  /** Field to 1 (ascending) or -1 (descending), in key order; ties by `id`. */
  sort?: Partial<Record<EventField, 1 | -1>>;
  /** With `afterDate`: the range between the two dates. Alone: events starting on or before it. */
  beforeDate?: string;
  /** With `beforeDate`: the range between the two dates. Alone: events starting on or after it. */
  afterDate?: string;
}

export interface QueryOptions {
  /** 0-based; default 0. */
  page?: number;
  /** 1 to 10000; default 10000. */
  pageSize?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

export interface QueryAllOptions {
  pageSize?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

export interface QueryResult {
  items: StoredEvent[];
  page: number;
  pageSize: number;
  /** Events matching the query, over all pages. */
  total: number;
}

export interface DeleteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

export interface DeleteResult {
  /** The events the (last) request deleted. */
  deleted: number;
  /**
   * A request before the answered one met a network error, a timeout or a 500/502/504
   * and was retried: it may have deleted the events itself, its answer lost, so
   * `deleted` may count fewer than were deleted (the collection is empty either way).
   */
  uncertain: boolean;
}

export interface ExportOptions {
  /** `'ndjson'` (default: one event per line) or `'json'` (one array). */
  format?: "ndjson" | "json";
  /**
   * `'input'` (default): events as created, without the server's `id` and `createdAt`,
   * so that the file uploads again as it is; `'stored'` keeps them.
   */
  fields?: "input" | "stored";
  /** Events per query page; default 10000. */
  pageSize?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}
