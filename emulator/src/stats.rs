//! Requests received since start, by kind, and faults injected, for
//! `GET /__emulator/stats`.

use std::sync::atomic::{AtomicU64, Ordering};

use http::Method;

use crate::faults::Fault;
use crate::paths;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Create,
    Query,
    Delete,
    Auth,
}

impl Kind {
    /// Which counter a request feeds, if any (preflights feed none). Any `/events*`
    /// request that is neither a query nor a delete counts as a create attempt.
    pub fn of(method: &Method, path: &str) -> Option<Kind> {
        if method == Method::OPTIONS {
            return None;
        }
        if path == paths::EVENTS_QUERY.as_str() {
            Some(Kind::Query)
        } else if path == paths::EVENTS.as_str() && method == Method::DELETE {
            Some(Kind::Delete)
        } else if paths::is_events(path) {
            Some(Kind::Create)
        } else if paths::is_auth(path) {
            Some(Kind::Auth)
        } else {
            None
        }
    }
}

#[derive(Default)]
pub struct Stats {
    create: AtomicU64,
    query: AtomicU64,
    delete: AtomicU64,
    auth: AtomicU64,
    /// Injected faults, by kind: what a test injected, to report with its figures.
    faults: [AtomicU64; 7],
    /// Requests answered 429 by `--rate-limit`.
    rate_limited: AtomicU64,
    /// Creates answered from the idempotency record (a retry or a resumed run's chunk
    /// that was stored already): nothing stored, so tests can tell what was sent anew.
    replayed: AtomicU64,
}

/// The fault kinds counted, in the order of `Stats::faults`.
const FAULT_NAMES: [&str; 7] = ["503", "429", "reset", "lost-response", "delay", "hold", "hold-claimed"];

impl Stats {
    /// Counts one injected fault (`ok` entries of a sequence are not faults).
    pub fn count_fault(&self, fault: Fault) {
        let i = match fault {
            Fault::Ok => return,
            Fault::Unavailable => 0,
            Fault::TooMany => 1,
            Fault::Reset => 2,
            Fault::LostResponse => 3,
            Fault::Delay(_) => 4,
            Fault::Hold => 5,
            Fault::HoldClaimed => 6,
        };
        self.faults[i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_replayed(&self) {
        self.replayed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count(&self, kind: Kind) {
        let c = match kind {
            Kind::Create => &self.create,
            Kind::Query => &self.query,
            Kind::Delete => &self.delete,
            Kind::Auth => &self.auth,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters, with the events stored now and the requests held now.
    pub fn snapshot(&self, events: i64, held: usize) -> serde_json::Value {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let faults: serde_json::Map<String, serde_json::Value> = FAULT_NAMES
            .iter()
            .zip(&self.faults)
            .map(|(name, c)| (name.to_string(), g(c).into()))
            .collect();
        serde_json::json!({
            "events": events,
            "held": held,
            "requests": {
                "create": g(&self.create),
                "query": g(&self.query),
                "delete": g(&self.delete),
                "auth": g(&self.auth),
            },
            "faults": faults,
            "rateLimited": g(&self.rate_limited),
            "replayed": g(&self.replayed),
        })
    }
}
