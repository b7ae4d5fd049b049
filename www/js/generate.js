// Synthetic events: N events of the given types, spread over the days from `from` to `to`
// (UTC, both included), more of them by day than by night, in start order.

const DAY = 86_400_000;
const SOURCE = 'genomcore-events-wasm demo';

/** A small seeded PRNG (mulberry32), so that one run id always gives the same events. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hour-of-day weights: a quiet night and a busy day. */
const HOUR_CDF = (() => {
  const w = Array.from({ length: 24 }, (_, h) => 0.15 + Math.max(0, Math.sin((Math.PI * (h - 6)) / 16)));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
})();

const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Value text and optional duration (minutes) for one event of `type`. */
function reading(type, rand, hour) {
  const day = hour >= 7 && hour <= 22;
  switch (type) {
    case 'heart_rate': return { value: `${Math.round((day ? 72 : 58) + rand() * 25)} bpm` };
    case 'steps': return { value: String(Math.round(rand() * (day ? 1800 : 60))), minutes: 15 };
    case 'sleep': return { value: `${(rand() * 1.5 + 0.25).toFixed(2)} h`, minutes: 30 + Math.round(rand() * 60) };
    case 'glucose': return { value: `${(4.2 + rand() * 3.6).toFixed(1)} mmol/L` };
    case 'temperature': return { value: `${(36.1 + rand() * 1.3).toFixed(1)} °C` };
    default: return { value: `${type} #${Math.round(rand() * 1000)}` };
  }
}

/**
 * @param {{count:number, owner:string, collection:string, from:string, to:string, types:string[], runId:string}} spec
 * @returns {import('genomcore-events-wasm').EventInput[]}
 */
export function generateEvents({ count, owner, collection, from, to, types, runId }) {
  const first = Date.parse(`${from}T00:00:00Z`);
  const last = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(first) || Number.isNaN(last)) throw new RangeError('Pick both dates of the time span.');
  if (last < first) throw new RangeError('The time span ends before it starts.');
  if (types.length === 0) throw new RangeError('Give at least one type.');
  const days = Math.round((last - first) / DAY) + 1;
  const rand = prng(hash(runId));
  const starts = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = rand();
    let hour = 0;
    while (HOUR_CDF[hour] < u) hour++;
    const day = Math.floor(rand() * days);
    starts[i] = first + day * DAY + hour * 3_600_000 + Math.floor(rand() * 3600) * 1000;
  }
  starts.sort();
  const events = new Array(count);
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length];
    const hour = new Date(starts[i]).getUTCHours();
    const { value, minutes } = reading(type, rand, hour);
    const event = {
      owner,
      collection,
      start: iso(starts[i]),
      value,
      type,
      source: SOURCE,
      externalId: `${runId}-${String(i).padStart(6, '0')}`,
      batch: runId,
    };
    if (minutes) event.end = iso(starts[i] + minutes * 60_000);
    events[i] = event;
  }
  return events;
}

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A short id for one generated run: it names the batch and prefixes every externalId. */
export const newRunId = () => `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1296).toString(36).padStart(2, '0')}`;
