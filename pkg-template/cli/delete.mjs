// `genomcore-events delete <collection>`: after the name is typed again (or --yes).
import { createInterface } from 'node:readline';
import { commonHelp, parse, positionals } from './args.mjs';
import { connect } from './connect.mjs';
import { Failure, UsageError } from './errors.mjs';
import { colours, int } from './output.mjs';

export const summary = 'delete every event of a collection (after typing its name again)';

export const help = `Usage: genomcore-events delete <collection> [options]

Deletes every event of <collection>. Asks for the name to be typed again (read from
standard input, a terminal or a pipe) unless --yes.

Options:
  -y, --yes                     do not ask

${commonHelp}

Examples:
  genomcore-events delete TestCollection
  genomcore-events delete TestCollection --yes --json --env dev`;

export const options = { yes: { type: 'boolean', short: 'y' } };

const C = 'delete';

export async function run(argv, { signal }) {
  const { values: v, ...parsed } = parse(C, argv, options);
  if (v.help) return void console.log(help);
  const [collection] = positionals(parsed, ['<collection>'], C);
  if (collection === '') throw new UsageError('the collection name is empty', C);
  const client = connect(v, C);
  if (!v.yes) await confirm(collection, signal);
  const { deleted, uncertain } = await client.deleteEvents(collection, { signal });
  if (v.json) return void console.log(JSON.stringify({ ok: true, collection, deleted, uncertain }));
  // An earlier request's answer was lost: it may have deleted them, so the count is a floor.
  const count = uncertain ? `at least ${int(deleted)}` : int(deleted);
  const note = uncertain ? ' (a retried request may have deleted more: the collection is empty)' : '';
  console.log(`${colours(process.stdout).green('deleted')} ${count} events of collection '${collection}'${note}`);
}

/** Reads one line from standard input; it must be the collection's name. */
async function confirm(collection, signal) {
  const paint = colours(process.stderr);
  process.stderr.write(`This deletes ${paint.bold('every event')} of collection '${collection}'. Type its name to confirm: `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    if (answer === undefined) throw new UsageError('no confirmation on standard input: type the name, or pass --yes', C);
    // Only the line's end is dropped: a name may start or end with spaces.
    const typed = answer.replace(/\r$/, '');
    if (typed !== collection) throw new Failure(`not deleted: '${typed}' is not '${collection}'`);
  } finally {
    rl.close();
  }
}
