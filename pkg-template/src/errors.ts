// The package's error classes, and the one place where the engine's error values
// become their instances. The wasm throws and rejects plain objects
// `{ name, message, ...fields, cause? }` (src/wasm/errors.rs); `toError` turns each
// into `new Class(message, fields)`, nested ones (a failed chunk's `error`, a `cause`)
// included. What is not such a value (a user callback's own error) passes unchanged.
import type { FailedChunk, ResumePoint, StoredChunk, ValidationProblem } from './types.js';

/** The `name` of each error class; `err.name` tells them apart like `instanceof`. */
export type EventsErrorName =
  | 'ValidationError'
  | 'EventsApiError'
  | 'CreateEventsError'
  | 'AbortError'
  | 'TimeoutError'
  | 'NetworkError'
  | 'AuthError'
  | 'SourceError';

/** The base class of the client's errors. */
export class EventsError extends Error {
  declare name: EventsErrorName;
  /**
   * What this error wraps: `fetch`'s error for a `NetworkError`, what `getToken` threw
   * for an `AuthError`, the signal's `reason` for an `AbortError`, the first failed
   * chunk's error for a `CreateEventsError`.
   */
  declare cause?: unknown;

  protected constructor(message: string, fields?: object) {
    // `cause` as the platform's errors carry it (own, not enumerable).
    const { cause, ...rest } = (fields ?? {}) as { cause?: unknown };
    super(message, fields != null && 'cause' in fields ? { cause } : undefined);
    Object.assign(this, rest);
  }
}

export interface ValidationErrorFields {
  /** The problems found (the list may be capped; `problemCount` counts them all). */
  problems: ValidationProblem[];
  problemCount: number;
  /** A stream stopped by a bad event: what was stored before it (see `CreateOutcomeFields`). */
  created?: number;
  succeeded?: StoredChunk[];
  /** A stream stopped by a bad event: chunks sent before it that failed after their retries. */
  failed?: FailedChunk[];
  runId?: string;
  resumeFrom?: ResumePoint;
}

/**
 * Events break the contract; nothing was sent (a stream or iterable read chunk by
 * chunk: nothing after the bad event; `created` and `succeeded` say what was stored).
 */
export class ValidationError extends EventsError implements ValidationErrorFields {
  declare name: 'ValidationError';
  declare problems: ValidationProblem[];
  declare problemCount: number;
  declare created?: number;
  declare succeeded?: StoredChunk[];
  declare failed?: FailedChunk[];
  declare runId?: string;
  declare resumeFrom?: ResumePoint;
  constructor(message: string, fields?: Partial<ValidationErrorFields>) {
    super(message, { problems: [], problemCount: 0, ...fields });
  }
}

export interface EventsApiErrorFields {
  /** The HTTP status. */
  status: number;
  /** Passing trouble (408, 409, 425, 429, 500, 502, 503, 504) that outlived the retries. */
  retryable: boolean;
  /** The `message` of the API's error body, as a list. */
  serverMessage: string[];
}

/** The API answered with an error status (after any retries). */
export class EventsApiError extends EventsError implements EventsApiErrorFields {
  declare name: 'EventsApiError';
  declare status: number;
  declare retryable: boolean;
  declare serverMessage: string[];
  constructor(message: string, fields?: Partial<EventsApiErrorFields>) {
    super(message, { status: 0, retryable: false, serverMessage: [], ...fields });
  }
}

export interface CreateOutcomeFields {
  /** Events stored before the failure or the abort. */
  created: number;
  /** The stored chunks, each with its `ids`. */
  succeeded: StoredChunk[];
  /** The chunks not stored (or not known to be): resend these input ranges, or resume with `runId`. */
  failed: FailedChunk[];
  /**
   * The upload's id: `createEvents(events, { chunksize, runId })` with the same events
   * and chunking resumes it without storing anything twice.
   */
  runId?: string;
  /** The end of the contiguous stored prefix: the `resumeFrom` option of a resumed run. */
  resumeFrom?: ResumePoint;
  /**
   * The API refused a compressed body (`415`) during this call: the client sends plain
   * bodies from then on. Set by an upload that had started.
   */
  compressionRefused?: boolean;
  /** Stored chunks whose answer was off the contract (as the result's `warnings`). */
  warnings?: string[];
}

/** Some chunks of a `createEvents` call failed after their retries; the rest are stored. */
export class CreateEventsError extends EventsError implements CreateOutcomeFields {
  declare name: 'CreateEventsError';
  declare created: number;
  declare succeeded: StoredChunk[];
  declare failed: FailedChunk[];
  declare runId: string;
  declare resumeFrom?: ResumePoint;
  declare compressionRefused?: boolean;
  declare warnings?: string[];
  constructor(message: string, fields?: Partial<CreateOutcomeFields>) {
    super(message, { created: 0, succeeded: [], failed: [], ...fields });
  }
}

/**
 * The caller's `AbortSignal` fired. From an upload that `createEvents` had started, it
 * tells what was stored and the `runId` to resume with; otherwise `created` is 0, the
 * lists are empty and `runId` is absent.
 */
/** An `AbortError`'s message, as the engine writes it (src/wasm/errors.rs). */
export const ABORTED = 'the operation was aborted';

export class AbortError extends EventsError implements CreateOutcomeFields {
  declare name: 'AbortError';
  declare created: number;
  declare succeeded: StoredChunk[];
  declare failed: FailedChunk[];
  declare runId?: string;
  declare resumeFrom?: ResumePoint;
  declare compressionRefused?: boolean;
  declare warnings?: string[];
  constructor(message: string, fields?: Partial<CreateOutcomeFields> & { cause?: unknown }) {
    super(message, { created: 0, succeeded: [], failed: [], ...fields });
  }
}

