//! Injected faults for `/api/v1/events*` requests (test hooks only): by rate with a
//! seeded generator, or as a sequence consumed one request at a time; and the holds
//! that keep a request waiting until a test releases it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

pub const DEFAULT_DELAY_MS: u64 = 2000;
const MAX_DELAY_MS: u64 = 600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Handle normally (a sequence entry).
    Ok,
    Unavailable,
    TooMany,
    /// Close the connection before any answer.
    Reset,
    /// Handle (a create commits), then close without answering.
    LostResponse,
    Delay(u64),
    /// (sequence only) Wait until `POST /__emulator/release`, then handle normally. A
    /// create waits once its Idempotency-Key is registered as in flight.
    Hold,
}

fn kind_of(name: &str, delay_ms: u64) -> Option<Fault> {
    Some(match name {
        "ok" => Fault::Ok,
        "503" => Fault::Unavailable,
        "429" => Fault::TooMany,
        "reset" => Fault::Reset,
        "lost-response" => Fault::LostResponse,
        "delay" => Fault::Delay(delay_ms),
        "hold" => Fault::Hold,
        _ => return None,
    })
}

/// SplitMix64: tiny, seeded, good enough to draw faults reproducibly.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

enum Plan {
    None,
    Rate {
        rate: f64,
        kinds: Vec<Fault>,
        rng: Rng,
    },
    Sequence(VecDeque<Fault>),
}

pub struct Faults {
    plan: Mutex<Plan>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            plan: Mutex::new(Plan::None),
        }
    }
}

impl Faults {
    /// The fault for the next events request, if any.
    pub fn next(&self) -> Option<Fault> {
        let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *plan {
            Plan::None => None,
            Plan::Sequence(q) => {
                let f = q.pop_front();
                if q.is_empty() {
                    *plan = Plan::None;
                }
                f.filter(|f| *f != Fault::Ok)
            }
            Plan::Rate { rate, kinds, rng } => {
                if rng.unit() < *rate {
                    let i = (rng.next_u64() % kinds.len() as u64) as usize;
                    Some(kinds[i])
                } else {
                    None
                }
            }
        }
    }

    pub fn clear(&self) {
        *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = Plan::None;
    }

    /// Sets the plan from a `POST /__emulator/faults` body; answers what was set.
    pub fn set(&self, body: &Value) -> Result<Value, String> {
        let Value::Object(m) = body else {
            return Err("body must be a JSON object".into());
        };
        for k in m.keys() {
            if !["rate", "kinds", "delayMs", "seed", "sequence"].contains(&k.as_str()) {
                return Err(format!(
                    "{k} is not an allowed key (allowed: rate, kinds, delayMs, seed, sequence)"
                ));
            }
        }
        let delay_ms = match m.get("delayMs") {
            None => DEFAULT_DELAY_MS,
            Some(v) => v.as_u64().filter(|d| *d <= MAX_DELAY_MS).ok_or(format!(
                "delayMs must be an integer from 0 to {MAX_DELAY_MS}"
            ))?,
        };
        // `ok` and `hold` only make sense one request at a time: sequences only.
        let names = |key: &str, sequence: bool| -> Result<Vec<Fault>, String> {
            let Some(Value::Array(items)) = m.get(key) else {
                return Err(format!("{key} must be an array"));
            };
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| kind_of(s, delay_ms))
                        .filter(|f| sequence || !matches!(f, Fault::Ok | Fault::Hold))
                        .ok_or(format!(
                            "{key} entries must be one of{} \"503\", \"429\", \"reset\", \"lost-response\", \"delay\"{}",
                            if sequence { " \"ok\"," } else { "" },
                            if sequence { ", \"hold\"" } else { "" }
                        ))
                })
                .collect()
        };
        let plan = match (m.contains_key("sequence"), m.contains_key("rate")) {
            (true, true) => return Err("give either rate or sequence, not both".into()),
            (false, false) => return Err("give rate (with kinds) or sequence".into()),
            (true, false) => {
                if m.contains_key("kinds") || m.contains_key("seed") {
                    return Err("kinds and seed go with rate, not sequence".into());
                }
                Plan::Sequence(names("sequence", true)?.into())
            }
            (false, true) => {
                let rate = m
                    .get("rate")
                    .and_then(Value::as_f64)
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or("rate must be a number from 0 to 1")?;
                let kinds = names("kinds", false)?;
                if kinds.is_empty() {
                    return Err("kinds must not be empty".into());
                }
                let seed = match m.get("seed") {
                    None => crate::store::now_ms() as u64,
                    Some(v) => v.as_u64().ok_or("seed must be a non-negative integer")?,
                };
                Plan::Rate {
                    rate,
                    kinds,
                    rng: Rng(seed),
                }
            }
        };
        let summary = match &plan {
            Plan::Sequence(q) => json!({"sequence": q.len(), "delayMs": delay_ms}),
            Plan::Rate { rate, kinds, .. } => {
                json!({"rate": rate, "kinds": kinds.len(), "delayMs": delay_ms})
            }
            Plan::None => json!({}),
        };
        *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = if matches!(&plan, Plan::Sequence(q) if q.is_empty())
        {
            Plan::None
        } else {
            plan
        };
        Ok(summary)
    }
}

