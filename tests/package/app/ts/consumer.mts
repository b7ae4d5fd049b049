// A TypeScript user's module (ES module): every method, option and result field of
// the package, and, on the lines after `@ts-expect-error`, wrong usage that must not
// compile. Checked with `tsc --strict --noEmit` (module resolution nodenext and bundler).
import {
  AbortError,
  AuthError,
  CreateEventsError,
  EventsApiError,
  EventsClient,
  EventsError,
  NetworkError,
  TimeoutError,
  ValidationError,
} from 'genomcore-events-wasm';
import * as pkg from 'genomcore-events-wasm';
import type {
  AnyEventsError,
  ChunkReport,
  CreateEventsOptions,
  CreateEventsResult,
  CreateProgress,
  DeleteOptions,
  DeleteResult,
  EventField,
  EventInput,
  EventsClientOptions,
  EventsErrorName,
  FailedChunk,
  FilterOperators,
  FilterScalar,
  QueryAllOptions,
  QueryBody,
  QueryOptions,
  QueryResult,
  RequestReport,
  StoredChunk,
  StoredEvent,
  ValidationProblem,
} from 'genomcore-events-wasm';

declare const token: string;
declare function use(...values: unknown[]): void;

// No `any` anywhere in what the API hands out.
type IsAny<T> = 0 extends 1 & T ? true : false;
type NotAny<T> = IsAny<T> extends true ? never : T;
type Result<K extends keyof EventsClient> = EventsClient[K] extends (...args: never[]) => infer R ? Awaited<R> : never;
const noAny: [
  NotAny<Result<'createEvents'>>,
  NotAny<Result<'queryEvents'>>,
  NotAny<Result<'queryAll'>>,
  NotAny<Result<'deleteEvents'>>,
  NotAny<Result<'toJSON'>>,
  NotAny<EventsClient['baseUrl']>,
  NotAny<ValidationError['problems']>,
  NotAny<FailedChunk['error']>,
] | null = null;
use(noAny);

// The constructor, with every option.
const options: EventsClientOptions = {
  token,
  refreshToken: 'refresh',
  env: 'dev',
  baseUrl: 'http://127.0.0.1:8787/api/v1',
  authUrl: 'http://127.0.0.1:8787/api/v1',
  concurrency: 4,
  maxRetries: 3,
  timeoutMs: 60_000,
  allowInsecureHttp: false,
  compression: 'auto',
  fetch: (url, init) => fetch(url, init),
  onRequest: (r: RequestReport) => use(r.method, r.url, r.status, r.attempt, r.chunk, r.durationMs, r.bytes, r.bytesSent, r.retryReason),
};
const client = new EventsClient(options);
const withCallback = new EventsClient({ getToken: async () => token, env: 'prod' });
const withSyncCallback = new EventsClient({ getToken: () => token });
const baseUrl: string = client.baseUrl;
const authUrl: string = client.authUrl;
use(authUrl);
const shown: { baseUrl: string; authUrl: string } = client.toJSON();
const text: string = client.toString();
use(withCallback, withSyncCallback, baseUrl, shown, text);

const events: EventInput[] = [
  {
    owner: 'owner-1',
    collection: 'c',
    start: '2024-01-01T00:00:00Z',
    end: new Date(),
    value: 'v',
    type: 'measurement',
    source: 'sensor',
    externalId: 'x-1',
    batch: 'b-1',
  },
  { owner: 'o', collection: 'c', start: new Date(), value: 'v', type: 't', source: 's', externalId: 'x-2' },
];
const frozen: ReadonlyArray<EventInput> = events;

function readChunk(c: ChunkReport): number[] {
  return [c.index, c.from, c.to, c.count, c.attempts, c.status, c.ms];
}
function readStored(c: StoredChunk): string[] {
  use(readChunk(c));
  // Present for arrays, and for other sources with `returnIds`.
  return c.ids ?? [];
}
function readFailed(f: FailedChunk): Error {
  use(f.index, f.from, f.to, f.count, f.attempts);
  return f.error;
}
function readEvent(e: StoredEvent): string {
  const end: string | undefined = e.end;
  const batch: string | undefined = e.batch;
  return [e.id, e.createdAt, e.owner, e.collection, e.start, end, e.value, e.type, e.source, e.externalId, batch].join();
}

