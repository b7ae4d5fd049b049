// A TypeScript user's CommonJS module: `require` resolves the package's `node/api.d.ts`.
import pkg = require('genomcore-events-wasm');
import type { CreateEventsResult, QueryResult } from 'genomcore-events-wasm';

declare const token: string;

const client = new pkg.EventsClient({ token, baseUrl: 'http://127.0.0.1:8787/api/v1' });
/** For mixed.mts: what `require` gives, used where `import`'s types are expected. */
export const requiredClient = client;
export const RequiredValidationError = pkg.ValidationError;

export async function roundTrip(): Promise<[CreateEventsResult, QueryResult, number]> {
  try {
    const created = await client.createEvents([], 10);
    const page = await client.queryEvents({ filter: { collection: 'c' } }, { pageSize: 10 });
    const { deleted } = await client.deleteEvents('c');
    return [created, page, deleted];
  } catch (e) {
    if (e instanceof pkg.ValidationError) throw new Error(`${e.problemCount} problems`);
    if (e instanceof pkg.CreateEventsError) throw new Error(`${e.created} stored`);
    throw e;
  }
}

// @ts-expect-error: a misspelled option
new pkg.EventsClient({ tokn: token });
