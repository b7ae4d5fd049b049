// The query body of `export` and `query`: a --query JSON file ({ filter, sort,
// beforeDate, afterDate }, as the client's queryEvents takes) and --collection on top.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.mjs';

export const queryOptions = {
  collection: { type: 'string' },
  query: { type: 'string' },
};

export const queryHelp = `  --collection C                only the events of collection C
  --query FILE                  a JSON query: {"filter", "sort", "beforeDate", "afterDate"}
                                (as queryEvents takes; --collection is added to its filter,
                                not to one that names a collection already)`;

export function queryBody(values, command) {
  let body = {};
  if (values.query !== undefined) {
    let text;
    try {
      text = readFileSync(values.query, 'utf8');
    } catch (e) {
      throw new UsageError(`--query ${values.query}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, command);
    }
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--query ${values.query}: not JSON (${e.message})`, command);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new UsageError(`--query ${values.query}: a JSON object is needed`, command);
    }
  }
  if (values.collection !== undefined) {
    // Added to the filter: one that already names a collection would be replaced, and
    // the query would read another set than the file says.
    if (body.filter !== null && typeof body.filter === 'object' && 'collection' in body.filter) {
      throw new UsageError(`--query ${values.query} filters on collection already: give the collection there or in --collection, not both`, command);
    }
    body = { ...body, filter: { ...body.filter, collection: values.collection } };
  }
  return body;
}
