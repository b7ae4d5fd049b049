// The client the commands use: its connection options and the token, from the
// environment or an owner-only file, never from an argument.
import { readFileSync, statSync } from 'node:fs';
import { EventsClient } from '../node/index.mjs';
import { choiceOption, intOption } from './args.mjs';
import { UsageError } from './errors.mjs';

/** `{ token, refreshToken }` from `--token-file` or GENOMCORE_TOKEN / GENOMCORE_REFRESH_TOKEN. */
export function readToken(values, command, env = process.env) {
  const file = values['token-file'];
  if (file === undefined) {
    const token = env.GENOMCORE_TOKEN;
    if (!token) {
      throw new UsageError('no token: set GENOMCORE_TOKEN (and GENOMCORE_REFRESH_TOKEN) or use --token-file PATH', command);
    }
    return { token, refreshToken: env.GENOMCORE_REFRESH_TOKEN || undefined };
  }
  // A token pasted where the path goes (`--token-file eyJ…`) is not repeated: error
  // output ends up in CI logs.
  const named = looksLikeToken(file) ? '(the value given looks like a token, not a path: not shown)' : file;
  let mode;
  try {
    mode = statSync(file).mode;
  } catch (e) {
    throw new UsageError(`--token-file ${named}: ${e.code === 'ENOENT' ? 'no such file' : e.code ?? 'cannot be read'}`, command);
  }
  // Like ssh with a private key: a secret others can read is refused.
  if (mode & 0o077) {
    throw new UsageError(
      `--token-file ${file} can be read by others (mode ${(mode & 0o777).toString(8)}): run 'chmod 600 ${file}'`,
      command,
    );
  }
  const text = readFileSync(file, 'utf8').trim();
  let token, refreshToken;
  if (text.startsWith('{')) {
    try {
      ({ token, refreshToken } = JSON.parse(text));
    } catch {
      throw new UsageError(`--token-file ${file}: not valid JSON`, command);
    }
  } else {
    [token, refreshToken] = text.split(/\r?\n/).map((l) => l.trim());
  }
  if (typeof token !== 'string' || !token) throw new UsageError(`--token-file ${file} holds no token`, command);
  return { token, refreshToken: refreshToken || undefined };
}

/** A JWT (`eyJ…`, two dots) or a long word with no path separator. */
export function looksLikeToken(value) {
  return /^eyJ[\w-]*\.[\w-]*\./.test(value) || (value.length >= 40 && !/[/\\.]/.test(value));
}

/** The connection as given: `{ env, baseUrl }` (what the state file records). */
export function target(values, command) {
  const env = choiceOption(values, 'env', ['prod', 'dev'], command);
  const baseUrl = values['base-url'];
  if (env !== undefined && baseUrl !== undefined) throw new UsageError('give --env or --base-url, not both', command);
  return baseUrl !== undefined ? { baseUrl } : { env: env ?? 'prod' };
}

/** A client for the command's connection; `extra` are further client options. */
export function connect(values, command, extra = {}) {
  const where = target(values, command);
  const maxRetries = intOption(values, 'max-retries', 0, 100, command);
  try {
    return new EventsClient({ ...readToken(values, command), ...where, ...(maxRetries !== undefined && { maxRetries }), ...extra });
  } catch (e) {
    // The constructor refuses a bad URL or option with a TypeError/RangeError.
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message, command);
    throw e;
  }
}
