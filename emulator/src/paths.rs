//! Every route path, in one place. The API's paths are the contract's
//! (`genomcore_events_core::contract`, where the ASSUMED ones change in one edit) under
//! the base path of its base URLs.

use std::sync::LazyLock;

use genomcore_events_core::contract;

/// The API prefix (NestJS global prefix on the real services): the path of the
/// contract's base URLs.
pub const API: &str = "/api/v1";

fn api(path: &str) -> String {
    format!("{API}{path}")
}

pub static EVENTS: LazyLock<String> = LazyLock::new(|| api(contract::EVENTS_PATH));
pub static EVENTS_QUERY: LazyLock<String> = LazyLock::new(|| api(contract::QUERY_PATH));
pub static LOGIN: LazyLock<String> = LazyLock::new(|| api(contract::LOGIN_PATH));
pub static REFRESH: LazyLock<String> = LazyLock::new(|| api(contract::REFRESH_PATH));
pub const DOCS: &str = "/api/docs";
pub const DOCS_JSON: &str = "/api/docs-json";
pub const HOOK_STATS: &str = "/__emulator/stats";
pub const HOOK_FAULTS: &str = "/__emulator/faults";
pub const HOOK_RELEASE: &str = "/__emulator/release";
pub const HOOK_EXPIRE_TOKENS: &str = "/__emulator/expire-tokens";
pub const HOOK_CLOCK: &str = "/__emulator/clock";

/// `/api/v1/events` and anything below it: the requests that faults apply to.
pub fn is_events(path: &str) -> bool {
    path.strip_prefix(EVENTS.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub fn is_auth(path: &str) -> bool {
    path.strip_prefix(API).is_some_and(|rest| rest.starts_with("/auth/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_are_the_contracts_under_its_base_path() {
        assert!(contract::EMULATOR_URL.ends_with(API));
        assert_eq!(*EVENTS, "/api/v1/events");
        assert_eq!(*EVENTS_QUERY, "/api/v1/events/query");
        assert_eq!(*REFRESH, "/api/v1/auth/refresh-token");
        assert!(is_events("/api/v1/events") && is_events("/api/v1/events/query"));
        assert!(!is_events("/api/v1/eventsx") && !is_events("/api/v1/auth/login"));
        assert!(is_auth("/api/v1/auth/login") && !is_auth("/api/v1/events"));
    }
}
