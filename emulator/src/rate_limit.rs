//! `--rate-limit N`: at most N creates (`POST /events`) a second; beyond it, `429` with
//! `Retry-After`, as a bulk-ingest rate limiter would answer. For testing a client's
//! backpressure; queries and deletes are not limited, so that tests can check what was
//! stored.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimit {
    per_second: u32,
    /// The current one-second window: when it started, and requests admitted in it.
    window: Mutex<(Instant, u32)>,
}

impl RateLimit {
    pub fn new(per_second: u32) -> RateLimit {
        RateLimit { per_second, window: Mutex::new((Instant::now(), 0)) }
    }

    /// `Ok` to let a request through, or `Err(seconds)` for its `Retry-After`.
    pub fn admit(&self) -> Result<(), u64> {
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if now.duration_since(w.0) >= Duration::from_secs(1) {
            *w = (now, 0);
        }
        if w.1 < self.per_second {
            w.1 += 1;
            return Ok(());
        }
        // The window ends within the second: say 1, the smallest whole Retry-After.
        Err(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_n_a_second_then_refuses() {
        let r = RateLimit::new(3);
        assert!((0..3).all(|_| r.admit().is_ok()));
        assert_eq!(r.admit(), Err(1));
        // A window that started over a second ago admits again.
        *r.window.lock().unwrap() = (Instant::now() - Duration::from_millis(1001), 3);
        assert!(r.admit().is_ok());
    }
}
