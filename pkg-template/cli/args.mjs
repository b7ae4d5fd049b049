// Command-line parsing: node:util parseArgs plus the checks every command shares.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.mjs';

/** Options every command takes. */
export const commonOptions = {
  env: { type: 'string' },
  'base-url': { type: 'string' },
  'token-file': { type: 'string' },
  'max-retries': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const commonHelp = `Connection (every command):
  --env prod|dev        the hosted environment (default prod)
  --base-url URL        another Events API, e.g. the emulator's http://127.0.0.1:8787/api/v1
  --token-file PATH     the token (and a refresh token on the next line, or the JSON
                        {"token","refreshToken"}); only its owner may read it (chmod 600)
                        Default: the environment variables GENOMCORE_TOKEN and
                        GENOMCORE_REFRESH_TOKEN. A token is never taken as an argument.
  --max-retries N       retries of a request after passing trouble (429, 503, a lost
                        connection, a timeout), 0 to 100 (default 3); a long upload
                        under a rate limit may want more
  --json                machine-readable output
  -h, --help            this help`;

/**
 * Parses `argv` for `command` (its `options` on top of the common ones). Refuses a
 * token given as an argument without repeating it: it would show in `ps` and history.
 */
export function parse(command, argv, options) {
  if (argv.some((a) => /^--?(refresh-)?token(=|$)/.test(a))) {
    throw new UsageError(
      'a token is not accepted as an argument (it would show in `ps` and in the shell history): ' +
        'set GENOMCORE_TOKEN (and GENOMCORE_REFRESH_TOKEN) or use --token-file PATH',
      command,
    );
  }
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    if (!String(e.code).startsWith('ERR_PARSE_ARGS')) throw e;
    throw new UsageError(e.message.replace(/\. To specify a positional argument[\s\S]*/, ''), command);
  }
}

/** An integer option within `min`..`max`, or `undefined` when not given. */
export function intOption(values, name, min, max, command) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${raw}'`, command);
  }
  return n;
}

/** A string option limited to `choices`, or `undefined` when not given. */
export function choiceOption(values, name, choices, command) {
  const raw = values[name];
  if (raw !== undefined && !choices.includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not '${raw}'`, command);
  }
  return raw;
}

/** Exactly the positionals `names` (e.g. `['<file>']`). */
export function positionals(parsed, names, command) {
  const got = parsed.positionals;
  if (got.length < names.length) throw new UsageError(`missing ${names.slice(got.length).join(' ')}`, command);
  // Not echoed: a stray argument may be a pasted secret.
  if (got.length > names.length) {
    throw new UsageError(`expected ${names.join(' ') || 'no argument'}, got ${got.length} arguments`, command);
  }
  return got;
}
