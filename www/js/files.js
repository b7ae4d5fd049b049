// Loading events from a .json or .csv file, keeping how to name each event's row.
import { eventsFromCsv } from './csv.js';

/**
 * @param {File} file
 * @returns {Promise<{events: object[], rowLabel: (index: number) => string, summary: string}>}
 */
export async function loadEventsFile(file) {
  const text = await file.text();
  const isCsv = /\.csv$/i.test(file.name) || file.type === 'text/csv' ||
    (!/\.json$/i.test(file.name) && !/^\s*[[{]/.test(text));
  if (isCsv) {
    const { events, lines } = eventsFromCsv(text);
    return {
      events,
      rowLabel: (i) => `row ${i + 1} (line ${lines[i]})`,
      summary: `${file.name}: CSV, ${events.length} event${events.length === 1 ? '' : 's'}`,
    };
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${file.name} is not valid JSON: ${e.message}`);
  }
  // An array of events, or an object holding one under "events".
  const events = Array.isArray(data) ? data : Array.isArray(data?.events) ? data.events : null;
  if (!events) throw new TypeError(`${file.name}: expected a JSON array of events (or {"events": [...]})`);
  return {
    events,
    rowLabel: (i) => `item ${i + 1} (index ${i})`,
    summary: `${file.name}: JSON, ${events.length} event${events.length === 1 ? '' : 's'}`,
  };
}
