#!/usr/bin/env node
// make contract-check URL=… [AUTH_URL=…]: compares an OpenAPI document of the Events API
// (and, optionally, of the auth service) with what this repository assumes.
//
//   node scripts/contract-check.mjs [--url] URL|FILE [--auth-url URL|FILE] [--json]
//                                   [--emulator-doc FILE]
//
// URL or FILE: a document (`…/api/docs-json`, a `.json` file), the docs page
// (`…/api/docs`, whose `-json` twin is fetched), an origin or a base URL (its
// `/api/docs-json` is fetched), or `dev` / `prod` (the hosts of core/src/contract.rs).
//
// What "we assume" comes from the code, not from a list kept here:
//   - names (paths, parameters, field names, limits) from core/src/contract.rs, parsed;
//   - what the client does with each status from `classify_status` in core/src/retry.rs;
//   - shapes (types, required fields, status codes) from the emulator's own document,
//     emulator/src/openapi.json, which the emulator's tests hold to what it serves;
//   - the ASSUMED lines quoted from docs/events-api.md.
// The check is itself the consistency check of those three: run against the emulator's
// document it reports no difference.
//
// Exit code: 0 when nothing found would break the client, 1 when something would,
// 2 when the document cannot be read.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ------------------------------------------------------------------ what the code says

/** Evaluates a Rust constant's value: a string, a number (`16 * 1024`, `100_000`), an array. */
function rustValue(text) {
  const t = text.trim();
  if (t.startsWith('"')) return JSON.parse(t);
  if (t.startsWith('[')) return [...t.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`));
  if (/^[\d_\s*]+$/.test(t)) return t.split('*').reduce((n, f) => n * Number(f.replace(/[_\s]/g, '')), 1);
  return t;
}

/**
 * Every `pub const` of core/src/contract.rs: `{ NAME: { value, line, doc, assumed } }`
 * (`line` 1-based, `doc` the `///` comment above it, `assumed` when it says ASSUMED).
 */
export function readContract(root = ROOT) {
  const file = 'core/src/contract.rs';
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const consts = {};
  let doc = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('///')) {
      doc.push(line.replace(/^\/\/\/\s?/, ''));
      continue;
    }
    const m = /^pub const (\w+)\s*:\s*[^=]+=\s*(.*)$/.exec(line);
    if (m) {
      let value = m[2];
      let j = i;
      while (!value.trimEnd().endsWith(';') && j + 1 < lines.length) value += ' ' + lines[++j].trim();
      const text = doc.join(' ');
      consts[m[1]] = { value: rustValue(value.trimEnd().replace(/;$/, '')), line: i + 1, doc: text, assumed: /ASSUMED/.test(text), file };
      // A doc comment may cover the next constants too (`LOGIN_PASSWORD_FIELD`).
      if (lines[j + 1] && !lines[j + 1].trim().startsWith('pub const')) doc = [];
      i = j;
      continue;
    }
    if (line === '' || !line.startsWith('//')) doc = [];
  }
  for (const need of ['EVENTS_PATH', 'QUERY_PATH', 'REFRESH_PATH', 'EVENT_FIELDS', 'ITEMS_FIELD', 'PROD_EVENTS_URL']) {
    if (!(need in consts)) throw new Error(`${file} has no ${need}: the check cannot run`);
  }
  return consts;
}

/**
 * What the client does with an HTTP status: `classify_status` in core/src/retry.rs,
 * parsed (its match arms and the doc comments of `Disposition`'s variants).
 */
export function readDispositions(root = ROOT) {
  const file = 'core/src/retry.rs';
  const text = readFileSync(join(root, file), 'utf8');
  const variants = {};
  const enumBody = /pub enum Disposition \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  let doc = [];
  for (const raw of enumBody.split('\n')) {
    const l = raw.trim();
    if (l.startsWith('///')) doc.push(l.replace(/^\/\/\/\s?/, ''));
    else if (/^\w+,$/.test(l)) (variants[l.slice(0, -1)] = doc.join(' ')), (doc = []);
  }
  const fnBody = /pub fn classify_status[\s\S]*?match status \{([\s\S]*?)\n    \}/.exec(text)?.[1] ?? '';
  const arms = [];
  for (const m of fnBody.matchAll(/^\s*([\d\s|.=_]+?)\s*=>\s*Disposition::(\w+)/gm)) {
    for (const alt of m[1].split('|')) {
      const r = /^\s*(\d+)\s*(?:\.\.=\s*(\d+))?\s*$/.exec(alt);
      if (r) arms.push({ from: Number(r[1]), to: Number(r[2] ?? r[1]), variant: m[2] });
    }
  }
  const fallback = /_\s*=>\s*Disposition::(\w+)/.exec(fnBody)?.[1] ?? 'Fail';
  if (arms.length === 0) {
    // Written some other way: say so in every status line rather than stop the check.
    return () => ({ variant: 'unknown', says: `see classify_status in ${file} (its match arms could not be read)` });
  }
  const of = (status) => arms.find((a) => status >= a.from && status <= a.to)?.variant ?? fallback;
  /** `{ variant, says }`: what the client does when a request gets `status`. */
  return (status) => {
    const variant = of(Number(status));
    return { variant, says: variants[variant] || variant };
  };
}

/** docs/events-api.md, to quote the line each finding concerns. */
export function readDocsLines(root = ROOT) {
  return readFileSync(join(root, 'docs/events-api.md'), 'utf8').split('\n');
}

/**
 * The contract line matching `needle`, extended over the following lines of the same
 * paragraph until the one saying ASSUMED (at most 3 lines), so that the quote holds it.
 */