export async function everything(): Promise<void> {
  const controller = new AbortController();
  const signal: AbortSignal = controller.signal;
  const progress: CreateProgress[] = [];

  // createEvents: four ways to call it.
  const created: CreateEventsResult = await client.createEvents(events);
  const bySize = await client.createEvents(frozen, 10_000);
  const createOptions: CreateEventsOptions = {
    chunksize: 5_000,
    concurrency: 2,
    maxRetries: 5,
    maxChunkBytes: 8 * 1024 * 1024,
    maxBufferedBytes: 32 * 1024 * 1024,
    onProgress: (p) => progress.push(p),
    compression: 'gzip',
    signal,
    timeoutMs: 30_000,
    runId: 'upload-2024-01',
  };
  const byOptions = await client.createEvents(events, createOptions);
  // Bytes: NDJSON or a JSON array, from a Blob, a stream or pieces.
  const fromBytes = await client.createEvents(new Blob(['{}\n']), { format: 'ndjson', onInvalid: 'skip' });
  const skippedLines: (number | undefined)[] = fromBytes.skipped?.problems.map((p) => p.line) ?? [];
  await client.createEvents(new TextEncoder().encode('[]'), 1000);
  // Pieces of bytes: an array of Uint8Array, a generator of strings or Uint8Array.
  await client.createEvents([new TextEncoder().encode('{}\n')]);
  await client.createEvents((function* () { yield '{}\n'; yield new TextEncoder().encode('{}\n'); })());
  await client.createEvents([new TextEncoder().encode('{}\n').buffer as ArrayBuffer]);
  await client.createEvents((async function* () { yield new ArrayBuffer(0); yield '{}\n'; })());
  use(skippedLines);
  const both = await client.createEvents(events, 1_000, { concurrency: 1, onProgress: (p) => progress.push(p) });
  const count: number = created.created + bySize.created + byOptions.created + both.created;
  const ids: string[] = created.ids;
  const warnings: string[] = created.warnings;
  const chunkWarning: string | undefined = created.chunks[0]?.warning;
  use(warnings, chunkWarning);
  const runId: string = created.runId;
  use(await client.createEvents(events, { chunksize: 5_000, runId }));
  const chunks: ChunkReport[] = created.chunks;
  use(count, ids, chunks.map(readChunk));
  for (const p of progress) {
    use(p.chunksDone, p.chunksTotal, p.eventsDone, p.eventsTotal, p.failedChunks, p.retries, p.elapsedMs);
  }

  // queryEvents, with every part of the body and every option.
  const operators: FilterOperators = {
    $in: [1, 'a'],
    $nin: ['b'],
    $eq: 'c',
    $ne: 2,
    $gt: '2024-01-01',
    $gte: '2024-01-01',
    $lt: '2025-01-01',
    $lte: '2025-01-01',
    $exists: true,
  };
  const scalar: FilterScalar = 1;
  const field: EventField = 'externalId';
  const body: QueryBody = {
    filter: { owner: { $in: [1] }, collection: 'c', start: operators, [field]: scalar, id: { $exists: true } },
    sort: { start: -1, id: 1 },
    beforeDate: '2024-04-01',
    afterDate: '2024-04-08',
  };
  const queryOptions: QueryOptions = { page: 0, pageSize: 100, signal, timeoutMs: 10_000, maxRetries: 1 };
  const page: QueryResult = await client.queryEvents(body, queryOptions);
  use(page.page, page.pageSize, page.total, page.items.map(readEvent));
  use(await client.queryEvents(), await client.queryEvents({}), await client.queryEvents(undefined, { page: 2 }));

  // queryAll: an async iterable of stored events.
  const allOptions: QueryAllOptions = { pageSize: 1_000, signal, timeoutMs: 10_000, maxRetries: 2 };
  for await (const event of client.queryAll(body, allOptions)) use(readEvent(event));
  const iterator: AsyncIterableIterator<StoredEvent> = client.queryAll();
  const step: IteratorResult<StoredEvent> = await iterator.next();
  if (!step.done) use(readEvent(step.value));

  // deleteEvents.
  const deleteOptions: DeleteOptions = { signal, timeoutMs: 5_000, maxRetries: 0 };
  const deleted: DeleteResult = await client.deleteEvents('c', deleteOptions);
  const none: number = (await client.deleteEvents('d')).deleted;
  const uncertain: boolean = deleted.uncertain;
  use(deleted.deleted, none, uncertain);

  client.free();
  // `using` frees a client at the end of its block (Symbol.dispose, TS 5.2+).
  {
    using scoped = new EventsClient({ token });
    use(scoped.baseUrl);
  }
  const dispose: () => void = client[Symbol.dispose];
  use(dispose);
}

