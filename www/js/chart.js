// A histogram of event start times, drawn as SVG at the container's own pixel width.
import { fmtInt } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BINS = [
  { ms: HOUR, name: 'hour' },
  { ms: 3 * HOUR, name: '3 hours' },
  { ms: 6 * HOUR, name: '6 hours' },
  { ms: 12 * HOUR, name: '12 hours' },
  { ms: DAY, name: 'day' },
  { ms: 7 * DAY, name: 'week' },
  { ms: 30 * DAY, name: '30 days' },
  { ms: 365 * DAY, name: '365 days' },
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

const pad = (n) => String(n).padStart(2, '0');
const dayLabel = (ms) => { const d = new Date(ms); return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`; };
const stamp = (ms, withTime) => {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:00` : date;
};

/**
 * Counts `starts` (ms since the epoch) in bins fit for `width` pixels.
 * @returns {{bin: {ms:number,name:string}, first: number, counts: number[]}}
 */
export function histogram(starts, width) {
  let min = Infinity;
  let max = -Infinity;
  for (const t of starts) { if (t < min) min = t; if (t > max) max = t; }
  const maxBins = Math.max(6, Math.min(200, Math.floor(width / 4)));
  const bin = BINS.find((b) => (max - min) / b.ms < maxBins) ?? BINS[BINS.length - 1];
  // Bins of a day or less cover whole UTC days; longer ones start at the first event's day.
  const first = Math.floor(min / DAY) * DAY;
  const end = bin.ms <= DAY ? Math.floor(max / DAY) * DAY + DAY : max + 1;
  const counts = new Array(Math.max(1, Math.ceil((end - first) / bin.ms))).fill(0);
  for (const t of starts) counts[Math.floor((t - first) / bin.ms)]++;
  return { bin, first, counts };
}

/** Draws the histogram of `starts` into `container`; redraws when the container is resized. */
export function drawHistogram(container, starts) {
  container._chartObserver?.disconnect();
  const render = () => {
    const width = Math.max(280, container.clientWidth);
    container.replaceChildren(chartSvg(starts, width));
  };
  render();
  let lastWidth = container.clientWidth;
  const observer = new ResizeObserver(() => {
    if (container.clientWidth !== lastWidth) { lastWidth = container.clientWidth; render(); }
  });
  observer.observe(container);
  container._chartObserver = observer;
  return histogram(starts, Math.max(280, container.clientWidth));
}

export function clearChart(container, text) {
  container._chartObserver?.disconnect();
  container.replaceChildren();
  if (text) container.append(Object.assign(document.createElement('p'), { className: 'help', textContent: text }));
}

function chartSvg(starts, width) {
  const height = width < 480 ? 180 : 220;
  const m = { top: 12, right: 10, bottom: 28, left: 44 };
  const { bin, first, counts } = histogram(starts, width);
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const peak = Math.max(...counts, 1);
  const niceMax = Math.max(4, niceCeil(peak));
  const step = plotW / counts.length;
  const gap = step > 6 ? 1 : step > 3 ? 0.5 : 0;
  const peakIndex = counts.indexOf(Math.max(...counts));
  const withTime = bin.ms < DAY;

  const root = svg('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Histogram of ${fmtInt(starts.length)} events per ${bin.name} from ${stamp(first, withTime)} ` +
      `to ${stamp(first + counts.length * bin.ms, withTime)} (UTC); the busiest ${bin.name}, ${stamp(first + peakIndex * bin.ms, withTime)}, has ${fmtInt(counts[peakIndex])}.`,
  });
  // Y grid and labels.
  for (let i = 0; i <= 4; i++) {
    const v = (niceMax * i) / 4;
    const y = m.top + plotH - (v / niceMax) * plotH;
    root.append(svg('line', { class: i === 0 ? 'axis' : 'grid-line', x1: m.left, x2: width - m.right, y1: y, y2: y }));
    root.append(svg('text', { x: m.left - 6, y: y + 4, 'text-anchor': 'end' }, compact(v)));
  }
  // Bars.
  const bars = svg('g', { 'aria-hidden': 'true' });
  counts.forEach((c, i) => {
    if (c === 0) return;
    const h = (c / niceMax) * plotH;
    const from = first + i * bin.ms;
    bars.append(svg('rect', {
      class: 'bar', x: m.left + i * step + gap / 2, y: m.top + plotH - h, width: Math.max(step - gap, 0.5), height: h,
    }, svg('title', {}, `${stamp(from, withTime)} UTC, per ${bin.name}: ${fmtInt(c)} event${c === 1 ? '' : 's'}`)));
  });
  root.append(bars);
  // X ticks: every few hours over a day or two, at UTC midnights over more, every few bins above a day.
  const maxTicks = Math.max(2, Math.floor(plotW / 70));
  const last = first + counts.length * bin.ms;
  const days = (last - first) / DAY;
  let tickMs;
  if (!withTime) tickMs = bin.ms * Math.max(1, Math.ceil(counts.length / maxTicks));
  else if (days <= 2) tickMs = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY].find((ms) => (last - first) / ms <= maxTicks) ?? DAY;
  else tickMs = DAY * Math.max(1, Math.ceil(days / maxTicks));
  for (let t = first; t <= last; t += tickMs) {
    const x = m.left + ((t - first) / bin.ms) * step;
    if (x > width - 18) continue; // a label there would be cut off
    const label = bin.ms >= 365 * DAY ? String(new Date(t).getUTCFullYear())
      : t % DAY === 0 ? dayLabel(t) : `${pad(new Date(t).getUTCHours())}:00`;
    root.append(svg('line', { class: 'axis', x1: x, x2: x, y1: m.top + plotH, y2: m.top + plotH + 4 }));
    root.append(svg('text', { x, y: height - 8, 'text-anchor': x < m.left + 20 ? 'start' : 'middle' }, label));
  }
  return root;
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 4, 5, 8, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

const compact = (v) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : v >= 1000 ? `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k` : String(Math.round(v * 10) / 10));
