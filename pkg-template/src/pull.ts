// For the engine (src/wasm/source.rs): reads up to `n` items of an iterator (or a
// stream's reader) in JavaScript, so that the engine crosses into JS, and awaits a
// Promise, once per batch rather than once per item (an async generator of 200,000
// events took 1.6 s item by item). A batch ends after a piece of bytes (a `Uint8Array`,
// an `ArrayBuffer` or a string): pieces go one at a time, as read, so that no more is read than needed.

interface Step {
  done?: boolean;
  value?: unknown;
}

export interface Batch {
  values: unknown[];
  done: boolean;
}

const isPiece = (v: unknown): boolean => typeof v === 'string' || v instanceof Uint8Array || v instanceof ArrayBuffer;

/**
 * `next.call(self)` up to `n` times. `promises`: each step is a Promise (async iterators,
 * readers) and is awaited; a sync iterator's steps are used as they are (no microtask per item).
 */
export async function pull(next: () => Step | Promise<Step>, self: unknown, n: number, promises: boolean): Promise<Batch> {
  const values: unknown[] = [];
  while (values.length < n) {
    const step = promises ? await next.call(self) : (next.call(self) as Step);
    if (step.done) return { values, done: true };
    values.push(step.value);
    if (isPiece(step.value)) break;
  }
  return { values, done: false };
}
