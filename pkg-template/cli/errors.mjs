// The two ways a command ends badly, by exit code: wrong usage (2) and failure (1).

/** Wrong usage: exit code 2, the message and a pointer to `--help`. */
export class UsageError extends Error {
  constructor(message, command) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Exit code of a command interrupted by Ctrl-C (128 + SIGINT, as shells report it). */
export const INTERRUPTED = 130;

/**
 * The command failed: exit code 1 (or INTERRUPTED), the message, `details` (lines for
 * a person) and `json` (fields for `--json`).
 */
export class Failure extends Error {
  constructor(message, { details = [], json = {}, cause, exitCode = 1, stdoutIsData = false } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'Failure';
    this.details = details;
    this.json = json;
    this.exitCode = exitCode;
    // Standard output carries the command's data (export without --output): the --json
    // outcome then goes to standard error.
    this.stdoutIsData = stdoutIsData;
  }
}
