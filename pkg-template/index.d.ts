// The public types of genomcore-events-wasm.
//
// `scripts/pack.sh` builds the shipped `index.d.ts` (ES module) and `index.d.cts`
// (CommonJS) from this file: it replaces the block between the `types:begin` and
// `types:end` lines with `src/wasm/types.d.ts`, the data types that the Rust crate
// also emits into wasm-bindgen's output. The class below is declared here, not taken
// from wasm-bindgen, for its overloads and optional arguments; the package test
// checks that it covers every member wasm-bindgen generates.

// types:begin
import type {
  CreateEventsOptions,
  CreateEventsResult,
  DeleteOptions,
  DeleteResult,
  EventInput,
  EventSource,
  ExportOptions,
  EventsClientOptions,
  FailedChunk,
  QueryAllOptions,
  QueryBody,
  QueryOptions,
  QueryResult,
  ResumePoint,
  StoredChunk,
  StoredEvent,
  ValidationProblem,
} from "../src/wasm/types.js";
// types:end

/**
 * A client of Genomcore's Events API.
 *
 * ```ts
 * const client = new EventsClient({ token });
 * await client.createEvents(events, 10000);
 * ```
 *
 * Argument errors throw `TypeError` (wrong type, unknown option) or `RangeError`
 * (value out of range) synchronously from the constructor; the methods reject their
 * Promise (for `queryAll`, the first `next()`) before any request is sent.
 */
export declare class EventsClient {
  /** Throws `TypeError`/`RangeError` on bad options (an unknown key is a `TypeError`). */
  constructor(options: EventsClientOptions);

  /** The Events API base URL in use, e.g. `https://events-api.genomcore.net/api/v1`. */
  readonly baseUrl: string;

  /** The Auth API base URL in use (token renewal), e.g. `https://auth-api.genomcore.net/api/v1`. */
  readonly authUrl: string;

  /**
   * Validates every event (nothing is sent if one is bad: `ValidationError`), then
   * creates them in chunks of `chunksize` (default 10000), `concurrency` chunks at a
   * time, each with its own `Idempotency-Key` reused on retries.
   * Rejects with `CreateEventsError` when chunks fail after their retries, and with
   * `AbortError` when `signal` fires; both tell which chunks were stored.
   */
  createEvents(
    events: EventSource,
    chunksize?: number,
    options?: Omit<CreateEventsOptions, "chunksize">,
  ): Promise<CreateEventsResult>;
  createEvents(events: EventSource, options?: CreateEventsOptions): Promise<CreateEventsResult>;

  /** One page (default: page 0 of 10000 events) of the events matching `body`. */
  queryEvents(body?: QueryBody, options?: QueryOptions): Promise<QueryResult>;

  /**
   * Every event matching `body`, fetched page by page as the loop asks for more. A bad
   * argument rejects the first `next()`; `return()` (a `break` out of `for await`)
   * and `throw()` end the iteration and abort the page request in flight.
   */
  queryAll(body?: QueryBody, options?: QueryAllOptions): AsyncIterableIterator<StoredEvent>;

  /**
   * Every event matching `body` as NDJSON (or JSON) bytes, written page by page
   * without a JS object per event: `await stream.pipeTo(writable)`, or in Node
   * `Readable.fromWeb(stream).pipe(fs.createWriteStream('out.ndjson'))`. Bad options
   * throw at once; a failing page errors the stream (the reader's `read()` rejects).
   */
  exportEvents(body?: QueryBody, options?: ExportOptions): ReadableStream<Uint8Array>;

  /** Deletes every event of `collection` (a non-empty name). */
  deleteEvents(collection: string, options?: DeleteOptions): Promise<DeleteResult>;

  /** What `JSON.stringify(client)` shows: the URLs, never a token. */
  toJSON(): { baseUrl: string; authUrl: string };

  /** `EventsClient(<baseUrl>)`. */
  toString(): string;

  /**
   * Frees the client's wasm memory now instead of at garbage collection. The client
   * must not be used afterwards.
   */
  free(): void;

  /** `free()`, for `using client = new EventsClient(…)`. */
  [Symbol.dispose](): void;
}

/** The `name` of each error class; `err.name` tells them apart like `instanceof`. */
export type EventsErrorName =
  | "ValidationError"
  | "EventsApiError"
  | "CreateEventsError"
  | "AbortError"
  | "TimeoutError"
  | "NetworkError"
  | "AuthError";

