//! What every request handler shares.

use std::sync::Arc;

use crate::faults::{Faults, Holds};
use crate::idempotency::InFlight;
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
    pub holds: Holds,
    /// Idempotency-Keys whose create is being processed now.
    pub in_flight: Arc<InFlight>,
}
