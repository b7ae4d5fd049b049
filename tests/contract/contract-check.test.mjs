// scripts/contract-check.mjs, offline: the emulator's own document (no differences),
// the same document written as a NestJS service would write it (OpenAPI 3.0, servers
// with a base path, $refs everywhere), and altered copies, each difference reported with
// the contract line it concerns. Run by `make test-contract` (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ROOT,
  compare,
  formatReport,
  readContract,
  readDispositions,
  readDocsLines,
  run,
} from '../../scripts/contract-check.mjs';

const SCRIPT = join(ROOT, 'scripts/contract-check.mjs');
const EMULATOR_DOC = join(ROOT, 'emulator/src/openapi.json');
const ours = () => JSON.parse(readFileSync(EMULATOR_DOC, 'utf8'));
const contract = readContract();
const disposition = readDispositions();
const docsLines = readDocsLines();

function check(real, auth, mine = ours()) {
  return compare({ real, auth, ours: mine, contract, disposition, docsLines });
}
const of = (r, sev) => r.findings.filter((f) => f.severity === sev);
const only = (r, sev, re) => {
  const hits = of(r, sev).filter((f) => re.test(f.title));
  assert.ok(hits.length > 0, `no ${sev} finding matching ${re}; got:\n${formatReport(r, { from: 'test' })}`);
  return hits[0];
};
/** The quoted docs line of a finding: the needle, and ASSUMED when `assumed`. */
function cites(f, { docs, assumed, contract: names = [] }) {
  assert.ok(f.docs, `"${f.title}" quotes no docs line`);
  assert.match(f.docs.text, docs, `"${f.title}" quotes ${f.docs.file}:${f.docs.line} "${f.docs.text}"`);
  assert.ok(f.docs.text.startsWith(docsLines[f.docs.line - 1].trim()), `the quote starts at line ${f.docs.line}`);
  if (assumed) assert.match(f.docs.text, /ASSUMED/, `"${f.title}" should quote an ASSUMED line, quotes "${f.docs.text}"`);
  for (const n of names) {
    const c = f.contract.find((x) => x.name === n);
    assert.ok(c, `"${f.title}" should name ${n} of core/src/contract.rs; names ${f.contract.map((x) => x.name).join(', ') || 'none'}`);
    assert.match(readFileSync(join(ROOT, c.file), 'utf8').split('\n')[c.line - 1], new RegExp(`pub const ${n}\\b`));
  }
}

// ------------------------------------------------------------------ reading the code

test('what the client relies on is read from core/src/contract.rs and core/src/retry.rs', () => {
  assert.equal(contract.QUERY_PATH.value, '/events/query');
  assert.equal(contract.QUERY_PATH.assumed, true);
  assert.equal(contract.EVENTS_PATH.assumed, false);
  assert.deepEqual(contract.EVENT_FIELDS.value.slice(0, 3), ['owner', 'collection', 'start']);
  assert.equal(contract.MAX_EVENTS_PER_REQUEST.value, 100000);
  assert.equal(contract.IDEMPOTENCY_WINDOW_SECS.value, 86400);
  assert.equal(contract.DEFAULT_MAX_CHUNK_BYTES.value, 16 * 1024 * 1024);
  // A doc comment shared by two constants belongs to both.
  assert.match(contract.LOGIN_PASSWORD_FIELD.doc, /emulator only/);
  assert.equal(disposition(201).variant, 'Success');
  assert.equal(disposition(401).variant, 'RefreshThenRetryOnce');
  assert.equal(disposition(413).variant, 'Split');
  assert.equal(disposition(503).variant, 'Retry');
  assert.equal(disposition(404).variant, 'Fail');
  assert.ok(disposition(429).says.length > 10, 'the variant\'s doc comment explains it');
});

// ------------------------------------------------------------------ no differences

test('the emulator\'s own document: no differences, exit 0', async () => {
  const r = check(ours());
  assert.equal(r.breaking, 0, formatReport(r, { from: 'emulator' }));
  assert.equal(r.differs, 0, formatReport(r, { from: 'emulator' }));
  assert.deepEqual(of(r, 'unchecked'), []);
  assert.ok(of(r, 'ok').length >= 30);
  const cli = await run([EMULATOR_DOC]);
  assert.equal(cli.code, 0);
  assert.match(cli.text, /result: no differences \(exit 0\)/);
});