export function citeDocs(lines, needle) {
  if (!needle) return undefined;
  const i = lines.findIndex((l) => needle.test(l));
  if (i < 0) return undefined;
  let j = i;
  if (!/ASSUMED/.test(lines[i])) {
    for (let k = i + 1; k < Math.min(lines.length, i + 3); k++) {
      if (lines[k].trim() === '' || /^(#|- |\| )/.test(lines[k])) break;
      if (/ASSUMED/.test(lines[k])) {
        j = k;
        break;
      }
    }
  }
  const text = lines.slice(i, j + 1).map((l) => l.trim()).join(' ');
  return { file: 'docs/events-api.md', line: i + 1, endLine: j + 1, text, assumed: /ASSUMED/.test(text) };
}

// ------------------------------------------------------------------ reading a document

const DOCS_JSON = '/api/docs-json';

/** Where to look for the document that `source` names (see the header). */
export function candidateSources(source, contract) {
  if (source === 'dev' || source === 'prod') {
    source = new URL(contract[source === 'dev' ? 'DEV_EVENTS_URL' : 'PROD_EVENTS_URL'].value).origin;
  } else if (source === 'auth-dev' || source === 'auth-prod') {
    source = new URL(contract[source === 'auth-dev' ? 'DEV_AUTH_URL' : 'PROD_AUTH_URL'].value).origin;
  }
  if (!/^https?:\/\//i.test(source)) return [source];
  const u = new URL(source);
  const path = u.pathname.replace(/\/+$/, '');
  if (/(-json|\.json)$/i.test(path)) return [u.href];
  if (/\/docs$/i.test(path)) return [`${u.origin}${path}-json`];
  // An origin or a base URL (`…/api/v1`): NestJS's usual place first, then beside the path.
  const out = [`${u.origin}${DOCS_JSON}`];
  if (path) out.push(`${u.origin}${path}/docs-json`);
  return [...new Set(out)];
}

/** `{ doc, from }`: the document as JSON, from a URL or a file. Throws a readable Error. */
export async function loadDocument(source, contract, { fetchImpl = globalThis.fetch, timeoutMs = 20000 } = {}) {
  const tried = [];
  for (const where of candidateSources(source, contract)) {
    if (!/^https?:\/\//i.test(where)) {
      let text;
      try {
        text = readFileSync(where, 'utf8');
      } catch (e) {
        throw new Error(`cannot read ${where}: ${e.code || e.message}`);
      }
      try {
        return { doc: JSON.parse(text), from: where };
      } catch {
        throw new Error(`${where} is not JSON (a YAML document? save the JSON one, ${DOCS_JSON})`);
      }
    }
    try {
      const r = await fetchImpl(where, { headers: { accept: 'application/json' }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      const text = await r.text();
      if (!r.ok) {
        tried.push(`${where}: HTTP ${r.status}`);
        continue;
      }
      try {
        const doc = JSON.parse(text);
        if (doc && (doc.openapi || doc.swagger || doc.paths)) return { doc, from: where };
        tried.push(`${where}: JSON, but not an OpenAPI document`);
      } catch {
        tried.push(`${where}: not JSON (${(r.headers.get('content-type') || 'no content type').split(';')[0]})`);
      }
    } catch (e) {
      const why = e.name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : e.cause?.code || e.cause?.message || e.message;
      tried.push(`${where}: ${why}`);
    }
  }
  throw new Error(`no OpenAPI document found:\n  ${tried.join('\n  ')}`);
}

// ------------------------------------------------------------------ OpenAPI helpers

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function pointer(doc, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, k) => (o == null ? undefined : o[k]), doc);
}

/** Follows `$ref`s (OpenAPI 3.0: siblings ignored; 3.1: siblings kept). */
export function deref(doc, node, seen = new Set()) {
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) return {};
    seen.add(node.$ref);
    const { $ref, ...rest } = node;
    const target = pointer(doc, $ref);
    if (target === undefined) return { ...rest, unresolved: $ref };
    node = Object.keys(rest).length ? { ...target, ...rest } : target;
  }
  return node;
}

/**
 * A schema flattened for comparison: `$ref`s followed, `allOf` merged, 3.0 `nullable`
 * and 3.1 type arrays read alike. `{ types: Set, props: {name: schema}, required: Set,
 * items, format, minimum, maximum, maxItems, enum, oneOf, raw }`.
 */
export function shape(doc, schema, depth = 0) {
  const s = deref(doc, schema) || {};
  const out = { types: new Set(), props: {}, required: new Set(), raw: s, title: refName(schema) };
  const add = (t) => (Array.isArray(t) ? t : t ? [t] : []).forEach((x) => out.types.add(x));
  add(s.type);
  if (s.nullable) out.types.add('null');
  for (const k of ['format', 'minimum', 'maximum', 'maxItems', 'minItems', 'default', 'enum', 'minLength']) if (s[k] !== undefined) out[k] = s[k];
  for (const [k, v] of Object.entries(s.properties || {})) out.props[k] = v;
  for (const r of s.required || []) out.required.add(r);
  if (s.items) out.items = s.items;
  if (depth < 8) {
    for (const part of s.allOf || []) {
      const p = shape(doc, part, depth + 1);
      p.types.forEach((t) => out.types.add(t));
      Object.assign(out.props, p.props);
      p.required.forEach((r) => out.required.add(r));
      if (p.items && !out.items) out.items = p.items;
      for (const k of ['format', 'minimum', 'maximum', 'maxItems']) if (out[k] === undefined && p[k] !== undefined) out[k] = p[k];
    }
    const alts = s.oneOf || s.anyOf;
    if (alts) {
      out.oneOf = alts.map((a) => shape(doc, a, depth + 1));
      if (out.types.size === 0) out.oneOf.forEach((a) => a.types.forEach((t) => out.types.add(t)));
    }
  }
  if (out.types.size === 0) {
    if (Object.keys(out.props).length) out.types.add('object');
    else if (out.items) out.types.add('array');
  }
  if (out.types.has('integer')) out.types.add('number');
  return out;
}

function refName(schema) {
  const r = schema && typeof schema === 'object' ? schema.$ref : undefined;
  return typeof r === 'string' ? r.split('/').pop() : undefined;
}

function joinPath(base, path) {
  const b = (base || '').replace(/\/+$/, '');
  const p = path.startsWith('/') ? path : `/${path}`;
  return normPath(b + p);
}

function normPath(p) {
  return ('/' + p.split('/').filter(Boolean).join('/')).replace(/\{[^}]+\}/g, '{}');
}

