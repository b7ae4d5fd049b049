// Resuming an upload from a file: a new run's state, the checks that a saved run can
// go on with this file and these options, and the command that resumes it.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { Failure, UsageError } from './errors.mjs';
import { int } from './output.mjs';
import { STATE_VERSION } from './state.mjs';

export const DEFAULT_CHUNKSIZE = 10000;

/** The npm package the command comes with (`genomcore-events` is only its command's name). */
const PACKAGE = createRequire(import.meta.url)('../package.json').name;

export function newState(file, where, chunksize, format) {
  return {
    version: STATE_VERSION,
    runId: randomUUID(),
    source: file,
    target: where,
    // What fixes the chunk boundaries, hence the idempotency keys: a resume must reuse it.
    options: { chunksize: chunksize ?? DEFAULT_CHUNKSIZE, format: format ?? null },
    resumeFrom: { events: 0, bytes: 0 },
    startedAt: new Date().toISOString(),
  };
}

/** Refuses to resume what would not continue the saved upload. */
export function checkResumable(saved, { file, where, chunksize, format, path }, command) {
  const s = saved.source;
  if (s.size !== file.size || s.mtimeMs !== file.mtimeMs) {
    throw new Failure(`${file.path} changed since the interrupted upload (${path}): it cannot be resumed`, {
      details: [
        `then: ${int(s.size)} bytes, modified ${new Date(s.mtimeMs).toISOString()}; now: ${int(file.size)} bytes, modified ${new Date(file.mtimeMs).toISOString()}`,
        `run again with --restart to upload it from the start (the ${int(saved.resumeFrom.events)} events stored before would be stored again)`,
      ],
      json: { stateFile: path, changed: true },
    });
  }
  if (JSON.stringify(saved.target) !== JSON.stringify(where)) {
    throw new Failure(`the interrupted upload of ${file.path} went to ${describeTarget(saved.target)}, not ${describeTarget(where)}`, {
      details: ['give the same --env/--base-url to resume, or --restart to start over'],
      json: { stateFile: path },
    });
  }
  for (const [name, given] of [['chunksize', chunksize], ['format', format]]) {
    if (given !== undefined && given !== saved.options[name]) {
      throw new UsageError(
        `the interrupted upload used --${name} ${saved.options[name] ?? '(detected)'}: resume with the same, or --restart`,
        command,
      );
    }
  }
}

const describeTarget = (t) => (t.baseUrl ? t.baseUrl : `--env ${t.env}`);

/**
 * The command line to run again (the same arguments, without --restart), for a shell.
 * Started by `npx` (npm sets `npm_command=exec`), the command is not on the PATH: the
 * line runs it through npx, naming our package (`npx genomcore-events` alone, where the
 * package is not installed, would fetch whatever package of that name the registry has,
 * and hand it the token in the environment).
 */
export function resumeCommand(argv, env = process.env, script = process.argv[1]) {
  // npx, or an npm script (whose PATH has the project's bins, the shell's has not):
  // through npx, which finds the project's install. Run by path (`./node_modules/.bin/…`),
  // the command is not on the PATH either: the line names the script itself.
  const command = env.npm_command === 'exec' || env.npm_command === 'run-script'
    ? ['npx', '-p', PACKAGE, 'genomcore-events']
    : onPath('genomcore-events', env.PATH) || !script ? ['genomcore-events'] : ['node', script];
  return [...command, 'upload', ...argv.filter((a) => a !== '--restart')].map(quote).join(' ');
}

/** `a` quoted for a POSIX shell when it needs it. */
export const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** Whether `name` is a file in one of PATH's directories (npm's bins are links or, on Windows, `.cmd`s). */
function onPath(name, path = '') {
  return path.split(delimiter).some((dir) => dir && [name, `${name}.cmd`].some((n) => existsSync(join(dir, n))));
}

