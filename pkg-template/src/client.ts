/// <reference lib="esnext.disposable" preserve="true" />
// `EventsClient`: the package's class, a thin face over the wasm `Engine`
// (src/wasm/client.rs). Every argument check, the validation, the transport, retries,
// token renewal and chunking happen in the engine; here are only what JavaScript does
// best: the class and its overloads, the async generator of `queryAll`, the
// `ReadableStream` of `exportEvents` (over the engine's pieces), `Symbol.dispose`, and
// the engine's error values made into error classes (errors.ts).
import { Engine, setPull } from './genomcore_events_wasm.js';
import type { QueryPages } from './genomcore_events_wasm.js';
import { pull } from './pull.js';
import { ABORTED, AbortError, rethrow } from './errors.js';
import type {
  CreateEventsOptions,
  CreateEventsResult,
  DeleteOptions,
  DeleteResult,
  EventSource,
  EventsClientOptions,
  ExportOptions,
  QueryAllOptions,
  QueryBody,
  QueryOptions,
  QueryResult,
  StoredEvent,
} from './types.js';

/** One page of `queryAll`, as the engine's `QueryPages.next()` resolves it. */
interface Page {
  items: StoredEvent[];
  more: boolean;
}

/**
 * A client of Genomcore's Events API.
 *
 * ```ts
 * const client = new EventsClient({ token });
 * await client.createEvents(events, 10000);
 * ```
 *
 * Argument errors throw `TypeError` (wrong type, unknown option) or `RangeError`
 * (value out of range) synchronously from the constructor and `exportEvents`; the
 * other methods reject their Promise (for `queryAll`, the first `next()`) before any
 * request is sent.
 */
let pullGiven = false;

/** What a method of a freed client throws or rejects with. */
const FREED = 'this EventsClient was freed (free() or the end of its `using` block): make a new one';

export class EventsClient {
  /** `undefined` once freed: the methods then fail with a TypeError, not wasm's null pointer. */
  #engine: Engine | undefined;

  /** The Events API base URL in use, e.g. `https://events-api.genomcore.net/api/v1`. */
  readonly baseUrl: string;

  /** The Auth API base URL in use (token renewal), e.g. `https://auth-api.genomcore.net/api/v1`. */
  readonly authUrl: string;

  /** Throws `TypeError`/`RangeError` on bad options (an unknown key is a `TypeError`). */
  constructor(options: EventsClientOptions) {
    try {
      this.#engine = new Engine(options);
    } catch (e) {
      rethrow(e);
    }
    // The engine reads iterables a batch at a time through this (once: the wasm is loaded now).
    if (!pullGiven) {
      setPull(pull);
      pullGiven = true;
    }
    [this.baseUrl, this.authUrl] = this.#engine.urls() as [string, string];
  }

  /** The engine, or a TypeError once the client is freed. */
  #live(): Engine {
    if (!this.#engine) throw new TypeError(FREED);
    return this.#engine;
  }

