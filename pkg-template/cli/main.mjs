// Dispatches `genomcore-events <command>` and turns its outcome into an exit code:
// 0 done, 1 failed, 2 wrong usage, 130 stopped by Ctrl-C (or SIGTERM).
import { readFileSync } from 'node:fs';
import { Failure, INTERRUPTED, UsageError } from './errors.mjs';
import { colours, shown } from './output.mjs';
import * as upload from './upload.mjs';
import * as exportCommand from './export.mjs';
import * as query from './query.mjs';
import * as deleteCommand from './delete.mjs';

const commands = { upload, export: exportCommand, query, delete: deleteCommand };

const usage = `Usage: genomcore-events <command> [options]

Upload, export, query and delete events of Genomcore's Events API.

Commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join('\n')}

Run 'genomcore-events <command> --help' for its options and examples.
The token comes from GENOMCORE_TOKEN (and GENOMCORE_REFRESH_TOKEN) or --token-file PATH.
Exit codes: 0 done, 1 failed, 2 wrong usage, 130 stopped by Ctrl-C or SIGTERM.`;

export async function main(argv) {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    return 0;
  }
  const command = Object.hasOwn(commands, name ?? '') ? commands[name] : undefined;
  const json = rest.includes('--json');
  const stop = interruption();
  try {
    if (!command) throw new UsageError(name === undefined ? 'missing <command>' : `unknown command '${name}'`);
    return (await command.run(rest, stop)) ?? 0;
  } catch (e) {
    return report(e, name, json, stop.signal);
  } finally {
    stop.dispose();
  }
}

/**
 * Prints the error (standard error; and the JSON outcome on standard output, unless that
 * carries the command's data) and returns the exit code.
 */
function report(e, name, json, signal) {
  const paint = colours(process.stderr);
  if (e instanceof UsageError) {
    if (json) console.log(JSON.stringify({ ok: false, error: { name: e.name, message: e.message } }));
    const where = e.command ? `genomcore-events ${e.command}` : 'genomcore-events';
    console.error(`${where}: ${e.message}`);
    console.error(`Run '${where} --help' for usage.`);
    return 2;
  }
  const failure = e instanceof Failure ? e : new Failure(`${e.name}: ${e.message}`, { cause: e });
  const code = signal.aborted && failure.exitCode === 1 ? INTERRUPTED : failure.exitCode;
  if (json) {
    const error = { name: (failure.cause ?? failure).name, message: failure.message };
    (failure.stdoutIsData ? console.error : console.log)(JSON.stringify({ ok: false, error, ...failure.json }));
  }
  // Messages may carry the server's text or an event's: shown safe for a terminal.
  console.error(`${paint.red(code === INTERRUPTED ? 'stopped' : 'error')}: ${shown(failure.message)}`);
  for (const d of failure.details) console.error(`  ${shown(d)}`);
  return code;
}

/**
 * The signal the commands obey: Ctrl-C (or SIGTERM) aborts it; a second Ctrl-C runs
 * the `onForceQuit` hooks (an upload saves its state) and quits at once.
 */
function interruption() {
  const controller = new AbortController();
  const hooks = [];
  const onSignal = () => {
    if (!controller.signal.aborted) {
      process.stderr.write('\nstopping… (Ctrl-C again to quit at once)\n');
      controller.abort(new Error('interrupted'));
      return;
    }
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // Quitting anyway.
      }
    }
    process.exit(INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    onForceQuit: (hook) => hooks.push(hook),
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
