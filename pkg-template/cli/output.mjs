// What the commands print: colours (a terminal only, never with NO_COLOR), numbers,
// the progress line (redrawn in place on a terminal, a plain line every few seconds
// otherwise) and tables.

/** Colour functions for `stream`: identity unless it is a terminal and NO_COLOR is unset. */
export function colours(stream) {
  const on = Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
  const paint = (code) => (s) => (on ? `\x1b[${code}m${s}\x1b[0m` : String(s));
  return { on, bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33), cyan: paint(36) };
}

const intFormat = new Intl.NumberFormat('en-US');
export const int = (n) => intFormat.format(n);

export function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A progress display on `stream` for `describe()`'s text: on a terminal one line
 * redrawn at most 10 times a second; otherwise (and not silenced) a line every
 * `intervalMs`. `done()` leaves the terminal on a fresh line.
 */
/**
 * A line of `parts` (`[text, rank]`, in display order) that fits `width` columns: while it
 * is too wide, the part of the highest rank is left out (whole fields, none cut in two).
 */
export function fitParts(parts, width, separator = '  ') {
  const visible = (s) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const kept = parts.slice();
  const line = () => kept.map(([text]) => text).join(separator);
  while (kept.length > 1 && visible(line()) > width - 1) {
    let worst = 0;
    kept.forEach(([, rank], i) => {
      if (rank > kept[worst][1]) worst = i;
    });
    kept.splice(worst, 1);
  }
  return line();
}

export function progressLine(stream, { quiet = false, intervalMs = 5000 } = {}) {
  const tty = Boolean(stream.isTTY);
  let last = performance.now();
  let drawn = false;
  return {
    tty,
    /** Columns the line may take: the terminal's, or no limit when it is not one. */
    width: tty ? stream.columns || 80 : Infinity,
    update(text, { force = false } = {}) {
      const now = performance.now();
      if (tty) {
        if (!force && drawn && now - last < 100) return;
        // Wider than the terminal, it would wrap and every redraw add a line: cut it
        // (plain, so that no colour sequence is cut in two).
        const width = stream.columns || 80;
        const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
        stream.write(`\r\x1b[2K${plain.length > width - 1 ? plain.slice(0, width - 1) : text}`);
      } else {
        if (quiet || (!force && now - last < intervalMs)) return;
        stream.write(`${text}\n`);
      }
      last = now;
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/**
 * `text` safe for a terminal: control characters (an escape sequence stored in an event
 * would set the title, clear the screen or forge a row) and bidirectional overrides
 * written as `\uXXXX`, as the client's validation messages write them.
 */
export function shown(text) {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `rows` (objects) as a plain table of `columns`, cells cut to `maxCell` characters;
 * `head` paints the header row.
 */
export function table(rows, columns, { maxCell = 32, head = (s) => s } = {}) {
  const cell = (v) => {
    const s = v === undefined || v === null ? '' : shown(String(v));
    return s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (r) => r.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd();
  return [head(line(columns)), ...cells.map(line)].join('\n');
}