/** The emulator's document as a NestJS service (@nestjs/swagger, OpenAPI 3.0) writes it. */
function asNest30(doc, server = 'https://events-apidev.genomcore.net/api/v1') {
  const d = structuredClone(doc);
  d.openapi = '3.0.0';
  d.servers = [{ url: server }];
  const paths = {};
  for (const [p, item] of Object.entries(d.paths)) paths[p.replace(/^\/api\/v1/, '')] = item;
  d.paths = paths;
  // 3.1 type arrays become 3.0 `nullable`; `examples` becomes `example`.
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n.type)) {
      const t = n.type.filter((x) => x !== 'null');
      if (t.length === 1) {
        n.type = t[0];
        if (n.type.length !== t.length) n.nullable = true;
      } else {
        n.oneOf = t.map((type) => ({ type }));
        delete n.type;
      }
    }
    Object.values(n).forEach(walk);
  };
  walk(d);
  // Parameters and responses through components, as shared DTOs are.
  d.components.parameters = { Page: d.paths['/events/query'].post.parameters[0] };
  d.paths['/events/query'].post.parameters[0] = { $ref: '#/components/parameters/Page' };
  d.components.responses = { Created: d.paths['/events'].post.responses['201'] };
  d.paths['/events'].post.responses['201'] = { $ref: '#/components/responses/Created' };
  // A DTO built with allOf (PartialType / IntersectionType).
  const q = d.components.schemas.QueryResult;
  d.components.schemas.Paged = { type: 'object', properties: { page: q.properties.page, pageSize: q.properties.pageSize, total: q.properties.total }, required: ['page', 'pageSize', 'total'] };
  d.components.schemas.QueryResult = { allOf: [{ $ref: '#/components/schemas/Paged' }, { type: 'object', properties: { items: q.properties.items }, required: ['items'] }] };
  return d;
}

test('a NestJS-style OpenAPI 3.0 document (servers /api/v1, paths without the prefix, $refs, allOf, nullable): no differences', () => {
  const r = check(asNest30(ours()));
  assert.equal(r.breaking + r.differs, 0, formatReport(r, { from: 'nest 3.0' }));
  assert.ok(of(r, 'ok').some((f) => /routes under \/api\/v1 \(servers: \/api\/v1\)/.test(f.title)));
  // A relative server URL with a variable reads alike.
  const v = asNest30(ours(), '{base}/api/v1');
  v.servers[0].variables = { base: { default: '' } };
  assert.equal(check(v).breaking, 0);
});

// ------------------------------------------------------------------ altered copies

test('a renamed event field: breaking, with the field\'s row of the contract', () => {
  const d = ours();
  const e = d.components.schemas.EventInput;
  e.properties.external_id = e.properties.externalId;
  delete e.properties.externalId;
  e.required = e.required.map((x) => (x === 'externalId' ? 'external_id' : x));
  const r = check(d);
  const f = only(r, 'breaking', /no field "externalId" \(the document has "external_id"\)/);
  cites(f, { docs: /^\| `externalId` \| string \| required/, contract: ['EVENT_FIELDS'] });
  assert.match(f.client, /refuses "external_id" as an unknown field/);
  const extra = only(r, 'breaking', /requires "external_id", which the contract does not know/);
  cites(extra, { docs: /No other fields are accepted/ });
  assert.match(formatReport(r, { from: 'x' }), /exit 1/);
});

test('a missing route: breaking, with the ASSUMED query path', () => {
  const d = ours();
  delete d.paths['/api/v1/events/query'];
  d.paths['/api/v1/events'].get = { operationId: 'findEvents', summary: 'List events', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'ok' } } };
  const r = check(d);
  const f = only(r, 'breaking', /^POST \/api\/v1\/events\/query is not in the document/);
  cites(f, { docs: /query is a POST \(ASSUMED path\)/, assumed: true, contract: ['QUERY_PATH'] });
  assert.match(f.actual, /GET \/api\/v1\/events/);
  assert.match(f.client, /queryEvents and queryAll would get 404/);
  // What the service has that we do not use.
  assert.ok(of(r, 'unused').some((u) => /GET \/api\/v1\/events — List events/.test(u.title)));
});

test('the query route answering GET only: the method is named', () => {
  const d = ours();
  d.paths['/api/v1/events/query'] = { get: d.paths['/api/v1/events/query'].post };
  const f = only(check(d), 'breaking', /POST \/api\/v1\/events\/query is not in the document/);
  assert.equal(f.actual, 'that path has GET only');
});

