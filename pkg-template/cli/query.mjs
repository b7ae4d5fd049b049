// `genomcore-events query`: one page of matching events, a table on a terminal.
import { commonHelp, intOption, parse, positionals } from './args.mjs';
import { connect } from './connect.mjs';
import { colours, int, table } from './output.mjs';
import { queryBody, queryHelp, queryOptions } from './query-body.mjs';

export const summary = 'show one page of matching events (a table on a terminal, JSON otherwise)';

export const help = `Usage: genomcore-events query [options]

Prints one page of the events matching the query: a table on a terminal, otherwise
(and with --json) the API's answer as JSON: {"items", "page", "pageSize", "total"}.

Options:
${queryHelp}
  --page P                      0-based page (default 0)
  --page-size S                 events per page, 1 to 10000 (default 20 on a terminal,
                                else 10000)

${commonHelp}

Examples:
  genomcore-events query --collection TestCollection
  genomcore-events query --query query.json --page 2 --page-size 100 --json | jq '.items[].value'`;

export const options = { ...queryOptions, page: { type: 'string' }, 'page-size': { type: 'string' } };

const C = 'query';
const COLUMNS = ['id', 'start', 'end', 'owner', 'collection', 'type', 'value', 'source', 'externalId', 'batch'];

export async function run(argv, { signal }) {
  const { values: v, ...parsed } = parse(C, argv, options);
  if (v.help) return void console.log(help);
  positionals(parsed, [], C);
  const asTable = !v.json && Boolean(process.stdout.isTTY);
  const page = intOption(v, 'page', 0, 4294967295, C) ?? 0; // the client's limit (a u32)
  const pageSize = intOption(v, 'page-size', 1, 10000, C) ?? (asTable ? 20 : 10000);
  const body = queryBody(v, C);
  const client = connect(v, C);
  const result = await client.queryEvents(body, { page, pageSize, signal });
  if (!asTable) return void console.log(JSON.stringify(result));
  const paint = colours(process.stdout);
  if (result.items.length) console.log(table(result.items, COLUMNS, { maxCell: 26, head: paint.bold }));
  const first = page * pageSize;
  const pages = Math.ceil(result.total / pageSize);
  console.log(
    paint.dim(
      result.items.length
        ? `events ${int(first + 1)}-${int(first + result.items.length)} of ${int(result.total)} (page ${int(page)} of 0-${int(pages - 1)})`
        : `no events on page ${int(page)} (${int(result.total)} match)`,
    ),
  );
}
