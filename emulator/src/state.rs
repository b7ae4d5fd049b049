//! What every request handler shares.

use std::sync::Arc;

use crate::auth::TokenClock;
use crate::faults::{Faults, Holds};
use crate::idempotency::InFlight;
use crate::rate_limit::RateLimit;
use crate::stats::Stats;
use crate::store::Store;

pub struct Config {
    pub secret: String,
    pub token_ttl_secs: u64,
    pub max_body_bytes: u64,
    /// Answer `415` to every compressed request body (`--refuse-content-encoding`).
    pub refuse_content_encoding: bool,
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
    /// Idempotency-Keys whose create is being processed now.
    pub in_flight: Arc<InFlight>,
    /// `--rate-limit`: creates a second beyond which the Events API answers 429.
    pub rate_limit: Option<RateLimit>,
}
