// The package's error classes, one definition per runtime. The wasm client builds
// its errors with `new Class(message, fields)` on the class registered under the
// error's name (see `__setErrorClasses`); `fields` is copied onto the error.
//
// This file is the single source: `scripts/pack.sh` turns it into the CommonJS
// `node/errors.cjs` (it keeps to `export class` declarations and one `export const`).

/** The base class of every error the client raises on its own account. */
export class EventsError extends Error {
  constructor(message, fields) {
    // `cause` as the platform's errors carry it (own, not enumerable): the error this
    // one wraps, or an abort signal's `reason`.
    const { cause, ...rest } = fields ?? {};
    super(message, fields != null && 'cause' in fields ? { cause } : undefined);
    Object.assign(this, rest);
  }
}

/** Events break the contract; nothing was sent. */
export class ValidationError extends EventsError {
  constructor(message, fields) {
    super(message, { problems: [], problemCount: 0, ...fields });
  }
}

/** The API answered with an error status. */
export class EventsApiError extends EventsError {
  constructor(message, fields) {
    super(message, { status: 0, retryable: false, serverMessage: [], ...fields });
  }
}

/** Some chunks of a `createEvents` call failed; the others are stored. Carries `runId`. */
export class CreateEventsError extends EventsError {
  constructor(message, fields) {
    super(message, { created: 0, succeeded: [], failed: [], ...fields });
  }
}

/** The caller's `AbortSignal` fired. From a started upload: what was stored, and `runId`. */
export class AbortError extends EventsError {
  constructor(message, fields) {
    super(message, { created: 0, succeeded: [], failed: [], ...fields });
  }
}

/** No answer within `timeoutMs` (after the retries). */
export class TimeoutError extends EventsError {
  constructor(message, fields) {
    super(message, { retryable: true, timeoutMs: 0, ...fields });
  }
}

/** The request did not reach the API, or its answer was lost (after the retries). */
export class NetworkError extends EventsError {
  constructor(message, fields) {
    super(message, { retryable: true, ...fields });
  }
}

/** No usable token: `getToken` failed, or a refresh answer held no token. */
export class AuthError extends EventsError {
  constructor(message, fields) {
    super(message, { retryable: false, ...fields });
  }
}

// `name` on each prototype, as for the built-in errors: minifiers may rename the
// classes, never these strings.
for (const [name, cls] of Object.entries({
  EventsError, ValidationError, EventsApiError, CreateEventsError, AbortError, TimeoutError, NetworkError, AuthError,
})) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** What the entry modules hand to the wasm's `__setErrorClasses`. */
export const errorClasses = Object.freeze({
  ValidationError, EventsApiError, CreateEventsError, AbortError, TimeoutError, NetworkError, AuthError,
});
