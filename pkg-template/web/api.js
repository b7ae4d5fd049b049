// The package's public names, shared by every entry built on the web glue (index.js,
// inline.js, workerd.js, slim.js). Importing this module does nothing by itself: the
// entries load the wasm (load.js) before their users run.
export { EventsClient } from './genomcore_events_wasm.js';
export {
  EventsError,
  ValidationError,
  EventsApiError,
  CreateEventsError,
  AbortError,
  TimeoutError,
  NetworkError,
  AuthError,
} from './errors.js';