/** Every error the client raises on its own account (not `TypeError`/`RangeError`). */
export type AnyEventsError =
  | ValidationError
  | EventsApiError
  | CreateEventsError
  | AbortError
  | TimeoutError
  | NetworkError
  | AuthError;

/** The base class of the client's errors. */
export declare class EventsError extends Error {
  protected constructor(message: string, fields?: object);
  name: EventsErrorName;
  /**
   * What this error wraps: `fetch`'s error for a `NetworkError`, what `getToken` threw
   * for an `AuthError`, the signal's `reason` for an `AbortError`, the first failed
   * chunk's error for a `CreateEventsError`.
   */
  cause?: unknown;
}

export interface ValidationErrorFields {
  /** The problems found (the list may be capped; `problemCount` counts them all). */
  problems: ValidationProblem[];
  problemCount: number;
  /** A stream stopped by a bad event: what was stored before it (see `CreateOutcomeFields`). */
  created?: number;
  succeeded?: StoredChunk[];
  runId?: string;
  resumeFrom?: ResumePoint;
}

/** Events break the contract; nothing was sent. */
export declare class ValidationError extends EventsError implements ValidationErrorFields {
  constructor(message: string, fields?: Partial<ValidationErrorFields>);
  name: "ValidationError";
  problems: ValidationProblem[];
  problemCount: number;
  created?: number;
  succeeded?: StoredChunk[];
  runId?: string;
  resumeFrom?: ResumePoint;
}

export interface EventsApiErrorFields {
  /** The HTTP status. */
  status: number;
  /** Passing trouble (408, 425, 429, 5xx) that outlived the retries. */
  retryable: boolean;
  /** The `message` of the API's error body, as a list. */
  serverMessage: string[];
}

/** The API answered with an error status (after any retries). */
export declare class EventsApiError extends EventsError implements EventsApiErrorFields {
  constructor(message: string, fields?: Partial<EventsApiErrorFields>);
  name: "EventsApiError";
  status: number;
  retryable: boolean;
  serverMessage: string[];
}

export interface CreateOutcomeFields {
  /** Events stored before the failure or the abort. */
  created: number;
  /** The stored chunks, each with its `ids`. */
  succeeded: StoredChunk[];
  /** The chunks not stored (or not known to be): resend these input ranges, or resume with `runId`. */
  failed: FailedChunk[];
  /**
   * The upload's id: `createEvents(events, { chunksize, runId })` with the same events
   * and chunking resumes it without storing anything twice.
   */
  runId?: string;
  /** The end of the contiguous stored prefix: the `resumeFrom` option of a resumed run. */
  resumeFrom?: ResumePoint;
}

/** Some chunks of a `createEvents` call failed after their retries; the rest are stored. */
export declare class CreateEventsError extends EventsError implements CreateOutcomeFields {
  constructor(message: string, fields?: Partial<CreateOutcomeFields>);
  name: "CreateEventsError";
  created: number;
  succeeded: StoredChunk[];
  failed: FailedChunk[];
  runId: string;
  resumeFrom?: ResumePoint;
}

/**
 * The caller's `AbortSignal` fired. From an upload that `createEvents` had started, it
 * tells what was stored and the `runId` to resume with; otherwise `created` is 0, the
 * lists are empty and `runId` is absent.
 */
export declare class AbortError extends EventsError implements CreateOutcomeFields {
  constructor(message: string, fields?: Partial<CreateOutcomeFields>);
  name: "AbortError";
  created: number;
  succeeded: StoredChunk[];
  failed: FailedChunk[];
  runId?: string;
  resumeFrom?: ResumePoint;
}

export interface TimeoutErrorFields {
  retryable: boolean;
  /** The bound that was exceeded, in ms. */
  timeoutMs: number;
}

/** No answer within `timeoutMs` (after the retries). */
export declare class TimeoutError extends EventsError implements TimeoutErrorFields {
  constructor(message: string, fields?: Partial<TimeoutErrorFields>);
  name: "TimeoutError";
  retryable: boolean;
  timeoutMs: number;
}

export interface RetryableFields {
  retryable: boolean;
}

/** The request did not reach the API, or its answer was lost (after the retries). */
export declare class NetworkError extends EventsError implements RetryableFields {
  constructor(message: string, fields?: Partial<RetryableFields>);
  name: "NetworkError";
  retryable: boolean;
}

/** No usable token: `getToken` threw or gave no token, or a refresh answer held none. */
export declare class AuthError extends EventsError implements RetryableFields {
  constructor(message: string, fields?: Partial<RetryableFields>);
  name: "AuthError";
  retryable: boolean;
}