/** The path part of the document's server (OpenAPI 3 `servers[0]`, Swagger 2 `basePath`). */
function serverBase(doc) {
  if (doc.swagger) return doc.basePath || '';
  const s = (doc.servers || [])[0];
  if (!s || typeof s.url !== 'string') return '';
  let url = s.url.replace(/\{(\w+)\}/g, (_, v) => s.variables?.[v]?.default ?? '');
  try {
    return new URL(url, 'http://x').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** The document's operations: `[{ method, path, full, op, item }]`. */
export function operations(doc) {
  const base = serverBase(doc);
  const out = [];
  for (const [path, rawItem] of Object.entries(doc.paths || {})) {
    const item = deref(doc, rawItem) || {};
    for (const method of METHODS) {
      if (!item[method]) continue;
      // Paths written with the prefix already (servers "/api/v1", paths "/api/v1/events").
      const prefixed = base && normPath(path).startsWith(normPath(base) + '/');
      const full = prefixed ? normPath(path) : joinPath(base, path);
      // `full` compares (templates as `{}`); `shown` is what the report prints.
      const shown = prefixed || !base ? path : `${base.replace(/\/+$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
      out.push({ method, path, full, shown, op: item[method], item });
    }
  }
  return { base, ops: out };
}

/** Parameters of an operation, path-level ones included: `[{ name, in, required, schema }]`. */
function params(doc, o) {
  const all = new Map();
  for (const p of [...(o.item.parameters || []), ...(o.op.parameters || [])]) {
    const q = deref(doc, p);
    if (q && q.name) all.set(`${q.in}:${q.name.toLowerCase()}`, { ...q, schema: q.schema || (q.type ? { type: q.type, maximum: q.maximum, minimum: q.minimum, default: q.default } : {}) });
  }
  return [...all.values()];
}

const isJsonType = (ct) => /json/i.test(ct);

/** The JSON request body schema (OpenAPI 3 `requestBody`, Swagger 2 `in: body`). */
function requestSchema(doc, o) {
  const body = deref(doc, o.op.requestBody);
  if (body && body.content) {
    const ct = Object.keys(body.content).find(isJsonType) ?? Object.keys(body.content)[0];
    return ct ? { schema: body.content[ct].schema || {}, contentType: ct, required: !!body.required } : undefined;
  }
  const p = params(doc, o).find((x) => x.in === 'body');
  return p ? { schema: p.schema || {}, contentType: 'application/json', required: !!p.required } : undefined;
}

/** `{ code: { schema?, contentType?, headers, description } }` of an operation. */
function responses(doc, o) {
  const out = {};
  for (const [code, raw] of Object.entries(o.op.responses || {})) {
    const r = deref(doc, raw) || {};
    let schema;
    let contentType;
    if (r.content) {
      contentType = Object.keys(r.content).find(isJsonType) ?? Object.keys(r.content)[0];
      schema = contentType ? r.content[contentType].schema : undefined;
    } else if (r.schema) {
      schema = r.schema;
      contentType = 'application/json';
    }
    const headers = Object.fromEntries(Object.keys(r.headers || {}).map((h) => [h.toLowerCase(), h]));
    out[String(code)] = { schema, contentType, headers, description: r.description || '' };
  }
  return out;
}

function successCodes(resps) {
  return Object.keys(resps).filter((c) => /^2(\d\d|XX)$/i.test(c));
}

/** The security requirement of an operation, resolved to its schemes. */
function securityOf(doc, o) {
  const req = o.op.security ?? doc.security ?? [];
  const schemes = doc.components?.securitySchemes || doc.securityDefinitions || {};
  return req.flatMap((alt) => Object.keys(alt)).map((name) => ({ name, scheme: deref(doc, schemes[name]) || {} }));
}

// ------------------------------------------------------------------ the comparison

const typeList = (s) => [...s.types].filter((t) => t !== 'number' || !s.types.has('integer')).join('|') || 'any';

/** The check. Every argument is data; nothing is read or fetched here. */
export function compare({ real: doc, auth, ours, contract, disposition, docsLines, from }) {
  const C = (name) => contract[name]?.value;
  const findings = [];
  const cite = (needle) => citeDocs(docsLines, needle);
  const add = (f) => {
    findings.push({
      ...f,
      contract: (f.contract || []).filter((n) => contract[n]).map((n) => ({ name: n, ...contract[n] })),
      docs: f.docs ? cite(f.docs) : undefined,
    });
  };
  const ok = (area, title, more = {}) => add({ severity: 'ok', area, title, ...more });

  // -------------------------------------------------------- hosts
  // Where the document came from, and the host its `servers` names, against ours.
  const ourHosts = ['PROD_EVENTS_URL', 'DEV_EVENTS_URL', 'PROD_AUTH_URL', 'DEV_AUTH_URL'].filter((n) => contract[n]).map((n) => new URL(C(n)).host);
  const loopback = (h) => /^(localhost|127\.|\[::1\])/.test(h);
  const serverUrl = (doc.servers || [])[0]?.url;
  for (const [what, url] of [['fetched from', /^https?:/i.test(from || '') ? from : undefined], ['servers names', /^https?:/i.test(serverUrl || '') ? serverUrl : undefined]]) {
    if (!url) continue;
    const host = new URL(url).host;
    if (ourHosts.includes(host)) ok('hosts', `${what} ${host}`, { contract: ['DEV_EVENTS_URL'] });
    else if (!loopback(host)) {
      add({
        severity: 'differs', area: 'hosts', title: `the document was ${what.replace('servers names', 'served for')} ${host}, none of the client's hosts`, contract: ['PROD_EVENTS_URL', 'DEV_EVENTS_URL'], docs: /the `\/api\/v1` prefix and/,
        expected: ourHosts.join(', '), actual: host,
        client: `if this is the service's dev or prod host, the client's env 'dev'/'prod' points elsewhere (requests fail); baseUrl can be passed by hand meanwhile`,
      });
    }
  }

  // -------------------------------------------------------- where our routes are
  const clientBase = new URL(C('PROD_EVENTS_URL')).pathname.replace(/\/+$/, '');
  const authBase = new URL(C('PROD_AUTH_URL') || C('PROD_EVENTS_URL')).pathname.replace(/\/+$/, '');
  const R = operations(doc);
  const O = operations(ours);
  const routes = [
    { key: 'create', method: 'post', rel: C('EVENTS_PATH'), contract: ['EVENTS_PATH'], docs: /^## Create: `POST/, use: 'createEvents' },
    { key: 'query', method: 'post', rel: C('QUERY_PATH'), contract: ['QUERY_PATH'], docs: /A browser cannot send a body with GET/, use: 'queryEvents and queryAll' },
    { key: 'delete', method: 'delete', rel: C('EVENTS_PATH'), contract: ['EVENTS_PATH', 'COLLECTION_PARAM'], docs: /^## Delete: `DELETE/, use: 'deleteEvents' },
  ];
  const authRoutes = [
    { key: 'refresh', method: 'post', rel: C('REFRESH_PATH'), contract: ['REFRESH_PATH'], docs: /^- Refresh: `POST \{auth\}/, use: 'token renewal (refreshToken option)' },
    { key: 'login', method: 'post', rel: C('LOGIN_PATH'), contract: ['LOGIN_PATH'], docs: /the emulator offers `POST \{auth\}/, use: 'nothing in the client (the emulator\'s, for demos and tests)', optional: true },
  ];

  const segs = (p) => p.split('/').filter(Boolean);
  /** Prefixes under which `rel` appears in a document (`/api/v2` for `/api/v2/events`). */
  function prefixesOf(ops, rel) {
    const r = segs(normPath(rel));
    const out = new Set();
    for (const o of ops) {
      const f = segs(o.full);
      if (f.length >= r.length && f.slice(f.length - r.length).join('/') === r.join('/')) out.add('/' + f.slice(0, f.length - r.length).join('/'));
    }
    return out;
  }
  // The service's base path: ours when the document has our routes under it; else the
  // one prefix under which it has them.
  const normBase = normPath(clientBase || '/');
  const baseHits = routes.map((r) => prefixesOf(R.ops, r.rel));
  let base = clientBase;
  const anyOurs = baseHits.some((h) => h.has(normBase === '/' ? '/' : normBase));
  if (!anyOurs) {
    const all = new Set(baseHits.flatMap((h) => [...h]));
    if (all.size === 1) {
      base = [...all][0];
      add({
        severity: 'breaking', area: 'base path', title: `the service's routes are under ${base === '/' ? 'the root' : base}, not ${clientBase}`,
        contract: ['PROD_EVENTS_URL', 'DEV_EVENTS_URL'], docs: /the `\/api\/v1` prefix and/,
        expected: `${clientBase}${C('EVENTS_PATH')}`, actual: `${base === '/' ? '' : base}${C('EVENTS_PATH')}`,
        client: `with env 'dev'/'prod' every request goes to ${clientBase}/… and gets 404; baseUrl can be passed by hand meanwhile`,
        fix: `the hosts in core/src/contract.rs (and docs/events-api.md, Hosts)`,
      });
    }
  } else {
    ok('base path', `routes under ${clientBase}${R.base ? ` (servers: ${R.base})` : ' (paths written with the prefix)'}`, { contract: ['PROD_EVENTS_URL'], docs: /the `\/api\/v1` prefix and/ });
  }
  const fullOf = (b, rel) => normPath((b === '/' ? '' : b) + rel);
  const find = (ops, b, rel, method) => ops.find((o) => o.full === fullOf(b, rel) && o.method === method);
  const used = new Set();

  function locate(ops, b, r, side) {
    const hit = find(ops, b, r.rel, r.method);
    if (hit) used.add(hit);
    if (hit || side !== 'doc') return hit;
    // Not found: say what is there instead, so the reader sees the likely counterpart.
    const at = ops.filter((o) => o.full === fullOf(b, r.rel));
    const wanted = `${r.method.toUpperCase()} ${fullOf(b, r.rel)}`;
    let actual;
    if (at.length) actual = `that path has ${at.map((o) => o.method.toUpperCase()).join(', ')} only`;
    else {
      const last = segs(r.rel)[0];
      const near = ops.filter((o) => o.full.includes(`/${last}`) || (o.op.operationId || '').toLowerCase().includes(r.key));
      actual = near.length ? `not there; nearby: ${near.map((o) => `${o.method.toUpperCase()} ${o.shown}`).join(', ')}` : 'not there';
    }
    add({
      severity: r.optional ? 'note' : 'breaking', area: 'routes', title: `${wanted} is not in the document`, contract: r.contract, docs: r.docs,
      expected: wanted, actual,
      client: r.optional ? r.use : `${r.use} would get 404 (or 405) and fail: EventsApiError, not retried`,
    });
    return undefined;
  }

  const got = {};
  const mine = {};
  for (const r of routes) {
    got[r.key] = locate(R.ops, base, r, 'doc');
    mine[r.key] = locate(O.ops, clientBase, r, 'ours');
    if (got[r.key]) ok('routes', `${r.method.toUpperCase()} ${got[r.key].full}`, { contract: r.contract, docs: r.docs });
  }
  // The auth routes: in the auth document when one is given, else in the events one.
  const authDoc = auth || doc;
  const A = auth ? operations(auth) : R;
  let aBase = authBase;
  if (![...prefixesOf(A.ops, C('REFRESH_PATH'))].includes(normPath(authBase))) {
    const p = [...prefixesOf(A.ops, C('REFRESH_PATH'))];
    if (p.length === 1) aBase = p[0];
  }
  const authChecked = auth || find(R.ops, aBase, C('REFRESH_PATH'), 'post');
  for (const r of authRoutes) {
    if (!authChecked) {
      if (!r.optional) add({ severity: 'unchecked', area: 'auth service', title: `POST ${C('REFRESH_PATH')} and its bodies: not in this document; give the auth service's with AUTH_URL=`, contract: ['REFRESH_PATH', 'REFRESH_TOKEN_FIELD', 'TOKEN_FIELD'], docs: r.docs });
      continue;
    }
    got[r.key] = locate(A.ops, aBase, r, 'doc');
    mine[r.key] = find(O.ops, authBase, r.rel, r.method);
    if (got[r.key]) ok('auth service', `POST ${got[r.key].full}`, { contract: r.contract, docs: r.docs });
  }
  if (got.refresh && aBase !== authBase) {
    add({ severity: 'breaking', area: 'auth service', title: `the auth routes are under ${aBase}, not ${authBase}`, contract: ['PROD_AUTH_URL', 'DEV_AUTH_URL'], docs: /the `\/api\/v1` prefix and/, expected: `${authBase}${C('REFRESH_PATH')}`, actual: `${aBase}${C('REFRESH_PATH')}`, client: 'token renewal would get 404: the client fails with the 401 it was trying to cure' });
  }

  // -------------------------------------------------------- parameters
  const page = C('PAGE_PARAM');
  const pageSize = C('PAGE_SIZE_PARAM');
  if (got.query) {
    const ps = params(doc, got.query);
    const q = ps.filter((p) => p.in === 'query');
    const byName = (n) => q.find((p) => p.name === n);
    const ourPs = mine.query ? params(ours, mine.query) : [];
    for (const [name, cname, limitName, defName] of [[page, 'PAGE_PARAM', undefined, 'DEFAULT_PAGE'], [pageSize, 'PAGE_SIZE_PARAM', 'MAX_PAGE_SIZE', 'DEFAULT_PAGE_SIZE']]) {
      const p = byName(name);
      const pagingDocs = /^- `page`: 0-based/;
      if (!p) {
        const elsewhere = ps.find((x) => x.name === name);
        const alt = q.filter((x) => /^(page|pagesize|page_size|size|limit|offset|skip|perpage|per_page|take|cursor|pagenumber)$/i.test(x.name)).map((x) => x.name);
        add({
          severity: 'breaking', area: 'query parameters', title: `query parameter "${name}" is not in the document`, contract: [cname], docs: pagingDocs,
          expected: `${name} in the query string`, actual: elsewhere ? `"${name}" in: ${elsewhere.in}` : alt.length ? `paging parameters: ${alt.join(', ')}` : 'no paging parameter',
          client: name === page
            ? 'the client pages with ?page=; a server that ignores it answers page 0 every time: queryAll repeats the first page (duplicates) until total is reached'
            : 'the client asks for pageSize items; a server that ignores it uses its own page size, and queryAll may stop early (a short page means "last page" to it)',
        });
        continue;
      }
      const s = shape(doc, p.schema);
      const mineP = ourPs.find((x) => x.name === name);
      const ms = mineP ? shape(ours, mineP.schema) : undefined;
      const diffs = [];
      if (!s.types.has('integer') && !s.types.has('number') && s.types.size) diffs.push(`type ${typeList(s)}`);
      if (name === page && s.minimum !== undefined && s.minimum > C('DEFAULT_PAGE')) {
        add({ severity: 'breaking', area: 'query parameters', title: `"${page}" starts at ${s.minimum}: pages are ${s.minimum}-based`, contract: ['PAGE_PARAM', 'DEFAULT_PAGE'], docs: pagingDocs, expected: 'minimum 0 (0-based)', actual: `minimum ${s.minimum}`, client: 'the first request (page 0) gets 400, or the first page is skipped' });
        continue;
      }
      if (name === pageSize && s.maximum !== undefined && s.maximum < C('MAX_PAGE_SIZE')) {
        const broken = s.maximum < C('DEFAULT_PAGE_SIZE');
        add({
          severity: broken ? 'breaking' : 'differs', area: 'query parameters', title: `"${pageSize}" allows at most ${s.maximum}`, contract: ['MAX_PAGE_SIZE', 'DEFAULT_PAGE_SIZE'], docs: pagingDocs,
          expected: `maximum ${C('MAX_PAGE_SIZE')} (default ${C('DEFAULT_PAGE_SIZE')})`, actual: `maximum ${s.maximum}`,
          client: broken ? `queryEvents and queryAll without pageSize send ${C('DEFAULT_PAGE_SIZE')} and get 400` : `the client accepts pageSize up to ${C('MAX_PAGE_SIZE')}; larger than ${s.maximum} gets 400`,
        });
        continue;
      }
      if (name === pageSize && s.maximum !== undefined && s.maximum > C('MAX_PAGE_SIZE')) diffs.push(`maximum ${s.maximum} (the client refuses more than ${C('MAX_PAGE_SIZE')} before sending)`);
      if (s.default !== undefined && s.default !== C(defName)) diffs.push(`default ${s.default} (the client always sends it, so the default never applies)`);
      if (ms && s.default === undefined && ms.default !== undefined) { /* no default documented: the client always sends one */ }
      if (diffs.length) add({ severity: 'differs', area: 'query parameters', title: `"${name}": ${diffs.join('; ')}`, contract: [cname], docs: pagingDocs, client: diffs[0].startsWith('type') ? 'the client sends decimal digits' : 'nothing goes wrong' });
      else ok('query parameters', `?${name}= (${typeList(s)}${s.minimum !== undefined ? `, min ${s.minimum}` : ''}${s.maximum !== undefined ? `, max ${s.maximum}` : ''})`, { contract: [cname] });
    }
    for (const p of q) {
      if (p.name === page || p.name === pageSize) continue;
      if (p.required) add({ severity: 'breaking', area: 'query parameters', title: `query requires "${p.name}", which the client never sends`, contract: ['PAGE_PARAM', 'PAGE_SIZE_PARAM'], docs: /^- `page`: 0-based/, client: 'every query gets 400' });
      else add({ severity: 'unused', area: 'query parameters', title: `POST ${got.query.full}?${p.name}=${p.description ? ` — ${oneLine(p.description)}` : ''}` });
    }
    requiredHeaders(got.query, ps, 'query');
  }
  if (got.delete) {
    const ps = params(doc, got.delete);
    const coll = C('COLLECTION_PARAM');
    const p = ps.find((x) => x.name === coll && x.in === 'query');
    if (!p) {
      const other = ps.find((x) => x.name === coll) || ps.find((x) => x.in === 'path');
      add({
        severity: 'breaking', area: 'query parameters', title: `DELETE ${got.delete.full}: no "${coll}" query parameter`, contract: ['COLLECTION_PARAM'], docs: /^## Delete: `DELETE/,
        expected: `?${coll}=<name>`, actual: other ? `"${other.name}" in: ${other.in}` : ps.length ? ps.map((x) => `${x.name} (${x.in})`).join(', ') : 'no parameters',
        client: 'deleteEvents sends ?collection=; the service would refuse it (400) or, worse, not see which collection',
      });
    } else ok('query parameters', `DELETE ?${coll}=${p.required ? ' (required)' : ''}`, { contract: ['COLLECTION_PARAM'] });
    for (const x of ps.filter((x) => x.in === 'query' && x.name !== coll)) {
      add({ severity: x.required ? 'breaking' : 'unused', area: 'query parameters', title: x.required ? `delete requires "${x.name}", which the client never sends` : `DELETE ${got.delete.full}?${x.name}=`, client: x.required ? 'every delete gets 400' : undefined, contract: x.required ? ['COLLECTION_PARAM'] : [] });
    }
    requiredHeaders(got.delete, ps, 'delete');
  }
  if (got.create) {
    const ps = params(doc, got.create);
    const key = C('IDEMPOTENCY_HEADER');
    const h = ps.find((x) => x.in === 'header' && x.name.toLowerCase() === key.toLowerCase());
    const idemDocs = /same status and body as the first request with that key/;
    if (!h) {
      add({
        severity: 'differs', area: 'headers', title: `create: no "${key}" header in the document`, contract: ['IDEMPOTENCY_HEADER', 'IDEMPOTENCY_WINDOW_SECS'], docs: idemDocs,
        client: 'the client sends one key per chunk and resends it on retries; if the service ignores it, a retry after a lost answer stores that chunk twice (make smoke tells)',
      });
    } else {
      const s = shape(doc, h.schema);
      if (s.raw.maxLength !== undefined && s.raw.maxLength < C('MAX_IDEMPOTENCY_KEY_LEN')) {
        add({ severity: 'breaking', area: 'headers', title: `"${key}" at most ${s.raw.maxLength} characters`, contract: ['MAX_IDEMPOTENCY_KEY_LEN'], docs: /Optional header `Idempotency-Key/, expected: `up to ${C('MAX_IDEMPOTENCY_KEY_LEN')}`, actual: `maxLength ${s.raw.maxLength}`, client: 'keys are runId:from-to, up to 255 characters: a long runId gets 400 on every chunk' });
      } else ok('headers', `create takes "${h.name}"${s.raw.maxLength ? ` (up to ${s.raw.maxLength})` : ''}`, { contract: ['IDEMPOTENCY_HEADER'], docs: idemDocs });
    }
    requiredHeaders(got.create, ps, 'create');
  }
  function requiredHeaders(o, ps, what) {
    for (const x of ps.filter((p) => p.in === 'header' && p.required && !/^(authorization|content-type|idempotency-key)$/i.test(p.name))) {
      add({ severity: 'breaking', area: 'headers', title: `${what} requires header "${x.name}", which the client never sends`, client: `every ${what} gets 400`, contract: ['AUTHORIZATION_HEADER'] });
    }
    for (const x of ps.filter((p) => p.in === 'header' && !p.required && !/^(authorization|content-type|idempotency-key)$/i.test(p.name))) {
      add({ severity: 'unused', area: 'headers', title: `${o.method.toUpperCase()} ${o.full}: header ${x.name}${x.description ? ` — ${oneLine(x.description)}` : ''}` });
    }
  }

  // -------------------------------------------------------- the event (create body)
  const fields = C('EVENT_FIELDS');
  const serverFields = C('SERVER_FIELDS') || [];
  const fieldDocs = (f) => new RegExp('^\\| `' + f.replace(/[$]/g, '\\$') + '` \\|');
  if (got.create) {
    const body = requestSchema(doc, got.create);
    const mineBody = mine.create ? requestSchema(ours, mine.create) : undefined;
    const s = body ? shape(doc, body.schema) : undefined;
    const ms = mineBody ? shape(ours, mineBody.schema) : undefined;
    const bodyDocs = /^- Body: a JSON array of 1 to/;
    let item;
    if (!s) {
      add({ severity: 'unchecked', area: 'create body', title: 'create: the document gives no request body', contract: ['EVENT_FIELDS'], docs: bodyDocs });
    } else if (!s.types.has('array')) {
      const arrayProp = Object.entries(s.props).find(([, v]) => shape(doc, v).types.has('array'));
      add({
        severity: 'breaking', area: 'create body', title: `create body is ${typeList(s)}${s.title ? ` (${s.title})` : ''}, not an array of events`, contract: ['EVENT_FIELDS'], docs: bodyDocs,
        expected: '[ {event}, … ]', actual: arrayProp ? `{ "${arrayProp[0]}": [ … ] }` : typeList(s),
        client: 'createEvents sends a bare JSON array: every create gets 400',
      });
      if (arrayProp) item = shape(doc, shape(doc, arrayProp[1]).items);
    } else {
      item = shape(doc, s.items);
      const max = s.maxItems;
      if (max !== undefined && max < C('MAX_EVENTS_PER_REQUEST')) {
        const broken = max < C('DEFAULT_CHUNKSIZE');
        add({
          severity: broken ? 'breaking' : 'differs', area: 'create body', title: `create takes at most ${max} events`, contract: ['MAX_EVENTS_PER_REQUEST', 'DEFAULT_CHUNKSIZE'], docs: bodyDocs,
          expected: `up to ${C('MAX_EVENTS_PER_REQUEST')} (chunks of ${C('DEFAULT_CHUNKSIZE')} by default)`, actual: `maxItems ${max}`,
          client: broken ? `default chunks of ${C('DEFAULT_CHUNKSIZE')} get 400 (or 413, then split until small enough: slow)` : `a chunksize above ${max} gets 400 (or 413 and splits)`,
        });
      } else ok('create body', `an array of events${max !== undefined ? ` (maxItems ${max})` : ''}`, { contract: ['MAX_EVENTS_PER_REQUEST'], docs: bodyDocs });
    }
    if (item) compareEvent(item, ms && ms.items ? shape(ours, ms.items) : undefined, 'create body', 'create');
  }

  function compareEvent(item, mineItem, area, what, { stored = false } = {}) {
    if (!Object.keys(item.props).length) {
      add({ severity: 'unchecked', area, title: `${what}: the event schema lists no properties${item.title ? ` (${item.title})` : ''}`, contract: ['EVENT_FIELDS'], docs: /^## The event/ });
      return;
    }
    const names = stored ? [...serverFields, ...fields] : fields;
    const ourReq = mineItem ? mineItem.required : new Set();
    const matched = [];
    for (const f of names) {
      const p = item.props[f];
      const isServer = serverFields.includes(f);
      const docs = isServer ? /^A stored event also carries `id`/ : fieldDocs(f);
      if (!p) {
        const similar = Object.keys(item.props).find((k) => k.toLowerCase().replace(/[_-]/g, '') === f.toLowerCase().replace(/[_-]/g, '') || (f === 'id' && k === '_id'));
        const required = ourReq.has(f);
        add({
          severity: stored ? 'differs' : required ? 'breaking' : 'differs', area, title: `${what}: no field "${f}"${similar ? ` (the document has "${similar}")` : ''}`,
          contract: [isServer ? 'SERVER_FIELDS' : 'EVENT_FIELDS'], docs, expected: f, actual: similar || 'absent',
          client: stored
            ? `events come back without "${f}"${similar ? ` (as "${similar}")` : ''}; callers and filters/sorts on "${f}" see nothing`
            : required
              ? `the client requires "${f}" in every event and sends it; the service would reject (400) or drop it${similar ? `, and the client refuses "${similar}" as an unknown field` : ''}`
              : `events with "${f}" are sent with it; the service would reject (400) or drop it`,
        });
        continue;
      }
      const s = shape(doc, p);
      const m = mineItem && mineItem.props[f] ? shape(ours, mineItem.props[f]) : undefined;
      const probs = [];
      let sev = 'differs';
      if (s.types.size && !s.types.has('string')) {
        probs.push(`type ${typeList(s)}, not string`);
        sev = 'breaking';
      } else if (s.types.size > 1 && m && typeList(s) !== typeList(m)) probs.push(`type ${typeList(s)} (ours ${typeList(m)})`);
      if (!stored) {
        const theirReq = item.required.has(f);
        if (theirReq && !ourReq.has(f) && mineItem) {
          probs.push('required by the service, optional for the client');
          sev = 'breaking';
        } else if (!theirReq && ourReq.has(f)) probs.push('optional for the service, required by the client');
      }
      // `date-time` is RFC 3339's date-time, the contract's format, whether or not our
      // document says so; another format is a difference.
      if (s.format && s.format !== 'date-time' && s.format !== m?.format) probs.push(`format ${s.format}${m?.format ? ` (ours ${m.format})` : ''}`);
      if (probs.length) {
        const breakingWhy = probs.find((p) => p.startsWith('type')) ? 'the client requires a string and sends one: the service would refuse it (400)' : 'events without it pass the client\'s validation and get 400 from the service';
        add({
          severity: sev, area, title: `${what}: "${f}": ${probs.join('; ')}`, contract: [isServer ? 'SERVER_FIELDS' : 'EVENT_FIELDS'], docs,
          client: sev === 'breaking' ? breakingWhy : probs.some((p) => p.startsWith('format')) ? (stored ? 'callers get this field in that format, not an RFC 3339 date-time' : 'the client requires and sends RFC 3339 date-times with an offset; the service may refuse them (400)') : 'the client is stricter than needed; nothing fails',
        });
      } else matched.push(f);
    }
    if (matched.length) ok(area, `${what}: ${matched.join(', ')}`, { contract: [stored ? 'SERVER_FIELDS' : 'EVENT_FIELDS'] });
    for (const [k] of Object.entries(item.props)) {
      if (names.includes(k)) continue;
      const required = item.required.has(k);
      if (stored) add({ severity: 'unused', area, title: `${what}: field "${k}" (passed through to callers as is)` });
      else if (required) add({ severity: 'breaking', area, title: `${what}: the service requires "${k}", which the contract does not know`, contract: ['EVENT_FIELDS'], docs: /No other fields are accepted/, client: `the client refuses "${k}" in an event as an unknown field, so no create can succeed` });
      else add({ severity: 'unused', area, title: `${what}: optional field "${k}" (the client refuses it as an unknown field)`, contract: ['EVENT_FIELDS'] });
    }
  }

  // -------------------------------------------------------- answers
  const errorDocs = /Every error body is JSON in the shape that NestJS/;
  function answers(key, o, m, { successDocs, read }) {
    const rs = responses(doc, o);
    const ms = m ? responses(ours, m) : {};
    const ok2 = successCodes(rs);
    const ourOk = successCodes(ms);
    let success;
    if (!ok2.length) {
      add({ severity: 'unchecked', area: `${key} answer`, title: `${key}: the document gives no 2xx answer`, contract: read.contract, docs: successDocs });
    } else {
      const code = ok2[0];
      success = rs[code];
      if (ourOk.length && !ok2.includes(ourOk[0])) {
        add({
          severity: code === '204' ? 'breaking' : 'differs', area: `${key} answer`, title: `${key} answers ${ok2.join('/')}, not ${ourOk.join('/')}`, contract: read.contract, docs: successDocs,
          expected: ourOk.join('/'), actual: ok2.join('/'),
          client: code === '204' ? `the client parses a JSON body out of every 2xx: an empty 204 fails with "the answer is not JSON"` : `the client takes any 2xx as success (${disposition(Number(code.replace(/X/gi, '0'))).variant}); nothing goes wrong`,
        });
      } else ok(`${key} answer`, `${key} answers ${ok2.join('/')}`, { contract: read.contract });
    }
    if (success) read.check(success, ms[ourOk[0]]);
    // Statuses: what the service documents that we do not, and the other way round.
    const codes = Object.keys(rs).filter((c) => /^[45]\d\d$/.test(c));
    const ourCodes = Object.keys(ms).filter((c) => /^[45]\d\d$/.test(c));
    for (const c of codes.filter((c) => !ourCodes.includes(c))) {
      const d = disposition(Number(c));
      const rowRe = new RegExp('^\\| [^|]*\\b' + c + '\\b');
      const idem = c === '409' || c === '422' ? ' (the contract: 409 while the same Idempotency-Key is in flight, 422 for a key reused with another body)' : '';
      const row = docsLines.find((l) => rowRe.test(l));
      const says = row ? row.split('|').map((x) => x.trim()).filter(Boolean).pop() : undefined;
      add({
        severity: 'differs', area: 'statuses', title: `${key} may answer ${c}${rs[c].description ? ` — ${oneLine(rs[c].description)}` : ''}`, docs: rowRe,
        client: `${d.variant} (core/src/retry.rs): ${d.says}${says ? ` The contract's Errors table says: retry? ${says}.` : ''}${idem}`,
      });
    }
    const undocumented = ourCodes.filter((c) => !codes.includes(c));
    if (undocumented.length) {
      add({
        severity: 'note', area: 'statuses',
        title: `${key}: ${undocumented.join(', ')} not documented by the service${codes.length ? '' : ' (it documents no error status: NestJS lists only what @ApiResponse declares)'}`,
        client: `if they come, the client: ${undocumented.map((c) => `${c} ${disposition(Number(c)).variant}`).join(', ')} (core/src/retry.rs)`,
        docs: /^\| status \| meaning/,
      });
    }
    if (codes.length || ourCodes.length) {
      const same = codes.filter((c) => ourCodes.includes(c));
      if (same.length) ok('statuses', `${key}: ${same.join(', ')}`);
    }
    // Error bodies: the first documented 4xx with a schema.
    const errCode = codes.find((c) => rs[c].schema) || (rs.default?.schema ? 'default' : undefined);
    if (errCode) {
      const e = shape(doc, rs[errCode].schema);
      const msg = C('ERROR_MESSAGE_FIELD');
      if (!Object.keys(e.props).length) add({ severity: 'unchecked', area: 'errors', title: `${key}: the ${errCode} body lists no fields`, contract: ['ERROR_MESSAGE_FIELD'], docs: errorDocs });
      else if (!e.props[msg]) add({ severity: 'differs', area: 'errors', title: `${key}: the error body (${errCode}) has no "${msg}" (fields: ${Object.keys(e.props).join(', ')})`, contract: ['ERROR_MESSAGE_FIELD', 'ERROR_STATUS_FIELD', 'ERROR_ERROR_FIELD'], docs: errorDocs, client: 'EventsApiError.serverMessage stays empty: the service\'s reasons are not shown' });
      else ok('errors', `${key}: error body has "${msg}"`, { contract: ['ERROR_MESSAGE_FIELD'] });
    } else if (codes.length) add({ severity: 'unchecked', area: 'errors', title: `${key}: error answers have no schema (the NestJS shape is assumed)`, contract: ['ERROR_MESSAGE_FIELD'], docs: errorDocs });
    // Headers worth knowing.
    for (const c of Object.keys(rs)) {
      const mc = ms[c] || (/^2/.test(c) ? ms[ourOk[0]] : undefined);
      for (const h of Object.values(rs[c].headers)) {
        const known = mc?.headers?.[h.toLowerCase()];
        if (!known && !/^(retry-after)$/i.test(h)) add({ severity: 'unused', area: 'headers', title: `${key} ${c}: response header ${h}` });
      }
    }
    return rs;
  }

  const createDocs = /^- `201 \{"created"/;
  if (got.create) {
    answers('create', got.create, mine.create, {
      successDocs: createDocs,
      read: {
        contract: ['CREATED_FIELD', 'IDS_FIELD'],
        check: (resp) => {
          const s = resp.schema ? shape(doc, resp.schema) : undefined;
          if (!s) return add({ severity: 'unchecked', area: 'create answer', title: 'create: the 2xx answer has no schema', contract: ['IDS_FIELD', 'CREATED_FIELD'], docs: createDocs });
          if (s.types.has('array') && !s.types.has('object')) {
            return add({ severity: 'breaking', area: 'create answer', title: 'create answers an array, not {created, ids}', contract: ['IDS_FIELD', 'CREATED_FIELD'], docs: createDocs, expected: '{ "created": n, "ids": [ … ] }', actual: `[ ${shape(doc, s.items).title || 'item'} … ]`, client: 'every chunk fails with "unexpected create answer: no ids" although the service stored it (a resume with runId would store nothing twice only if Idempotency-Key is honoured)' });
          }
          const ids = s.props[C('IDS_FIELD')];
          if (!ids) add({ severity: 'breaking', area: 'create answer', title: `create answer has no "${C('IDS_FIELD')}" (fields: ${Object.keys(s.props).join(', ') || 'none listed'})`, contract: ['IDS_FIELD'], docs: createDocs, client: 'every chunk fails with "unexpected create answer: no ids" although the service stored it' });
          else if (!shape(doc, ids).types.has('array')) add({ severity: 'breaking', area: 'create answer', title: `"${C('IDS_FIELD')}" is ${typeList(shape(doc, ids))}, not an array`, contract: ['IDS_FIELD'], docs: createDocs, client: 'every chunk fails with "unexpected create answer: no ids"' });
          else ok('create answer', `"${C('IDS_FIELD')}": array`, { contract: ['IDS_FIELD'] });
          if (!s.props[C('CREATED_FIELD')]) add({ severity: 'differs', area: 'create answer', title: `create answer has no "${C('CREATED_FIELD')}"`, contract: ['CREATED_FIELD'], docs: createDocs, client: 'nothing fails: the client counts the ids' });
          else ok('create answer', `"${C('CREATED_FIELD')}"`, { contract: ['CREATED_FIELD'] });
          for (const k of Object.keys(s.props)) if (k !== C('IDS_FIELD') && k !== C('CREATED_FIELD')) add({ severity: 'unused', area: 'create answer', title: `create answer field "${k}"` });
        },
      },
    });
  }

  const queryDocs = /^- `200 \{"items"/;
  if (got.query) {
    const body = requestSchema(doc, got.query);
    const mineBody = mine.query ? requestSchema(ours, mine.query) : undefined;
    const qDocs = /^- Body \(every key optional\)/;
    if (!body) add({ severity: 'differs', area: 'query body', title: 'query: the document gives no request body', docs: qDocs, client: 'the client sends the caller\'s filter, sort and dates as a JSON body; a service that ignores it returns every event' });
    else {
      const s = shape(doc, body.schema);
      const ms = mineBody ? shape(ours, mineBody.schema) : undefined;
      const ourKeys = ms ? Object.keys(ms.props) : [];
      const missing = ourKeys.filter((k) => !(k in s.props));
      if (Object.keys(s.props).length === 0) add({ severity: 'unchecked', area: 'query body', title: 'query body lists no properties', docs: qDocs });
      else {
        if (missing.length) add({ severity: 'differs', area: 'query body', title: `query body has no ${missing.map((k) => `"${k}"`).join(', ')}`, docs: qDocs, expected: ourKeys.join(', '), actual: Object.keys(s.props).join(', '), client: 'the client passes the caller\'s body as is: a seed-shaped query using these keys would be refused (400) or ignored (wrong results)' });
        const present = ourKeys.filter((k) => k in s.props);
        if (present.length) ok('query body', present.join(', '));
        for (const k of Object.keys(s.props).filter((k) => !ourKeys.includes(k))) add({ severity: 'unused', area: 'query body', title: `query body key "${k}" (callers may pass it: the body goes through as is)` });
        for (const k of [...s.required].filter((k) => !(ms?.required.has(k)))) add({ severity: 'differs', area: 'query body', title: `query body requires "${k}"`, docs: qDocs, client: `queryEvents()/queryAll() without "${k}" (an empty body is {}) get 400` });
      }
    }
    answers('query', got.query, mine.query, {
      successDocs: queryDocs,
      read: {
        contract: ['ITEMS_FIELD', 'TOTAL_FIELD', 'PAGE_PARAM', 'PAGE_SIZE_PARAM'],
        check: (resp, mineResp) => {
          const s = resp.schema ? shape(doc, resp.schema) : undefined;
          if (!s) return add({ severity: 'unchecked', area: 'query answer', title: 'query: the 2xx answer has no schema', contract: ['ITEMS_FIELD', 'TOTAL_FIELD'], docs: queryDocs });
          const itemsName = C('ITEMS_FIELD');
          const describe = (sh, depth = 0) => Object.entries(sh.props).map(([k, v]) => {
            const x = shape(doc, v);
            return x.types.has('object') && Object.keys(x.props).length && depth < 1 ? `${k}: {${describe(x, depth + 1)}}` : x.types.has('array') ? `${k}: [ ]` : k;
          }).join(', ');
          if (s.types.has('array') && !s.types.has('object')) {
            add({ severity: 'breaking', area: 'query answer', title: 'query answers a bare array: a different pagination shape', contract: ['ITEMS_FIELD', 'TOTAL_FIELD'], docs: queryDocs, expected: '{ items, page, pageSize, total }', actual: '[ … ]', client: 'every queryEvents and queryAll fails with "the query answer has no items"' });
            return;
          }
          const items = s.props[itemsName];
          if (!items || !shape(doc, items).types.has('array')) {
            add({
              severity: 'breaking', area: 'query answer', title: `query answer has no "${itemsName}" array: a different pagination shape`, contract: ['ITEMS_FIELD', 'TOTAL_FIELD', 'PAGE_PARAM', 'PAGE_SIZE_PARAM'], docs: queryDocs,
              expected: '{ items: [ ], page, pageSize, total }', actual: `{ ${describe(s)} }`,
              client: 'every queryEvents and queryAll fails with "the query answer has no items"',
            });
          } else {
            ok('query answer', `"${itemsName}": array`, { contract: ['ITEMS_FIELD'] });
            const ev = shape(doc, shape(doc, items).items);
            const mineItems = mineResp?.schema ? shape(ours, shape(ours, mineResp.schema).props[itemsName]) : undefined;
            compareEvent(ev, mineItems?.items ? shape(ours, mineItems.items) : undefined, 'query answer', 'stored event', { stored: true });
          }
          const total = C('TOTAL_FIELD');
          if (!s.props[total]) {
            const alt = Object.keys(s.props).filter((k) => /count|total/i.test(k));
            add({ severity: 'differs', area: 'query answer', title: `query answer has no "${total}"${alt.length ? ` (has ${alt.join(', ')})` : ''}`, contract: ['TOTAL_FIELD'], docs: queryDocs, client: `queryEvents resolves total: undefined; queryAll still ends, at the first short page (one more request when the last page is full)` });
          } else ok('query answer', `"${total}"`, { contract: ['TOTAL_FIELD'] });
          for (const [k, cn] of [[page, 'PAGE_PARAM'], [pageSize, 'PAGE_SIZE_PARAM']]) {
            if (!s.props[k]) add({ severity: 'differs', area: 'query answer', title: `query answer has no "${k}"`, contract: [cn], docs: queryDocs, client: `queryEvents resolves ${k}: undefined; paging itself is unaffected` });
            else ok('query answer', `"${k}"`, { contract: [cn] });
          }
          const cursor = Object.keys(s.props).filter((k) => /cursor|^next|hasmore|hasnext|continuation/i.test(k));
          if (cursor.length) add({ severity: 'differs', area: 'query answer', title: `query answer has cursor paging: ${cursor.join(', ')}`, contract: ['PAGE_PARAM'], docs: queryDocs, client: 'queryAll pages by number (?page=); if numbers are not honoured next to a cursor, pages repeat' });
          for (const k of Object.keys(s.props)) if (![itemsName, total, page, pageSize, ...cursor].includes(k)) add({ severity: 'unused', area: 'query answer', title: `query answer field "${k}" (dropped by queryEvents)` });
        },
      },
    });
  }

  const deleteDocs = /^- `200 \{"deleted"/;
  if (got.delete) {
    answers('delete', got.delete, mine.delete, {
      successDocs: deleteDocs,
      read: {
        contract: ['DELETED_FIELD'],
        check: (resp) => {
          if (!resp.schema) {
            if (!resp.contentType) add({ severity: 'breaking', area: 'delete answer', title: 'delete answers without a body', contract: ['DELETED_FIELD'], docs: deleteDocs, client: 'deleteEvents parses a JSON body: it fails with "the answer is not JSON" although the collection was deleted' });
            else add({ severity: 'unchecked', area: 'delete answer', title: 'delete: the 2xx answer has no schema', contract: ['DELETED_FIELD'], docs: deleteDocs });
            return;
          }
          const s = shape(doc, resp.schema);
          const d = C('DELETED_FIELD');
          if (!s.props[d]) {
            const alt = Object.keys(s.props).filter((k) => /count|deleted/i.test(k));
            add({ severity: 'differs', area: 'delete answer', title: `delete answer has no "${d}"${alt.length ? ` (has ${alt.join(', ')})` : ` (fields: ${Object.keys(s.props).join(', ') || 'none listed'})`}`, contract: ['DELETED_FIELD'], docs: deleteDocs, client: 'deleteEvents resolves { deleted: undefined }: the collection is deleted, the count is lost' });
          } else ok('delete answer', `"${d}"`, { contract: ['DELETED_FIELD'] });
        },
      },
    });
  }

  // -------------------------------------------------------- auth (bearer)
  const bearerDocs = /^- Every request carries `Authorization: Bearer/;
  for (const key of ['create', 'query', 'delete']) {
    if (!got[key]) continue;
    const sec = securityOf(doc, got[key]);
    if (!sec.length) {
      add({ severity: 'note', area: 'auth', title: `${key}: the document declares no security (NestJS documents it only with @ApiBearerAuth)`, contract: ['AUTHORIZATION_HEADER', 'BEARER_PREFIX'], docs: bearerDocs });
      continue;
    }
    const kinds = sec.map(({ name, scheme }) => {
      const t = (scheme.type || '').toLowerCase();
      if (t === 'http' && (scheme.scheme || '').toLowerCase() === 'bearer') return { name, ok: true, what: 'http bearer' };
      if (t === 'oauth2' || t === 'openidconnect') return { name, ok: true, what: `${t} (a bearer token)` };
      if (t === 'apikey' && scheme.in === 'header' && /^authorization$/i.test(scheme.name || '')) return { name, ok: true, what: 'apiKey in Authorization' };
      return { name, ok: false, what: `${t || 'unknown'}${scheme.in ? ` in ${scheme.in}` : ''}${scheme.name ? ` "${scheme.name}"` : ''}${t === 'http' ? ` scheme ${scheme.scheme}` : ''}` };
    });
    if (kinds.some((k) => k.ok)) ok('auth', `${key}: ${kinds.filter((k) => k.ok).map((k) => k.what).join(', ')}`, { contract: ['AUTHORIZATION_HEADER', 'BEARER_PREFIX'] });
    else add({ severity: 'breaking', area: 'auth', title: `${key}: authenticated by ${kinds.map((k) => k.what).join(' or ')}, not a bearer token`, contract: ['AUTHORIZATION_HEADER', 'BEARER_PREFIX'], docs: bearerDocs, client: 'the client sends Authorization: Bearer <token> only: every request gets 401' });
  }

  // -------------------------------------------------------- the auth service's bodies
  const refreshDocs = /^- Refresh: `POST \{auth\}/;
  if (got.refresh) {
    const body = requestSchema(authDoc, got.refresh);
    const rf = C('REFRESH_TOKEN_FIELD');
    const tf = C('TOKEN_FIELD');
    const similarTo = (props, f) => Object.keys(props).find((k) => k.toLowerCase().replace(/[_-]/g, '') === f.toLowerCase() || /refresh/i.test(k) === /refresh/i.test(f) && /token/i.test(k));
    if (!body) add({ severity: 'unchecked', area: 'auth service', title: 'refresh: the document gives no request body', contract: ['REFRESH_TOKEN_FIELD'], docs: refreshDocs });
    else {
      const s = shape(authDoc, body.schema);
      if (!s.props[rf]) add({ severity: 'breaking', area: 'auth service', title: `refresh body has no "${rf}"${similarTo(s.props, rf) ? ` (the document has "${similarTo(s.props, rf)}")` : ''}`, contract: ['REFRESH_TOKEN_FIELD'], docs: refreshDocs, expected: `{ "${rf}": … }`, actual: `{ ${Object.keys(s.props).join(', ')} }`, client: 'token renewal gets 400: once the access token expires every call fails with 401' });
      else ok('auth service', `refresh body "${rf}"`, { contract: ['REFRESH_TOKEN_FIELD'] });
      for (const k of [...s.required].filter((k) => k !== rf)) add({ severity: 'breaking', area: 'auth service', title: `refresh requires "${k}", which the client never sends`, contract: ['REFRESH_TOKEN_FIELD'], docs: refreshDocs, client: 'token renewal gets 400' });
    }
    const rs = responses(authDoc, got.refresh);
    const okCodes = successCodes(rs);
    const resp = okCodes.length ? rs[okCodes[0]] : undefined;
    if (!resp || !resp.schema) add({ severity: 'unchecked', area: 'auth service', title: 'refresh: the 2xx answer has no schema', contract: ['TOKEN_FIELD'], docs: refreshDocs });
    else {
      const s = shape(authDoc, resp.schema);
      if (!s.props[tf]) add({ severity: 'breaking', area: 'auth service', title: `refresh answer has no "${tf}"${similarTo(s.props, tf) ? ` (the document has "${similarTo(s.props, tf)}")` : ''}`, contract: ['TOKEN_FIELD'], docs: refreshDocs, expected: `{ "${tf}", "${rf}"? }`, actual: `{ ${Object.keys(s.props).join(', ')} }`, client: 'renewal fails with AuthError "the token refresh answer has no \\"token\\" string"' });
      else ok('auth service', `refresh answer "${tf}"`, { contract: ['TOKEN_FIELD'] });
      if (!s.props[rf]) add({ severity: 'note', area: 'auth service', title: `refresh answer has no "${rf}"`, contract: ['REFRESH_TOKEN_FIELD'], docs: refreshDocs, client: 'the client keeps the old refresh token (the contract allows it)' });
      else ok('auth service', `refresh answer "${rf}"`, { contract: ['REFRESH_TOKEN_FIELD'] });
    }
  }
  if (got.login) {
    const body = requestSchema(authDoc, got.login);
    const want = ['LOGIN_USERNAME_FIELD', 'LOGIN_PASSWORD_FIELD', 'LOGIN_ORGANIZATION_FIELD'].map(C).filter(Boolean);
    const s = body ? shape(authDoc, body.schema) : undefined;
    const miss = s ? want.filter((f) => !s.props[f]) : want;
    if (miss.length) add({ severity: 'note', area: 'auth service', title: `login body has no ${miss.map((f) => `"${f}"`).join(', ')}${s ? ` (fields: ${Object.keys(s.props).join(', ')})` : ''}`, contract: ['LOGIN_USERNAME_FIELD', 'LOGIN_ORGANIZATION_FIELD'], docs: /the emulator offers `POST \{auth\}/, client: 'nothing: the client never logs in (only the emulator\'s login is ours)' });
    else ok('auth service', `login body ${want.join(', ')}`, { contract: ['LOGIN_USERNAME_FIELD'] });
  }

  // -------------------------------------------------------- the contract's Errors table against the client
  // Not about the service: whether core/src/retry.rs does what docs/events-api.md says
  // for each status, so that a difference found above is read against the right code.
  for (const [i, line] of docsLines.entries()) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/^\d{3}(,|$)/.test(cells[1])) continue;
    const says = cells[3];
    const want = /after a refresh/i.test(says) ? /^RefreshThenRetryOnce$/ : /split/i.test(says) ? /^Split$/ : /without compression/i.test(says) ? /^SendPlain$/ : /^yes/i.test(says) ? /Retry/ : /^no\b/i.test(says) ? /^Fail$/ : undefined;
    if (!want) continue;
    for (const code of cells[1].split(',').map((c) => c.trim()).filter((c) => /^\d{3}$/.test(c))) {
      const d = disposition(Number(code));
      if (d.variant === 'unknown' || (want.test(d.variant) && !(want.source === 'Retry' && d.variant === 'RefreshThenRetryOnce'))) continue;
      add({
        severity: 'note', area: 'contract vs client', title: `${code}: the contract says "${says}", the client does ${d.variant}`, docs: new RegExp('^' + line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'),
        client: `${d.says} (classify_status in core/src/retry.rs)`,
      });
    }
  }

  // -------------------------------------------------------- what the service has that we do not use
  for (const o of R.ops) {
    if (used.has(o)) continue;
    if (/\/__emulator\//.test(o.full) || /\/docs(-json|-yaml)?$/.test(o.full)) continue;
    if (got.login === o || got.refresh === o) continue;
    add({ severity: 'unused', area: 'routes', title: `${o.method.toUpperCase()} ${o.shown}${o.op.summary ? ` — ${oneLine(o.op.summary)}` : o.op.operationId ? ` (${o.op.operationId})` : ''}` });
  }

  const breaking = findings.filter((f) => f.severity === 'breaking').length;
  return {
    findings,
    breaking,
    differs: findings.filter((f) => f.severity === 'differs').length,
    real: { version: doc.openapi || doc.swagger || '?', title: doc.info?.title, base: R.base, serviceBase: base },
    auth: auth ? { version: auth.openapi || auth.swagger || '?', title: auth.info?.title } : undefined,
  };
}

function oneLine(s) {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length > 100 ? t.slice(0, 97) + '…' : t;
}

// ------------------------------------------------------------------ the report

const MARK = { ok: '✓', breaking: '✗', differs: '≠', note: '·', unchecked: '?', unused: '+' };

export function formatReport(result, { from, authFrom } = {}) {
  const out = [];
  const f = result.findings;
  out.push(`contract-check: ${from} (${result.real.title || 'untitled'}, OpenAPI ${result.real.version}${result.real.base ? `, servers ${result.real.base}` : ''})`);
  if (authFrom) out.push(`               auth: ${authFrom} (${result.auth?.title || 'untitled'}, OpenAPI ${result.auth?.version})`);
  out.push('compared with: core/src/contract.rs (names), core/src/retry.rs (statuses), emulator/src/openapi.json (shapes), docs/events-api.md (quoted)');
  const section = (title, list, long) => {
    if (!list.length) return;
    out.push('', `${title} (${list.length})`);
    for (const x of list) {
      out.push(`  ${MARK[x.severity]} ${long ? `${x.severity.toUpperCase().padEnd(9)} ` : ''}[${x.area}] ${x.title}`);
      if (!long) continue;
      if (x.expected !== undefined || x.actual !== undefined) out.push(`      we assume: ${x.expected ?? '—'}    the document: ${x.actual ?? '—'}`);
      if (x.client) out.push(`      the client: ${x.client}`);
      for (const c of x.contract || []) {
        const v = Array.isArray(c.value) ? `[${c.value.join(', ')}]` : JSON.stringify(c.value);
        out.push(`      ${c.file}:${c.line} ${c.name} = ${v.length > 60 ? v.slice(0, 57) + '…' : v}${c.assumed ? '  (ASSUMED)' : ''} — ${oneLine(c.doc)}`);
      }
      if (x.docs) out.push(`      ${x.docs.file}:${x.docs.line}${x.docs.endLine > x.docs.line ? `-${x.docs.endLine}` : ''}${x.docs.assumed ? ' (ASSUMED)' : ''}: "${x.docs.text.length > 220 ? x.docs.text.slice(0, 217) + '…' : x.docs.text}"`);
      if (x.fix) out.push(`      change: ${x.fix}`);
    }
  };
  section('Matches', f.filter((x) => x.severity === 'ok'), false);
  section('Differences', f.filter((x) => x.severity === 'breaking' || x.severity === 'differs'), true);
  section('Notes and unchecked', f.filter((x) => x.severity === 'note' || x.severity === 'unchecked'), true);
  section('The service has, the client does not use', f.filter((x) => x.severity === 'unused'), false);
  out.push('');
  const n = (s) => f.filter((x) => x.severity === s).length;
  out.push(`summary: ${n('ok')} match, ${n('breaking')} breaking, ${n('differs')} other differences, ${n('note') + n('unchecked')} notes, ${n('unused')} unused`);
  out.push(result.breaking
    ? 'result: the client would break against this service (exit 1). Fix core/src/contract.rs, docs/events-api.md and the emulator together, for each line above.'
    : n('differs') ? 'result: nothing here breaks the client (exit 0); review the differences above.' : 'result: no differences (exit 0).');
  return out.join('\n');
}

// ------------------------------------------------------------------ command line

export async function run(argv, { root = ROOT, env = process.env, fetchImpl } = {}) {
  const opts = { url: env.URL || undefined, authUrl: env.AUTH_URL || undefined, json: false, emulatorDoc: join(root, 'emulator/src/openapi.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--url') opts.url = argv[++i];
    else if (a === '--auth-url') opts.authUrl = argv[++i];
    else if (a === '--emulator-doc') opts.emulatorDoc = argv[++i];
    else if (a === '-h' || a === '--help') return { code: 0, text: usage() };
    else if (!a.startsWith('-') && !opts.urlFromArg) (opts.url = a), (opts.urlFromArg = true);
    else return { code: 2, text: `contract-check: unknown argument ${a}\n${usage()}` };
  }
  if (!opts.url) return { code: 2, text: usage() };
  let contract;
  let disposition;
  let docsLines;
  let ours;
  try {
    contract = readContract(root);
    disposition = readDispositions(root);
    docsLines = readDocsLines(root);
    ours = JSON.parse(readFileSync(opts.emulatorDoc, 'utf8'));
  } catch (e) {
    return { code: 2, text: `contract-check: ${e.message}` };
  }
  let real;
  let auth;
  try {
    real = await loadDocument(opts.url, contract, { fetchImpl });
    if (opts.authUrl) auth = await loadDocument(opts.authUrl, contract, { fetchImpl });
  } catch (e) {
    return { code: 2, text: `contract-check: ${e.message}` };
  }
  const result = compare({ real: real.doc, auth: auth?.doc, ours, contract, disposition, docsLines, from: real.from });
  const text = opts.json ? JSON.stringify({ from: real.from, authFrom: auth?.from, ...result }, null, 2) : formatReport(result, { from: real.from, authFrom: auth?.from });
  return { code: result.breaking ? 1 : 0, text, result };
}

function usage() {
  return [
    'usage: make contract-check URL=<document> [AUTH_URL=<auth document>]',
    '       node scripts/contract-check.mjs <document> [--auth-url <auth document>] [--json]',
    '  <document>: a URL (…/api/docs-json, …/api/docs, an origin or base URL), a JSON file,',
    '              or dev | prod (the Events API hosts of core/src/contract.rs);',
    '              AUTH_URL also takes auth-dev | auth-prod.',
    '  exit 0: nothing breaks the client; 1: something would; 2: no document.',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { code, text } = await run(process.argv.slice(2));
  (code === 2 ? process.stderr : process.stdout).write(text + '\n');
  process.exitCode = code;
}
