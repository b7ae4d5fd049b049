// `--skip-invalid`: every event the client leaves out (its `onSkip`), written as it is
// met to `<stem>.rejected.ndjson` next to the input, one JSON line per event: where it
// was, its problems, and its text as read, to mend and upload again.
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

// The events' text is health data: readable by its owner only, as the state file.
const OWNER_ONLY = 0o600;

/** Where standard input's rejected events go: the current directory. */
export const STDIN_REJECTS = 'stdin.rejected.ndjson';

/**
 * The rejects file of `input` (for standard input, `STDIN_REJECTS`). A resumed run
 * keeps the lines of the events before its `resumeFrom` (the earlier run met them; this
 * one will not) and drops the rest, which it meets again.
 */
export function rejectsFile(input, stdin, resumedEvents) {
  const path = stdin ? STDIN_REJECTS : input.replace(/(\.(nd)?jsonl?)?$/i, '.rejected.ndjson');
  const kept = resumedEvents > 0 && existsSync(path)
    ? readFileSync(path, 'utf8').split('\n').filter((l) => l && JSON.parse(l).index < resumedEvents)
    : [];
  let written = false;
  return {
    path,
    /** `onSkip`'s report of one event. */
    add({ index, line, offset, problems, text }) {
      if (!written) {
        writeFileSync(path, kept.map((l) => l + '\n').join(''), { mode: OWNER_ONLY });
        // `mode` applies only to a file created: one left by an earlier run keeps its own.
        chmodSync(path, OWNER_ONLY);
      }
      written = true;
      appendFileSync(path, JSON.stringify({ index, line, offset, problems, text }) + '\n', { mode: OWNER_ONLY });
    },
    /** The events before `resumedEvents` that the earlier run left out. */
    skippedBefore: kept.length,
    /** Whether the file holds anything (written by this run, or kept from the earlier one). */
    get used() {
      return written || kept.length > 0;
    },
  };
}
