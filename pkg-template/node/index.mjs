// `import` in Node: the very objects of the CommonJS entry, so that a program that
// both imports and requires the package sees one `EventsClient` and one set of error
// classes (`instanceof` holds across the two).
import cjs from './index.cjs';

export const {
  EventsClient,
  EventsError,
  ValidationError,
  EventsApiError,
  CreateEventsError,
  AbortError,
  TimeoutError,
  NetworkError,
  AuthError,
  SourceError,
} = cjs;
