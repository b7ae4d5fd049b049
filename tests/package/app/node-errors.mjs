// Every error class, raised for real by the installed package in Node: argument errors
// (plain TypeError/RangeError), and each class of the package with its fields. Local stand-in
// servers play the failures that the emulator should not be asked for.
import { createServer } from 'node:http';
import {
  AbortError,
  AuthError,
  CreateEventsError,
  EventsApiError,
  EventsClient,
  EventsError,
  NetworkError,
  TimeoutError,
} from 'genomcore-events-wasm';

async function rejection(promiseOrFn) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const api = (server) => `http://127.0.0.1:${server.address().port}/api/v1`;

const event = (i) => ({
  owner: 'o', collection: 'c', start: '2024-01-01T00:00:00Z', value: 'v', type: 't', source: 's', externalId: `x${i}`,
});
const out = {};
const describe = (e, cls, fields) => ({
  cls: e instanceof cls,
  base: e instanceof EventsError,
  name: e.name,
  ...Object.fromEntries(fields.map((f) => [f, e[f]])),
});

// Argument errors.
const noCredentials = await rejection(() => new EventsClient({}));
const client = new EventsClient({ token: 't', baseUrl: 'http://127.0.0.1:9/api/v1', maxRetries: 0 });
const unknownOption = await rejection(client.createEvents([event(0)], { chunkSize: 1 }));
const pageSize = await rejection(client.queryEvents({}, { pageSize: 0 }));
const emptyCollection = await rejection(client.deleteEvents(''));
out.arguments = [noCredentials, unknownOption, pageSize, emptyCollection].map((e) => [
  e.constructor.name,
  e instanceof EventsError,
]);

// AbortError: a signal that has already fired.
const aborted = await rejection(client.queryEvents({}, { signal: AbortSignal.abort() }));
out.abort = describe(aborted, AbortError, ['created', 'succeeded', 'failed']);

// NetworkError: nothing listens on port 9.
out.network = describe(await rejection(client.deleteEvents('c')), NetworkError, ['retryable']);

// AuthError: getToken throws.
const noToken = new EventsClient({ getToken: () => { throw new Error('no session'); }, baseUrl: 'http://127.0.0.1:9/api/v1' });
out.auth = describe(await rejection(noToken.queryEvents()), AuthError, ['retryable']);

// TimeoutError: a server that never answers.
const silent = await listen(() => {});
const slow = new EventsClient({ token: 't', baseUrl: api(silent), timeoutMs: 200, maxRetries: 0 });
out.timeout = describe(await rejection(slow.queryEvents()), TimeoutError, ['retryable', 'timeoutMs']);
silent.closeAllConnections();
silent.close();

// CreateEventsError: the first chunk is stored, the second gets a 400. The given runId
// names the chunks' Idempotency-Keys and comes back on the error.
let creates = 0;
const keys = [];
const half = await listen((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    creates += 1;
    keys.push(req.headers['idempotency-key']);
    const n = JSON.parse(body).length;
    if (creates === 1) {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ created: n, ids: Array.from({ length: n }, (_, i) => `id-${i}`) }));
    } else {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 400, error: 'Bad Request', message: ['refused'] }));
    }
  });
});
const halfClient = new EventsClient({ token: 't', baseUrl: api(half), concurrency: 1, maxRetries: 0 });
const partial = await rejection(halfClient.createEvents([event(0), event(1), event(2)], 2, { runId: 'upload-7' }));
half.close();
out.create = {
  ...describe(partial, CreateEventsError, ['created', 'runId']),
  keys,
  succeeded: partial.succeeded.map((c) => [c.from, c.to, c.ids.length]),
  failed: partial.failed.map((f) => [f.from, f.to, f.error instanceof EventsApiError, f.error.status, f.error.serverMessage]),
};

console.log(JSON.stringify(out));
