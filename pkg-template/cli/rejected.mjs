// `--skip-invalid`: the problems the client reports, written next to the input.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';

/**
 * `<stem>.rejected.ndjson` next to the input: one line per reported problem (the
 * client reports the first 100) with its line, byte offset and, for NDJSON, the line.
 */
export function writeRejected(input, stdin, skipped, format) {
  if (stdin) return undefined;
  const target = input.replace(/(\.(nd)?jsonl?)?$/i, '.rejected.ndjson');
  const fd = openSync(input, 'r');
  try {
    const ndjson = format === 'ndjson' || (format === null && firstByte(fd) !== '[');
    const lines = skipped.problems.map((p) => JSON.stringify({ ...p, ...(ndjson && { text: lineAt(fd, p.offset) }) }));
    if (skipped.problemCount > skipped.problems.length) {
      lines.push(JSON.stringify({ more: skipped.problemCount - skipped.problems.length }));
    }
    writeFileSync(target, lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  return target;
}

function firstByte(fd) {
  const buf = Buffer.alloc(256);
  const n = readSync(fd, buf, 0, buf.length, 0);
  return /[^\s\uFEFF]/.exec(buf.subarray(0, n).toString('utf8'))?.[0];
}

/** The text of the line at byte `offset` (at most 64 KiB of it). */
function lineAt(fd, offset) {
  const buf = Buffer.alloc(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, offset);
  const end = buf.subarray(0, n).indexOf(10);
  return buf.subarray(0, end < 0 ? n : end).toString('utf8').replace(/\r$/, '');
}
