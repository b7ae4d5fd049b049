// The package's public names, shared by every entry: the client, its errors and the
// data types. Importing this module does nothing by itself: the entries load the wasm
// before their users run.
export { EventsClient } from './client.js';
export {
  EventsError,
  ValidationError,
  EventsApiError,
  CreateEventsError,
  AbortError,
  TimeoutError,
  NetworkError,
  AuthError,
  SourceError,
} from './errors.js';
export type {
  AnyEventsError,
  AuthErrorFields,
  CreateOutcomeFields,
  EventsApiErrorFields,
  EventsErrorName,
  RetryableFields,
  TimeoutErrorFields,
  ValidationErrorFields,
} from './errors.js';
export type * from './types.js';
