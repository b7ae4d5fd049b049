// CSV (RFC 4180): comma-separated, fields optionally in double quotes, "" for a quote
// inside quotes, quoted fields may hold commas and line breaks, CRLF or LF line ends.

/**
 * @param {string} text
 * @returns {{cells: string[], line: number}[]} the records, each with the line it starts on (1-based)
 */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let cells = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let afterQuote = false; // just closed a quoted field: only a comma or a line end may follow
  const endCell = () => { cells.push(cell); cell = ''; afterQuote = false; };
  const endRecord = () => {
    endCell();
    records.push({ cells, line: recordLine });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else { quoted = false; afterQuote = true; }
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === ',') {
      endCell();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (c === '"' && cell === '' && !afterQuote) {
      quoted = true;
    } else if (afterQuote) {
      throw new CsvError(line, `unexpected ${JSON.stringify(c)} after a closing quote`);
    } else {
      cell += c;
    }
  }
  if (quoted) throw new CsvError(recordLine, 'a quoted field is not closed');
  if (cell !== '' || cells.length > 0 || afterQuote) endRecord();
  // Blank lines are not records.
  return records.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
}

export class CsvError extends Error {
  constructor(line, message) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
  get name() { return 'CsvError'; }
}

const OPTIONAL = new Set(['end', 'batch']);

/**
 * Events from CSV text whose first record names the event fields.
 * @returns {{events: object[], lines: number[]}} `lines[i]`: the line event i starts on
 */
export function eventsFromCsv(text) {
  const records = parseCsv(text);
  if (records.length === 0) throw new CsvError(1, 'the file is empty');
  const [header, ...rows] = records;
  const names = header.cells.map((h) => h.trim());
  if (names.some((n) => n === '')) throw new CsvError(header.line, 'the header row has an empty column name');
  const events = [];
  const lines = [];
  for (const row of rows) {
    if (row.cells.length !== names.length) {
      throw new CsvError(row.line, `${row.cells.length} cells, but the header names ${names.length} columns`);
    }
    const event = {};
    names.forEach((name, i) => {
      const value = row.cells[i];
      // An empty cell of an optional field means "absent"; required fields stay, to be reported.
      if (value === '' && OPTIONAL.has(name)) return;
      event[name] = value;
    });
    events.push(event);
    lines.push(row.line);
  }
  return { events, lines };
}