test('a changed status: create 200 instead of 201 differs (the client takes any 2xx), delete 204 breaks', () => {
  const d = ours();
  const c = d.paths['/api/v1/events'].post.responses;
  c['200'] = c['201'];
  delete c['201'];
  const r = check(d);
  assert.equal(r.breaking, 0, formatReport(r, { from: 'x' }));
  const f = only(r, 'differs', /create answers 200, not 201/);
  cites(f, { docs: /^- `201 \{"created"/, assumed: true, contract: ['CREATED_FIELD', 'IDS_FIELD'] });
  assert.match(f.client, /any 2xx/);

  const d2 = ours();
  const del = d2.paths['/api/v1/events'].delete.responses;
  del['204'] = { description: 'Deleted' };
  delete del['200'];
  const r2 = check(d2);
  const g = only(r2, 'breaking', /delete answers 204, not 200/);
  cites(g, { docs: /^- `200 \{"deleted"/, contract: ['DELETED_FIELD'] });
  assert.match(g.client, /not JSON/);
  only(r2, 'breaking', /delete answers without a body/);
});

test('the emulator\'s coming statuses (409 and 422 on create): reported with what the client does and the contract\'s table row', () => {
  // Our document without them (whether or not the emulator's has them by now), the
  // service's with them.
  const mine = ours();
  for (const code of ['409', '422']) delete mine.paths['/api/v1/events'].post.responses[code];
  const d = structuredClone(mine);
  const c = d.paths['/api/v1/events'].post.responses;
  c['409'] = { description: 'A request with the same Idempotency-Key is in flight', content: c['400'].content };
  c['422'] = { description: 'Idempotency-Key reused with a different body', content: c['400'].content };
  const r = check(d, undefined, mine);
  assert.equal(r.breaking, 0);
  const f = only(r, 'differs', /create may answer 409/);
  cites(f, { docs: /^\| 409 \|/ });
  assert.match(f.client, new RegExp(`^${disposition(409).variant} \\(core/src/retry.rs\\)`));
  assert.match(f.client, /Errors table says: retry\? yes, with backoff/);
  only(r, 'differs', /create may answer 422/);
  // And one we document that the service does not.
  const d2 = ours();
  delete d2.paths['/api/v1/events'].post.responses['413'];
  const n = only(check(d2), 'note', /^create: 413 not documented by the service$/);
  assert.match(n.client, /413 Split/);
});

test('a different pagination shape: {data, meta} with ?limit=: breaking, with the ASSUMED answer line', () => {
  const d = ours();
  const q = d.paths['/api/v1/events/query'].post;
  q.parameters = [
    { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
    { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } },
  ];
  d.components.schemas.QueryResult = {
    type: 'object',
    properties: {
      data: { type: 'array', items: { $ref: '#/components/schemas/StoredEvent' } },
      meta: { type: 'object', properties: { totalItems: { type: 'integer' }, currentPage: { type: 'integer' }, itemsPerPage: { type: 'integer' } } },
    },
  };
  const r = check(d);
  const f = only(r, 'breaking', /query answer has no "items" array: a different pagination shape/);
  cites(f, { docs: /^- `200 \{"items"/, assumed: true, contract: ['ITEMS_FIELD', 'TOTAL_FIELD'] });
  assert.match(f.actual, /data: \[ \], meta: \{totalItems, currentPage, itemsPerPage\}/);
  const p = only(r, 'breaking', /"page" starts at 1: pages are 1-based/);
  cites(p, { docs: /^- `page`: 0-based/, contract: ['PAGE_PARAM'] });
  const s = only(r, 'breaking', /query parameter "pageSize" is not in the document/);
  assert.match(s.actual, /limit/);
  only(r, 'differs', /query answer has no "total"/);
});

test('pageSize capped below the client\'s default breaks; above it, only differs', () => {
  const set = (max) => {
    const d = ours();
    d.paths['/api/v1/events/query'].post.parameters[1].schema.maximum = max;
    return check(d);
  };
  cites(only(set(1000), 'breaking', /"pageSize" allows at most 1000/), { docs: /^- `page`: 0-based/, contract: ['MAX_PAGE_SIZE', 'DEFAULT_PAGE_SIZE'] });
  assert.equal(set(20000).breaking, 0);
});

test('another base path: breaking, with the ASSUMED /api/v1 line', () => {
  const d = asNest30(ours(), 'https://events-apidev.genomcore.net/api/v2');
  const r = check(d);
  const f = only(r, 'breaking', /the service's routes are under \/api\/v2, not \/api\/v1/);
  cites(f, { docs: /the `\/api\/v1` prefix and the `-apidev` hosts are ASSUMED/, assumed: true, contract: ['PROD_EVENTS_URL'] });
  // The auth routes of this document moved too; the rest is still compared, under the
  // service's base path, and matches.
  only(r, 'breaking', /the auth routes are under \/api\/v2, not \/api\/v1/);
  assert.equal(r.breaking, 2, formatReport(r, { from: 'v2' }));
  assert.equal(r.differs, 0);
  assert.ok(of(r, 'ok').some((x) => x.title === 'POST /api/v2/events/query'));
});

test('the create body wrapped in an object, and an answer without ids: breaking', () => {
  const d = ours();
  const body = d.paths['/api/v1/events'].post.requestBody.content['application/json'];
  body.schema = { type: 'object', properties: { events: body.schema }, required: ['events'] };
  d.components.schemas.CreateResult = { type: 'object', properties: { created: { type: 'integer' }, insertedIds: { type: 'array', items: { type: 'string' } } } };
  const r = check(d);
  cites(only(r, 'breaking', /create body is object, not an array of events/), { docs: /^- Body: a JSON array of 1 to 100000/ });
  cites(only(r, 'breaking', /create answer has no "ids"/), { docs: /^- `201 \{"created"/, assumed: true, contract: ['IDS_FIELD'] });
  assert.ok(of(r, 'unused').some((u) => /"insertedIds"/.test(u.title)));
  // The events inside the wrapper are still compared.
  assert.ok(of(r, 'ok').some((f) => /create: owner, collection/.test(f.title)));
});

test('no Idempotency-Key in the document: a difference that tells what a retry would do', () => {
  const d = ours();
  d.paths['/api/v1/events'].post.parameters = [];
  const r = check(d);
  assert.equal(r.breaking, 0);
  const f = only(r, 'differs', /no "Idempotency-Key" header/);
  cites(f, { docs: /same status and body as the first request with that key \(ASSUMED/, assumed: true, contract: ['IDEMPOTENCY_HEADER'] });
  assert.match(f.client, /stores that chunk twice/);
});

test('auth: an API key instead of a bearer token breaks; a separate auth document with other field names breaks renewal', () => {
  const d = ours();
  d.components.securitySchemes = { key: { type: 'apiKey', in: 'header', name: 'x-api-key' } };
  for (const item of Object.values(d.paths)) for (const op of Object.values(item)) if (op.security?.length) op.security = [{ key: [] }];
  const r = check(d);
  cites(only(r, 'breaking', /create: authenticated by apikey in header "x-api-key"/), { docs: /Every request carries `Authorization: Bearer/, contract: ['AUTHORIZATION_HEADER'] });

  // The events document alone does not hold the refresh route: unchecked, not silent.
  const events = ours();
  delete events.paths['/api/v1/auth/refresh-token'];
  delete events.paths['/api/v1/auth/login'];
  only(check(events), 'unchecked', /give the auth service's with AUTH_URL=/);

  const auth = {
    openapi: '3.0.0',
    info: { title: 'Auth API' },
    servers: [{ url: '/api/v1' }],
    paths: {
      '/auth/refresh-token': {
        post: {
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/RefreshDto' } } } },
          responses: { 201: { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Tokens' } } } } },
        },
      },
      '/auth/login': { post: { responses: { 201: { description: '' } } } },
    },
    components: {
      schemas: {
        RefreshDto: { type: 'object', properties: { refresh_token: { type: 'string' } }, required: ['refresh_token'] },
        Tokens: { type: 'object', properties: { accessToken: { type: 'string' }, refreshToken: { type: 'string' } } },
      },
    },
  };
  const r2 = check(events, auth);
  cites(only(r2, 'breaking', /refresh body has no "refreshToken" \(the document has "refresh_token"\)/), { docs: /the bodies are ASSUMED/, assumed: true, contract: ['REFRESH_TOKEN_FIELD'] });
  cites(only(r2, 'breaking', /refresh answer has no "token" \(the document has "accessToken"\)/), { docs: /the bodies are ASSUMED/, assumed: true, contract: ['TOKEN_FIELD'] });
  only(r2, 'breaking', /refresh requires "refresh_token"/);
  // Login is the emulator's: only a note.
  only(r2, 'note', /login body has no "username"/);
});

test('every reported difference quotes a contract line or a constant', () => {
  const d = asNest30(ours(), '/api/v2');
  delete d.paths['/events/query'];
  d.components.schemas.EventInput.properties.owner = { type: 'integer' };
  const r = check(d);
  for (const f of r.findings.filter((x) => x.severity === 'breaking' || x.severity === 'differs')) {
    assert.ok(f.docs || f.contract.length, `"${f.title}" cites nothing`);
    assert.ok(f.client, `"${f.title}" does not say what the client would do`);
  }
  only(r, 'breaking', /create: "owner": type integer, not string/);
});

// ------------------------------------------------------------------ the command line

test('command line: a file, a URL (docs page, origin), --json, exit codes 0 / 1 / 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const altered = ours();
  delete altered.paths['/api/v1/events/query'];
  writeFileSync(join(dir, 'altered.json'), JSON.stringify(altered));
  writeFileSync(join(dir, 'not.json'), 'openapi: 3.0.0\n');

  // A local server that serves the altered document where NestJS serves it.
  const server = createServer((req, res) => {
    if (req.url === '/api/docs-json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(altered));
    res.writeHead(404).end('{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${server.address().port}`;

  const exec = promisify(execFile);
  const go = (args, env = {}) => exec(process.execPath, [SCRIPT, ...args], { env: { ...process.env, URL: '', AUTH_URL: '', ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  assert.equal((await go([EMULATOR_DOC])).code, 0);
  const bad = await go([join(dir, 'altered.json')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /✗ BREAKING  \[routes\] POST \/api\/v1\/events\/query is not in the document/);
  assert.match(bad.stdout, /core\/src\/contract\.rs:\d+ QUERY_PATH = "\/events\/query"  \(ASSUMED\)/);
  assert.match(bad.stdout, /docs\/events-api\.md:\d+-\d+ \(ASSUMED\): "A browser cannot send a body with GET/);
  // URL= as make passes it; the docs page and an API base URL lead to /api/docs-json.
  for (const url of [`${origin}/api/docs`, `${origin}/api/v1`, origin]) {
    const r = await go([], { URL: url });
    assert.equal(r.code, 1, `${url}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`contract-check: ${origin}/api/docs-json`));
  }
  const json = await go(['--json', join(dir, 'altered.json')]);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.breaking, 1);
  assert.equal(parsed.findings.find((f) => f.severity === 'breaking').contract[0].name, 'QUERY_PATH');
  const none = await go([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: make contract-check URL=/);
  const missing = await go([`${origin}/nothing/docs-json`]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no OpenAPI document found:[\s\S]*HTTP 404/);
  const yaml = await go([join(dir, 'not.json')]);
  assert.equal(yaml.code, 2);
  assert.match(yaml.stderr, /not JSON/);
});

test('hosts: a document from, or for, a host the client does not know differs (the -apidev hosts are ASSUMED)', () => {
  const r = compare({ real: asNest30(ours(), 'https://events-api-dev.genomcore.net/api/v1'), ours: ours(), contract, disposition, docsLines, from: 'https://events-api-dev.genomcore.net/api/docs-json' });
  const f = only(r, 'differs', /the document was fetched from events-api-dev\.genomcore\.net, none of the client's hosts/);
  cites(f, { docs: /-apidev` hosts are ASSUMED/, assumed: true, contract: ['DEV_EVENTS_URL'] });
  only(r, 'differs', /served for events-api-dev\.genomcore\.net/);
  assert.equal(r.breaking, 0);
  // Loopback (an emulator, a local NestJS server) and our own hosts are not differences.
  const local = compare({ real: asNest30(ours(), 'http://localhost:3000/api/v1'), ours: ours(), contract, disposition, docsLines, from: 'http://127.0.0.1:3000/api/docs-json' });
  assert.equal(local.differs + local.breaking, 0);
});

test('a document as @nestjs/swagger writes it by default (fixture): nothing breaks; the 201 of a POST query, _id and the missing Idempotency-Key are reported', () => {
  const doc = JSON.parse(readFileSync(join(ROOT, 'tests/contract/fixtures/nest-default.json'), 'utf8'));
  const r = check(doc);
  assert.equal(r.breaking, 0, formatReport(r, { from: 'nest-default' }));
  assert.deepEqual(of(r, 'differs').map((f) => f.title).sort(), [
    'create: no "Idempotency-Key" header in the document',
    'query answers 201, not 200',
    'stored event: no field "id" (the document has "_id")',
  ]);
  // format date-time is the contract's RFC 3339: no difference.
  assert.ok(of(r, 'ok').some((f) => f.title === 'create: owner, collection, start, end, value, type, source, externalId, batch'));
  only(r, 'unchecked', /give the auth service's with AUTH_URL=/);
  only(r, 'note', /^create: 400, 401, (\d{3}, )*413(, \d{3})* not documented by the service \(it documents no error status/);
  const unused = of(r, 'unused').map((f) => f.title);
  assert.ok(unused.includes('GET /api/v1/events/{id} (EventsController_findOne)'), unused.join('\n'));
  assert.ok(unused.includes('stored event: field "updatedAt" (passed through to callers as is)'));
  // A date-only format is a difference the client would feel.
  doc.components.schemas.CreateEventDto.properties.start.format = 'date';
  const f = only(check(doc), 'differs', /create: "start": format date/);
  cites(f, { docs: /^\| `start` \| string \| required/ });
  assert.match(f.client, /may refuse them \(400\)/);
});

test('Swagger 2.0: basePath, a body parameter and response schemas are read', () => {
  const o = ours();
  const S = o.components.schemas;
  const doc = {
    swagger: '2.0',
    info: { title: 'old' },
    basePath: '/api/v1',
    securityDefinitions: { bearer: { type: 'apiKey', in: 'header', name: 'Authorization' } },
    security: [{ bearer: [] }],
    paths: {
      '/events': {
        post: {
          parameters: [{ name: 'body', in: 'body', required: true, schema: { type: 'array', items: { $ref: '#/definitions/EventInput' } } }],
          responses: { 201: { description: '', schema: { $ref: '#/definitions/CreateResult' } } },
        },
        delete: { parameters: [{ name: 'collection', in: 'query', required: true, type: 'string' }], responses: { 200: { description: '', schema: { $ref: '#/definitions/DeleteResult' } } } },
      },
      '/events/query': {
        post: {
          parameters: [{ name: 'page', in: 'query', type: 'integer', minimum: 0 }, { name: 'pageSize', in: 'query', type: 'integer', maximum: 10000 }],
          responses: { 200: { description: '', schema: { $ref: '#/definitions/QueryResult' } } },
        },
      },
    },
    definitions: { EventInput: S.EventInput, StoredEvent: S.StoredEvent, CreateResult: S.CreateResult, DeleteResult: S.DeleteResult, QueryResult: structuredClone(S.QueryResult) },
  };
  doc.definitions.QueryResult.properties.items.items = { $ref: '#/definitions/StoredEvent' };
  const r = check(doc);
  assert.equal(r.breaking, 0, formatReport(r, { from: 'swagger' }));
  for (const t of ['POST /api/v1/events', 'POST /api/v1/events/query', 'DELETE /api/v1/events', '"ids": array', '"items": array', 'create: apiKey in Authorization']) {
    assert.ok(of(r, 'ok').some((f) => f.title === t), `${t} not matched:\n${formatReport(r, { from: 'swagger' })}`);
  }
});

test('contract vs client: a status the Errors table and core/src/retry.rs treat differently is a note, whatever the service', () => {
  const r = check(ours());
  const notes = of(r, 'note').filter((f) => f.area === 'contract vs client');
  const n409 = notes.find((f) => /^409:/.test(f.title));
  if (/Retry/.test(disposition(409).variant)) assert.equal(n409, undefined);
  else cites(n409, { docs: /^\| 409 \| the same `Idempotency-Key` is still being processed \| yes, with backoff \|$/ });
  assert.ok(!notes.some((f) => /^(400|401|413|415|429|503):/.test(f.title)), notes.map((f) => f.title).join("\n"));
  // A client that stopped retrying 503 would be caught.
  const broken = (code) => (code === 503 ? { variant: 'Fail', says: 'fails' } : disposition(code));
  const r2 = compare({ real: ours(), ours: ours(), contract, disposition: broken, docsLines });
  const f = only(r2, 'note', /^503: the contract says "yes, with backoff/);
  assert.match(f.title, /the client does Fail$/);
  assert.equal(r2.breaking + r2.differs, 0);
});