// Errors: every class and every field.
export function explain(e: unknown): string {
  if (e instanceof ValidationError) {
    const problems: ValidationProblem[] = e.problems;
    const name: 'ValidationError' = e.name;
    return [name, e.problemCount, ...problems.map((p) => `${p.index}.${p.field}: ${p.message}`)].join();
  }
  if (e instanceof EventsApiError) {
    const lines: string[] = e.serverMessage;
    return [e.name, e.status, e.retryable, ...lines].join();
  }
  if (e instanceof CreateEventsError) {
    const stored: string[][] = e.succeeded.map(readStored);
    const errors: Error[] = e.failed.map(readFailed);
    const runId: string = e.runId;
    return [e.name, e.created, stored.length, errors.length, runId].join();
  }
  if (e instanceof AbortError) {
    const runId: string | undefined = e.runId;
    return [e.name, e.created, e.succeeded.map(readStored).length, e.failed.map(readFailed).length, runId].join();
  }
  if (e instanceof TimeoutError) return [e.name, e.retryable, e.timeoutMs].join();
  if (e instanceof NetworkError) return [e.name, e.retryable].join();
  if (e instanceof AuthError) {
    const status: number | undefined = e.status;
    return [e.name, e.retryable, status].join();
  }
  if (e instanceof EventsError) {
    const name: EventsErrorName = e.name;
    return `${name}: ${e.message}`;
  }
  if (e instanceof TypeError || e instanceof RangeError) return e.message;
  return String(e);
}

// The union of the error classes narrows on `name`.
export function retryable(e: AnyEventsError): boolean {
  switch (e.name) {
    case 'ValidationError':
      return e.problemCount < 0;
    case 'EventsApiError':
    case 'TimeoutError':
    case 'NetworkError':
    case 'AuthError':
    case 'SourceError':
      return e.retryable;
    case 'CreateEventsError':
    case 'AbortError':
      return e.failed.length > 0;
  }
}

// Wrong usage must not compile.
export async function wrong(result: CreateEventsResult, page: QueryResult, apiError: EventsApiError): Promise<void> {
  // @ts-expect-error: a misspelled option of the constructor
  new EventsClient({ tokn: token });
  // @ts-expect-error: a number where a string is needed
  new EventsClient({ token: 42 });
  // @ts-expect-error: env is 'prod' or 'dev'
  new EventsClient({ token, env: 'staging' });
  // @ts-expect-error: getToken returns a string
  new EventsClient({ getToken: () => 42 });
  // @ts-expect-error: the constructor needs options
  new EventsClient();
  // @ts-expect-error: a misspelled option of createEvents
  await client.createEvents(events, { chunkSize: 10 });
  // @ts-expect-error: chunksize as an argument and as an option
  await client.createEvents(events, 10, { chunksize: 10 });
  // @ts-expect-error: a string where a number is needed
  await client.createEvents(events, '10');
  // @ts-expect-error: an array of strings is taken as events, not as lines of NDJSON
  await client.createEvents(['{"owner":"o"}\n']);
  // @ts-expect-error: an event without its required fields
  await client.createEvents([{ owner: 'o', collection: 'c' }]);
  // @ts-expect-error: start is a string or a Date
  await client.createEvents([{ ...events[0]!, start: 1704067200000 }]);
  // @ts-expect-error: a field the API does not accept
  await client.createEvents([{ ...events[0]!, color: 'red' }]);
  // @ts-expect-error: progress has no such field
  await client.createEvents(events, { onProgress: (p) => p.percent });
  // @ts-expect-error: a misspelled filter field
  await client.queryEvents({ filter: { colection: 'c' } });
  // @ts-expect-error: an operator the API does not know
  await client.queryEvents({ filter: { collection: { $regex: 'c' } } });
  // @ts-expect-error: createdAt is stored but not a field to sort or filter on
  await client.queryEvents({ sort: { createdAt: -1 } });
  // @ts-expect-error: sort takes 1 or -1
  await client.queryEvents({ sort: { start: 2 } });
  // @ts-expect-error: page is a number
  await client.queryEvents({}, { page: '1' });
  // @ts-expect-error: queryAll has no page option
  client.queryAll({}, { page: 1 });
  // @ts-expect-error: the collection is a string
  await client.deleteEvents(42);
  // @ts-expect-error: deleteEvents has no page option
  await client.deleteEvents('c', { page: 1 });
  // @ts-expect-error: the result has no such field
  use(result.count);
  // @ts-expect-error: runId is a string
  await client.createEvents(events, { runId: 7 });
  // @ts-expect-error: an aborted query may have no runId
  use((null as unknown as AbortError).runId.length);
  // @ts-expect-error: a stored event has no such field
  use(page.items[0]?.color);
  // @ts-expect-error: an error's status is a number
  use(apiError.status.toUpperCase());
  // @ts-expect-error: baseUrl is read-only
  client.baseUrl = 'https://example.org';
  // @ts-expect-error: compression is one of three names
  new EventsClient({ token, compression: 'brotli' });
  // @ts-expect-error: authUrl is read-only
  client.authUrl = 'https://example.org';
  // @ts-expect-error: the wasm's internal registration is not part of the API
  use(pkg.__setErrorClasses);
  // @ts-expect-error: the base class is not constructed by users
  new EventsError('x');
}
