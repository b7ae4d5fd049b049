//! What every request handler shares.

use std::sync::Arc;

use crate::auth::TokenClock;
use crate::faults::{Faults, Holds};
use crate::stats::Stats;
use crate::store::Store;

pub struct Config {
    pub secret: String,
    pub token_ttl_secs: u64,
    pub max_body_bytes: u64,
    pub test_hooks: bool,
    pub log: bool,
}

pub struct AppState {
    pub cfg: Config,
    pub store: Arc<Store>,
    pub stats: Stats,
    pub faults: Faults,
    /// Requests held by `hold` faults.
    pub holds: Holds,
    /// The clock tokens are issued and checked by, and tokens expired on demand.
    pub tokens: TokenClock,
}
