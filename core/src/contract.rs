//! Every detail of the contract, `docs/events-api.md`, that the client depends on lives here,
//! the ASSUMED ones above all, so that one edit fixes them once the real OpenAPI at
//! `https://events-api.genomcore.net/api/docs` is checked.
//! Pure logic: no JS, no I/O. Everything here runs under native `cargo test`.

// ---------------------------------------------------------------- hosts

/// Events API base URL, production. Host seen in the SDK docs; `/api/v1` ASSUMED.
pub const PROD_EVENTS_URL: &str = "https://events-api.genomcore.net/api/v1";
/// Auth API base URL, production (seen in a public client of the auth service).
pub const PROD_AUTH_URL: &str = "https://auth-api.genomcore.net/api/v1";
/// Events API base URL, development. ASSUMED from the sibling `-apidev` services.
pub const DEV_EVENTS_URL: &str = "https://events-apidev.genomcore.net/api/v1";
/// Auth API base URL, development.
pub const DEV_AUTH_URL: &str = "https://auth-apidev.genomcore.net/api/v1";
/// The local emulator serves both the events and the auth API on this base URL.
pub const EMULATOR_URL: &str = "http://127.0.0.1:8787/api/v1";

/// Which hosted environment a client talks to; `Prod` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Env {
    #[default]
    Prod,
    Dev,
}

impl Env {
    /// Base URL of the Events API in this environment.
    pub fn events_url(self) -> &'static str {
        match self {
            Env::Prod => PROD_EVENTS_URL,
            Env::Dev => DEV_EVENTS_URL,
        }
    }

    /// Base URL of the Auth API in this environment.
    pub fn auth_url(self) -> &'static str {
        match self {
            Env::Prod => PROD_AUTH_URL,
            Env::Dev => DEV_AUTH_URL,
        }
    }
}

// ---------------------------------------------------------------- paths

/// `POST` creates events, `DELETE ?collection=` deletes a collection.
pub const EVENTS_PATH: &str = "/events";
/// `POST ?page=&pageSize=` with a JSON body queries events (ASSUMED path: a browser
/// cannot send a body with GET).
pub const QUERY_PATH: &str = "/events/query";
/// `POST {auth}/auth/refresh-token` (path seen; bodies ASSUMED).
pub const REFRESH_PATH: &str = "/auth/refresh-token";
/// `POST {auth}/auth/login`: the emulator's, for demos and tests; not used by the client.
pub const LOGIN_PATH: &str = "/auth/login";

// ---------------------------------------------------------------- headers

/// Request header naming a create request, so that a retry does not duplicate events.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Longest `Idempotency-Key` the server keeps (ASSUMED).
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;
/// How long the server remembers an idempotency key (ASSUMED: 24 hours).
pub const IDEMPOTENCY_WINDOW_SECS: u64 = 24 * 60 * 60;
/// Response header honoured before a retry: delta-seconds or an HTTP date.
pub const RETRY_AFTER_HEADER: &str = "Retry-After";
/// Every request carries `Authorization: Bearer <access token>`.
pub const AUTHORIZATION_HEADER: &str = "Authorization";
/// Prefix of the `Authorization` value.
pub const BEARER_PREFIX: &str = "Bearer ";

// ---------------------------------------------------------------- limits and defaults

