// A TypeScript user's module with the explicit-init entry and the Workers-style import
// of the raw wasm: `genomcore-events-wasm/slim` has the whole API plus init/initSync.
import { init, initSync, EventsClient, ValidationError, type WasmInput, type QueryResult } from 'genomcore-events-wasm/slim';
import * as inline from 'genomcore-events-wasm/inline';

declare const compiled: WebAssembly.Module;
declare const bytes: Uint8Array;

export async function start(token: string): Promise<QueryResult> {
  const inputs: WasmInput[] = [compiled, bytes, bytes.buffer as ArrayBuffer, new URL('https://cdn.example/x.wasm'), 'x.wasm', fetch('x.wasm')];
  await init(inputs[0]);
  await init();
  initSync(compiled);
  initSync(bytes);
  const client = new EventsClient({ token });
  const again: typeof EventsClient = inline.EventsClient;
  void again;
  try {
    return await client.queryEvents({ filter: { collection: 'c' } });
  } catch (e) {
    if (e instanceof ValidationError) throw new Error(String(e.problemCount));
    throw e;
  }
}

// (lib.dom's WebAssembly.Module has no members, so the inputs' types cannot refuse much.)
// @ts-expect-error: init resolves to nothing
export const loaded: string = await init();
// @ts-expect-error: initSync needs its input
initSync();