/// Put on a create request held by a `hold` fault: the handler waits (`Holds::wait`)
/// once its Idempotency-Key is claimed, so that the key is seen in flight meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct HoldInHandler;

/// Requests held by a `hold` fault: each waits until the next release (or at most the
/// longest delay, so that a forgotten hold cannot keep a request forever).
pub struct Holds {
    held: AtomicU64,
    generation: tokio::sync::watch::Sender<u64>,
}

impl Default for Holds {
    fn default() -> Self {
        Holds {
            held: AtomicU64::new(0),
            generation: tokio::sync::watch::Sender::new(0),
        }
    }
}

/// Counts a request as held while it lives (also when its future is dropped).
struct Held<'a>(&'a AtomicU64);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Holds {
    /// Waits until the next `release`.
    pub async fn wait(&self) {
        let mut rx = self.generation.subscribe();
        rx.borrow_and_update();
        self.held.fetch_add(1, Ordering::SeqCst);
        let _held = Held(&self.held);
        let _ = tokio::time::timeout(Duration::from_millis(MAX_DELAY_MS), rx.changed()).await;
    }

    /// Lets every held request go on; answers how many were held.
    pub fn release(&self) -> u64 {
        let n = self.held();
        self.generation.send_modify(|g| *g += 1);
        n
    }

    /// Requests waiting now.
    pub fn held(&self) -> u64 {
        self.held.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_then_nothing() {
        let f = Faults::default();
        f.set(&json!({"sequence": ["503", "ok", "delay"], "delayMs": 5}))
            .unwrap();
        assert_eq!(f.next(), Some(Fault::Unavailable));
        assert_eq!(f.next(), None);
        assert_eq!(f.next(), Some(Fault::Delay(5)));
        assert_eq!(f.next(), None);
        f.set(&json!({"sequence": ["hold"]})).unwrap();
        assert_eq!(f.next(), Some(Fault::Hold));
        assert_eq!(f.next(), None);
    }

    #[tokio::test]
    async fn a_hold_waits_for_the_release() {
        let h = std::sync::Arc::new(Holds::default());
        let h2 = h.clone();
        let waiter = tokio::spawn(async move { h2.wait().await });
        while h.held() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(!waiter.is_finished());
        assert_eq!(h.release(), 1);
        waiter.await.unwrap();
        assert_eq!(h.held(), 0);
    }

    #[test]
    fn rate_is_seeded_and_roughly_right() {
        let draw = || {
            let f = Faults::default();
            f.set(&json!({"rate": 0.2, "kinds": ["503", "429"], "seed": 7}))
                .unwrap();
            (0..10_000).map(|_| f.next()).collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((1700..2300).contains(&hits), "{hits}");
    }

    #[test]
    fn refuses_bad_plans() {
        let f = Faults::default();
        for b in [
            json!([]),
            json!({"rate": 2, "kinds": ["503"]}),
            json!({"rate": 0.5, "kinds": []}),
            json!({"rate": 0.5, "kinds": ["boom"]}),
            json!({"sequence": ["503"], "rate": 0.1}),
            json!({"sequence": "503"}),
            json!({"other": 1}),
            json!({"rate": 0.5, "kinds": ["hold"]}),
            json!({"rate": 0.5, "kinds": ["ok"]}),
        ] {
            assert!(f.set(&b).is_err(), "{b}");
        }
    }
}
