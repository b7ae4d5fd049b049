// Small DOM and formatting helpers shared by the page's modules.

export const $ = (id) => document.getElementById(id);

/** el('p', { className: 'x' }, 'text', child, …): a new element. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key in node && !key.startsWith('aria') && !key.startsWith('data')) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const intFormat = new Intl.NumberFormat('en-US');
export const fmtInt = (n) => intFormat.format(Math.round(n));

/** 830 KB, 12.3 MB */
export const fmtBytes = (n) => (n < 1e6 ? `${fmtInt(n / 1e3)} KB` : `${(n / 1e6).toFixed(1)} MB`);

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

export const plural = (n, word, many = `${word}s`) => `${fmtInt(n)} ${n === 1 ? word : many}`;

/** Sets a status line's text and its state (idle, busy, ok, error). */
export function setStatus(node, state, text) {
  node.dataset.state = state;
  node.textContent = text;
}

/** Reads a whole-number field; marks it invalid and throws a readable error when it is not. */
export function intField(input, label) {
  const value = Number(input.value);
  const min = input.min === '' ? -Infinity : Number(input.min);
  const max = input.max === '' ? Infinity : Number(input.max);
  const ok = input.value.trim() !== '' && Number.isInteger(value) && value >= min && value <= max;
  input.setAttribute('aria-invalid', String(!ok));
  if (!ok) {
    input.focus();
    throw new FormError(Number.isFinite(max)
      ? `${label} must be a whole number from ${fmtInt(min)} to ${fmtInt(max)}.`
      : `${label} must be a whole number of at least ${fmtInt(min)}.`);
  }
  return value;
}

/** A mistake in the page's own form, reported next to the form (not an API error). */
export class FormError extends Error {
  get name() { return 'FormError'; }
}

/** Comma-separated text to a list of trimmed, non-empty strings. */
export const splitList = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