/// Most events in one create request (the SDK's "max for a single chunk").
pub const MAX_EVENTS_PER_REQUEST: usize = 100_000;
/// Largest `pageSize` a query accepts.
pub const MAX_PAGE_SIZE: u32 = 10_000;
/// `pageSize` when the caller gives none (the SDK's default).
pub const DEFAULT_PAGE_SIZE: u32 = 10_000;
/// First page number: pages are 0-based (the SDK's default).
pub const DEFAULT_PAGE: u32 = 0;
/// Query pages requested ahead of the one being read (`queryAll`, `exportEvents`), once
/// the first answer's `total` says they exist: each page's round trip then overlaps the
/// one before it. Over a 40 ms, 50 Mbit/s link, 100,000 events in pages of 10,000 came
/// 1.4x faster with requests overlapped (bench/query.mjs, link rows).
pub const QUERY_PAGES_AHEAD: u32 = 1;
/// Events per create request when the caller gives no `chunksize` (the SDK's default).
pub const DEFAULT_CHUNKSIZE: usize = 10_000;
/// Our own cap on a create body, in bytes: below the emulator's 32 MiB limit; the real
/// service's limit is unknown, and a `413` splits the chunk anyway.
pub const DEFAULT_MAX_CHUNK_BYTES: usize = 16 * 1024 * 1024;
/// Chunks in flight at once when the caller gives no `concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Retries of one request for passing trouble when the caller gives no `maxRetries`.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Bound on one request when the caller gives no `timeoutMs`.
pub const DEFAULT_TIMEOUT_MS: u32 = 60_000;
/// Window of the first retry's random wait (full jitter), in ms; it doubles per retry.
pub const DEFAULT_BACKOFF_BASE_MS: u64 = 500;
/// Largest window of a retry's random wait, in ms.
pub const DEFAULT_BACKOFF_CAP_MS: u64 = 30_000;
/// Smallest create body that `compression: 'auto'` gzips (as InfluxDB's client does,
/// about 1 KB: below it the gzip header and the CPU outweigh the bytes saved).
pub const GZIP_THRESHOLD_BYTES: usize = 1024;
/// Request header naming a compressed body, and its value for gzip.
pub const CONTENT_ENCODING_HEADER: &str = "Content-Encoding";
pub const GZIP_ENCODING: &str = "gzip";
/// Bytes of validated request bodies an upload keeps to send as they are (beyond it,
/// a body is serialized and validated again when its turn comes): 64 MiB.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 64 * 1024 * 1024;
/// Renew the access token when its `exp` is less than this many seconds away (as the
/// Python SDK does).
pub const RENEW_BEFORE_SECS: i64 = 15 * 60;

// ---------------------------------------------------------------- the event

/// Every field an event may carry in a create request, in the contract's order.
pub const EVENT_FIELDS: [&str; 9] = [
    "owner",
    "collection",
    "start",
    "end",
    "value",
    "type",
    "source",
    "externalId",
    "batch",
];
/// Fields the server adds to a stored event; a create request must not carry them.
pub const SERVER_FIELDS: [&str; 2] = ["id", "createdAt"];

// ---------------------------------------------------------------- bodies and query strings

/// Access token in the refresh (and login) answer.
pub const TOKEN_FIELD: &str = "token";
/// Refresh token in the refresh request, and (optional) in its answer. ASSUMED.
pub const REFRESH_TOKEN_FIELD: &str = "refreshToken";
/// Login body fields (emulator only).
pub const LOGIN_USERNAME_FIELD: &str = "username";
pub const LOGIN_PASSWORD_FIELD: &str = "password";
pub const LOGIN_ORGANIZATION_FIELD: &str = "organizationId";
/// `201 {"created": n, "ids": [...]}` answer to a create (ASSUMED shape).
pub const CREATED_FIELD: &str = "created";
/// Ids of the created events, in input order (ASSUMED).
pub const IDS_FIELD: &str = "ids";
/// `200 {"items": [...], "page", "pageSize", "total"}` answer to a query (`items` seen,
/// the rest ASSUMED).
pub const ITEMS_FIELD: &str = "items";
/// Number of events matching a query, over all pages (ASSUMED).
pub const TOTAL_FIELD: &str = "total";
/// `200 {"deleted": n}` answer to a delete (ASSUMED).
pub const DELETED_FIELD: &str = "deleted";
/// Query-string parameter (and answer field) of the 0-based page number.
pub const PAGE_PARAM: &str = "page";
/// Query-string parameter (and answer field) of the page size.
pub const PAGE_SIZE_PARAM: &str = "pageSize";
/// Query-string parameter of a delete.
pub const COLLECTION_PARAM: &str = "collection";
/// NestJS error body fields: `{"statusCode", "error", "message": string | [string]}`
/// (ASSUMED).
pub const ERROR_STATUS_FIELD: &str = "statusCode";
pub const ERROR_ERROR_FIELD: &str = "error";
pub const ERROR_MESSAGE_FIELD: &str = "message";

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn env_urls() {
        assert_eq!(Env::default(), Env::Prod);
        assert_eq!(
            Env::Prod.events_url(),
            "https://events-api.genomcore.net/api/v1"
        );
        assert_eq!(
            Env::Dev.auth_url(),
            "https://auth-apidev.genomcore.net/api/v1"
        );
    }
}
