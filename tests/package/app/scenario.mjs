// The round trip that every runtime test runs with the installed package, in Node,
// in a page, in a Vite bundle and in a Web Worker: log in to the emulator, create
// events in several chunks, read them back with queryEvents and queryAll, provoke a
// ValidationError and an EventsApiError, delete the collection, check it is empty.
// It returns plain JSON for the test to compare; it throws only on a broken step.

export const EVENTS = 2500;
export const CHUNKSIZE = 1000;

export async function scenario(pkg, { origin, label }) {
  const { EventsClient, EventsError, ValidationError, EventsApiError } = pkg;
  const api = `${origin}/api/v1`;

  const login = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: `package-${label}`, password: 'package-test', organizationId: 'org-package' }),
  });
  if (!login.ok) throw new Error(`login answered ${login.status}`);
  const { token } = await login.json();

  const client = new EventsClient({ token, baseUrl: api });
  const collection = `package-${label}-${Math.random().toString(36).slice(2, 10)}`;
  const t0 = Date.UTC(2024, 0, 1);
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    owner: 'owner-1',
    collection,
    start: new Date(t0 + i * 60_000).toISOString(),
    value: `value ${i}`,
    type: 'measurement',
    source: 'package-test',
    externalId: `${label}-${i}`,
  }));

  let progressCalls = 0;
  let lastProgress = null;
  const created = await client.createEvents(events, CHUNKSIZE, {
    onProgress: (p) => {
      progressCalls += 1;
      lastProgress = p;
    },
  });

  const page = await client.queryEvents({ filter: { collection }, sort: { start: 1 } }, { pageSize: 10000 });
  const iterated = [];
  for await (const event of client.queryAll({ filter: { collection: { $in: [collection] } } }, { pageSize: 1000 })) {
    iterated.push(event.id);
  }

  let validation = null;
  try {
    await client.createEvents([{ ...events[0], start: 'yesterday' }]);
  } catch (e) {
    validation = e;
  }
  let apiError = null;
  try {
    await client.queryEvents({ filter: { noSuchField: 1 } });
  } catch (e) {
    apiError = e;
  }

  const deleted = await client.deleteEvents(collection);
  const after = await client.queryEvents({ filter: { collection } });

  const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const first = page.items[0];
  return {
    baseUrl: client.baseUrl,
    created: created.created,
    ids: created.ids.length,
    uniqueIds: new Set(created.ids).size,
    chunks: created.chunks.map((c) => [c.index, c.from, c.to, c.count, c.status]),
    runId: typeof created.runId === 'string' && created.runId.length > 0,
    progressCalls,
    lastProgress: lastProgress && {
      chunksDone: lastProgress.chunksDone,
      chunksTotal: lastProgress.chunksTotal,
      eventsDone: lastProgress.eventsDone,
      eventsTotal: lastProgress.eventsTotal,
      failedChunks: lastProgress.failedChunks,
    },
    queryTotal: page.total,
    queryItems: page.items.length,
    queryIdsInInputOrder: sameList(page.items.map((e) => e.id), created.ids),
    firstEvent: first && {
      externalId: first.externalId,
      start: first.start,
      collectionMatches: first.collection === collection,
      hasCreatedAt: typeof first.createdAt === 'string' && first.createdAt.length > 0,
    },
    iterated: iterated.length,
    iteratedSameIds: sameList([...iterated].sort(), [...created.ids].sort()),
    validation: validation && {
      isValidationError: validation instanceof ValidationError,
      isEventsError: validation instanceof EventsError,
      isError: validation instanceof Error,
      name: validation.name,
      problemCount: validation.problemCount,
      problem: validation.problems[0] && { index: validation.problems[0].index, field: validation.problems[0].field },
    },
    apiError: apiError && {
      isEventsApiError: apiError instanceof EventsApiError,
      isEventsError: apiError instanceof EventsError,
      name: apiError.name,
      status: apiError.status,
      retryable: apiError.retryable,
      hasServerMessage: Array.isArray(apiError.serverMessage) && apiError.serverMessage.length > 0,
    },
    deleted: deleted.deleted,
    afterTotal: after.total,
    afterItems: after.items.length,
  };
}

/** What `scenario` returns when every step went right. */
export function expected(origin, label) {
  return {
    baseUrl: `${origin}/api/v1`,
    created: EVENTS,
    ids: EVENTS,
    uniqueIds: EVENTS,
    chunks: [
      [0, 0, 1000, 1000, 201],
      [1, 1000, 2000, 1000, 201],
      [2, 2000, 2500, 500, 201],
    ],
    runId: true,
    progressCalls: 3,
    lastProgress: { chunksDone: 3, chunksTotal: 3, eventsDone: EVENTS, eventsTotal: EVENTS, failedChunks: 0 },
    queryTotal: EVENTS,
    queryItems: EVENTS,
    queryIdsInInputOrder: true,
    firstEvent: { externalId: `${label}-0`, start: '2024-01-01T00:00:00.000Z', collectionMatches: true, hasCreatedAt: true },
    iterated: EVENTS,
    iteratedSameIds: true,
    validation: {
      isValidationError: true,
      isEventsError: true,
      isError: true,
      name: 'ValidationError',
      problemCount: 1,
      problem: { index: 0, field: 'start' },
    },
    apiError: {
      isEventsApiError: true,
      isEventsError: true,
      name: 'EventsApiError',
      status: 400,
      retryable: false,
      hasServerMessage: true,
    },
    deleted: EVENTS,
    afterTotal: 0,
    afterItems: 0,
  };
}
