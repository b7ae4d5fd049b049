// The chosen events file as a source for createEvents, without reading it whole: an NDJSON
// or JSON-array file is handed to the client as the File itself (a Blob: the client
// streams it, validating and framing the bytes in wasm). A CSV file is small by nature
// here: the page parses it and hands over its events as NDJSON bytes, each row's line kept.
import { eventsFromCsv } from './csv.js';
import { fmtBytes, fmtInt } from './dom.js';

/** How much of the file's start is read to tell its format and first collection. */
const SNIFF_BYTES = 64 * 1024;
/** A CSV file is parsed whole in the page: above this, convert it to NDJSON first. */
const CSV_MAX_BYTES = 64 * 1024 * 1024;

/**
 * @param {File} file
 * @returns {Promise<{name: string, source: Blob | Uint8Array, bytesTotal: number, format: string,
 *   collection: string | null, rowLabel: (problem: {index: number, line?: number}) => string,
 *   summary: string}>}
 */
export async function prepareEventsFile(file) {
  const headBytes = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (headBytes[0] === 0x1f && headBytes[1] === 0x8b) {
    throw new TypeError(`${file.name} is gzip-compressed: decompress it first (NDJSON, a JSON array or CSV)`);
  }
  const head = new TextDecoder().decode(headBytes);
  // A NUL, or a byte that is not UTF-8 (decoded as U+FFFD): an image, a PDF, an archive.
  if (/[\0\uFFFD]/.test(head.slice(0, head.length - 3))) {
    throw new TypeError(`${file.name} is not a text file: NDJSON, a JSON array or CSV are`);
  }
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  const isCsv = /\.csv$/i.test(file.name) || file.type === 'text/csv' ||
    (!/\.(nd)?json$/i.test(file.name) && first !== '[' && first !== '{' && firstLine.includes(','));
  if (!isCsv && first !== undefined && first !== '[' && first !== '{') {
    throw new TypeError(`${file.name} is not NDJSON, a JSON array or CSV (it starts with ${JSON.stringify(firstLine.slice(0, 40))})`);
  }
  if (isCsv && file.size > CSV_MAX_BYTES) {
    throw new TypeError(`${file.name} is a CSV file of ${fmtBytes(file.size)}: the page parses CSV whole, up to ${fmtBytes(CSV_MAX_BYTES)}; convert it to NDJSON to stream it`);
  }
  if (isCsv) {
    const { events, lines } = eventsFromCsv(await file.text());
    const bytes = new TextEncoder().encode(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return {
      name: file.name,
      source: bytes,
      bytesTotal: bytes.length,
      format: 'ndjson',
      collection: singleCollection(events),
      rowLabel: (p) => `row ${p.index + 1} (line ${lines[p.index]})`,
      summary: `${file.name}: CSV, ${events.length} event${events.length === 1 ? '' : 's'}`,
    };
  }
  if (first === undefined) throw new TypeError(`${file.name} is empty`);
  const format = first === '[' ? 'json' : 'ndjson';
  return {
    name: file.name,
    source: file,
    bytesTotal: file.size,
    format,
    // From the first event: where steps 3 and 4 point after the upload.
    collection: firstCollection(head),
    rowLabel: (p) => (p.line ? `line ${fmtInt(p.line)} (event ${fmtInt(p.index + 1)})` : `event ${fmtInt(p.index + 1)}`),
    summary: `${file.name}: ${fmtBytes(file.size)} of ${format === 'json' ? 'a JSON array' : 'NDJSON'}, streamed from disk as it is sent`,
  };
}

function firstCollection(text) {
  const m = /"collection"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  try {
    return m ? JSON.parse(m[1]) : null;
  } catch {
    return null;
  }
}

function singleCollection(events) {
  const names = new Set(events.map((e) => e.collection));
  return names.size === 1 ? [...names][0] : null;
}