  /** `call(engine)` with its errors made into error classes; a freed client rejects. */
  #call<T>(call: (engine: Engine) => Promise<T>): Promise<T> {
    return this.#engine ? call(this.#engine).catch(rethrow) : Promise.reject(new TypeError(FREED));
  }

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
    options?: Omit<CreateEventsOptions, 'chunksize'>,
  ): Promise<CreateEventsResult>;
  createEvents(events: EventSource, options?: CreateEventsOptions): Promise<CreateEventsResult>;
  createEvents(
    events: EventSource,
    chunksizeOrOptions?: number | CreateEventsOptions,
    options?: CreateEventsOptions,
  ): Promise<CreateEventsResult> {
    return this.#call((engine) => engine.createEvents(events, chunksizeOrOptions, options));
  }

  /** One page (default: page 0 of 10000 events) of the events matching `body`. */
  queryEvents(body?: QueryBody, options?: QueryOptions): Promise<QueryResult> {
    return this.#call((engine) => engine.queryEvents(body, options));
  }

  /**
   * Every event matching `body`, fetched page by page: once the first answer has told
   * the total, each page is requested while the one before it is still on its way (or
   * being worked through), at most two in flight. A bad argument rejects the first
   * `next()`; `return()` (a `break` out of `for await`) and `throw()` end the iteration
   * and abort the page requests in flight.
   */
  async *queryAll(body?: QueryBody, options?: QueryAllOptions): AsyncGenerator<StoredEvent, void, undefined> {
    let pages;
    try {
      pages = this.#live().queryPages(body, options, false);
    } catch (e) {
      rethrow(e);
    }
    // Checked by the engine (queryPages threw otherwise): an AbortSignal or nothing.
    const signal = options?.signal;
    try {
      // The engine requests the pages ahead of this loop (while it yields one page, the
      // next is on its way): one page asked for at a time here.
      for (;;) {
        const page: Page = await pages.next().catch(rethrow);
        for (const event of page.items) {
          // The engine's pages end at an abort; the events of a page already here too,
          // with the engine's AbortError (its message, the signal's reason as cause).
          if (signal?.aborted) throw new AbortError(ABORTED, { cause: signal.reason });
          yield event;
        }
        if (!page.more) return;
      }
    } finally {
      pages.stop(undefined);
      pages.free();
    }
  }

  /**
   * Every event matching `body` as NDJSON (or JSON) bytes, written page by page
   * without a JS object per event: `await stream.pipeTo(writable)`, or in Node
   * `Readable.fromWeb(stream).pipe(fs.createWriteStream('out.ndjson'))`. Bad options
   * throw at once; a failing page errors the stream (the reader's `read()` rejects).
   */
  exportEvents(body?: QueryBody, options?: ExportOptions): ReadableStream<Uint8Array> {
    let pages: QueryPages | undefined;
    try {
      pages = this.#live().queryPages(body, options, true);
    } catch (e) {
      rethrow(e);
    }
    // The engine freed once, when the stream is done, errored or cancelled (or not made).
    const end = () => {
      pages?.free();
      pages = undefined;
    };
    const Stream = globalThis.ReadableStream;
    if (typeof Stream !== 'function') {
      end();
      throw new TypeError('exportEvents needs ReadableStream, which this runtime lacks');
    }
    // The engine writes the pieces (`next()`: the next non-empty one, `undefined` at
    // the end), its errors made into error classes. The default high-water mark of one
    // piece: the first is asked for at once, and the stream reads one ahead of its reader.
    try {
      return new Stream<Uint8Array>({
        async pull(controller) {
          const piece: Uint8Array | undefined = await pages!.next().catch((e) => {
            end();
            rethrow(e);
          });
          if (piece) controller.enqueue(piece);
          else {
            end();
            controller.close();
          }
        },
        cancel(reason) {
          pages?.stop(reason);
          end();
        },
      });
    } catch {
      end();
      throw new TypeError('exportEvents could not make a ReadableStream');
    }
  }

  /** Deletes every event of `collection` (a non-empty name). */
  deleteEvents(collection: string, options?: DeleteOptions): Promise<DeleteResult> {
    return this.#call((engine) => engine.deleteEvents(collection, options));
  }

  /** What `JSON.stringify(client)` shows: the URLs, never a token. */
  toJSON(): { baseUrl: string; authUrl: string } {
    return { baseUrl: this.baseUrl, authUrl: this.authUrl };
  }

  /** `EventsClient(<baseUrl>)`. */
  toString(): string {
    return `EventsClient(${this.baseUrl})`;
  }

  /**
   * Frees the client's wasm memory now instead of at garbage collection. Its methods
   * then fail with a `TypeError`; calls already under way finish. Freeing twice does
   * nothing.
   */
  free(): void {
    const engine = this.#engine;
    this.#engine = undefined;
    engine?.free();
  }
}

export interface EventsClient {
  /** `free()`, for `using client = new EventsClient(…)`. */
  [Symbol.dispose](): void;
}

// Where the runtime has `Symbol.dispose` (the declaration says it is there: the
// `using` statement needs it anyway).
if (typeof Symbol.dispose === 'symbol') EventsClient.prototype[Symbol.dispose] = EventsClient.prototype.free;
