//! Every route path, in one place: the contract's ASSUMED paths change here only.

/// The API prefix (NestJS global prefix on the real services).
pub const API: &str = "/api/v1";
pub const EVENTS: &str = "/api/v1/events";
pub const EVENTS_QUERY: &str = "/api/v1/events/query";
pub const LOGIN: &str = "/api/v1/auth/login";
pub const REFRESH: &str = "/api/v1/auth/refresh-token";
pub const DOCS: &str = "/api/docs";
pub const DOCS_JSON: &str = "/api/docs-json";
pub const HOOK_STATS: &str = "/__emulator/stats";
pub const HOOK_FAULTS: &str = "/__emulator/faults";
pub const HOOK_RELEASE: &str = "/__emulator/release";
pub const HOOK_EXPIRE_TOKENS: &str = "/__emulator/expire-tokens";
pub const HOOK_CLOCK: &str = "/__emulator/clock";

/// `/api/v1/events` and anything below it: the requests that faults apply to.
pub fn is_events(path: &str) -> bool {
    path == EVENTS || path.starts_with("/api/v1/events/")
}

pub fn is_auth(path: &str) -> bool {
    path.starts_with("/api/v1/auth/")
}