export interface TimeoutErrorFields {
  retryable: boolean;
  /** The bound that was exceeded, in ms. */
  timeoutMs: number;
}

/** No answer within `timeoutMs` (after the retries). */
export class TimeoutError extends EventsError implements TimeoutErrorFields {
  declare name: 'TimeoutError';
  declare retryable: boolean;
  declare timeoutMs: number;
  constructor(message: string, fields?: Partial<TimeoutErrorFields>) {
    super(message, { retryable: true, timeoutMs: 0, ...fields });
  }
}

export interface RetryableFields {
  retryable: boolean;
}

/** The request did not reach the API, or its answer was lost (after the retries). */
export class NetworkError extends EventsError implements RetryableFields {
  declare name: 'NetworkError';
  declare retryable: boolean;
  constructor(message: string, fields?: Partial<RetryableFields>) {
    super(message, { retryable: true, ...fields });
  }
}

export interface AuthErrorFields extends RetryableFields {
  /** The Auth API's status when a renewal was refused (absent when it never answered). */
  status?: number;
}

/**
 * No usable token: `getToken` threw or gave no token, or the token's renewal failed (the
 * Auth API refused the refresh token, kept failing past the retries, or answered no token).
 */
export class AuthError extends EventsError implements AuthErrorFields {
  declare name: 'AuthError';
  declare retryable: boolean;
  declare status?: number;
  constructor(message: string, fields?: Partial<AuthErrorFields>) {
    super(message, { retryable: false, ...fields });
  }
}

/**
 * The source given to `createEvents` failed before anything was sent: a source function
 * threw, a `Blob` could not be read, a stream or a generator failed at its first read;
 * `cause` is what it threw. (A source that fails
 * after chunks were sent rejects with a `CreateEventsError` whose `cause` it is.) Not
 * passing trouble: `retryable` is false.
 */
export class SourceError extends EventsError implements RetryableFields {
  declare name: 'SourceError';
  declare retryable: boolean;
  constructor(message: string, fields?: Partial<RetryableFields> & { cause?: unknown }) {
    super(message, { retryable: false, ...fields });
  }
}

/** Every error the client raises on its own account (not `TypeError`/`RangeError`). */
export type AnyEventsError =
  | ValidationError
  | EventsApiError
  | CreateEventsError
  | AbortError
  | TimeoutError
  | NetworkError
  | AuthError
  | SourceError;

const eventsErrors = {
  ValidationError, EventsApiError, CreateEventsError, AbortError, TimeoutError, NetworkError, AuthError, SourceError,
};

// `name` on each prototype, as for the built-in errors: minifiers may rename the
// classes, never these strings.
for (const [name, cls] of Object.entries(eventsErrors)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** What the engine throws or rejects with (src/wasm/errors.rs). */
interface ErrorValue {
  name: string;
  message: string;
  cause?: unknown;
  failed?: Array<{ error?: unknown }>;
}

/**
 * The brand the engine sets on the error values it makes (src/wasm/errors.rs `build`):
 * only those are converted; a caller's value of the same shape (an abort reason, what
 * `getToken` threw, another realm's `Error`) is passed on as it is.
 */
const ENGINE = Symbol.for('genomcore-events-wasm.error');

function isErrorValue(v: unknown): v is ErrorValue {
  if (typeof v !== 'object' || v === null || (v as Record<symbol, unknown>)[ENGINE] !== true) return false;
  const { name, message } = v as Partial<ErrorValue>;
  return typeof message === 'string' && typeof name === 'string' &&
    // Not Object.hasOwn: Safari before 15.4 and Firefox before 92 lack it.
    (Object.prototype.hasOwnProperty.call(eventsErrors, name) || name === 'TypeError' || name === 'RangeError');
}

/**
 * The error the engine threw or rejected with, as an instance of its class; anything
 * else unchanged. A failed chunk's `error` is converted too, and a `cause` that is one
 * of them becomes the same instance (`CreateEventsError.cause` is `failed[0].error`);
 * any other engine error as a `cause` is converted as well.
 */
export function toError(value: unknown): unknown {
  if (!isErrorValue(value)) return value;
  const { name, message, [ENGINE]: _brand, ...fields } = value as ErrorValue & { [ENGINE]?: true };
  const made = new Map<unknown, unknown>();
  for (const chunk of fields.failed ?? []) {
    const error = toError(chunk.error);
    made.set(chunk.error, error);
    chunk.error = error;
  }
  if (made.has(fields.cause)) fields.cause = made.get(fields.cause);
  // An engine error as the cause (an AuthError's failed renewal: the Auth API's
  // EventsApiError, a NetworkError, a TimeoutError) is made an instance too.
  else if ('cause' in fields) fields.cause = toError(fields.cause);
  if (name === 'TypeError' || name === 'RangeError') {
    // The platform's argument errors: its own classes, as any JS API throws them.
    const { cause, ...rest } = fields;
    const Platform = name === 'TypeError' ? TypeError : RangeError;
    return Object.assign(new Platform(message, 'cause' in fields ? { cause } : undefined), rest);
  }
  const Class = eventsErrors[name as keyof typeof eventsErrors] as new (message: string, fields: object) => EventsError;
  return new Class(message, fields);
}

/** Throws what the engine threw or rejected with, as an instance of its class. */
export function rethrow(value: unknown): never {
  throw toError(value);
}
