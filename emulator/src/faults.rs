//! Injected faults for `/api/v1/events*` requests (test hooks only): by rate with a
//! seeded generator, or as a sequence consumed one request at a time; and the requests
//! held by a `hold` fault until a test releases them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const DEFAULT_DELAY_MS: u64 = 2000;
const MAX_DELAY_MS: u64 = 600_000;
/// The longest a `hold` fault holds a request: then it is handled as if released, so
/// that a test that forgets to release cannot hang anything for ever.
pub const HOLD_CAP: Duration = Duration::from_secs(60);

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
    /// Wait, unhandled, until released through `POST /__emulator/release` (or `HOLD_CAP`).
    Hold,
    /// As `Hold`, but a create is held inside its handler once its Idempotency-Key is
    /// claimed as in flight (another request with the key meanwhile gets `409`); its
    /// token was already checked. Other requests are held as by `Hold`.
    HoldClaimed,
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
        "hold-claimed" => Fault::HoldClaimed,
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
        let names = |key: &str, allow_ok: bool| -> Result<Vec<Fault>, String> {
            let Some(Value::Array(items)) = m.get(key) else {
                return Err(format!("{key} must be an array"));
            };
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| kind_of(s, delay_ms))
                        .filter(|f| allow_ok || *f != Fault::Ok)
                        .ok_or(format!(
                            "{key} entries must be one of{} \"503\", \"429\", \"reset\", \"lost-response\", \"delay\", \"hold\", \"hold-claimed\"",
                            if allow_ok { " \"ok\"," } else { "" }
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

/// Put on a create request held by a `hold` fault: the handler holds it once its
/// Idempotency-Key is claimed, so that the key is seen in flight meanwhile (`409`).
#[derive(Clone, Copy, Debug)]
pub struct HoldInHandler;

/// Put on the answer of a create released with `then: "reset"` from inside the
/// handler: the connection is closed with no answer, as for other held requests.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// What a released request does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Handled normally (a create commits), answered if its client still listens.
    Handle,
    /// Its connection is closed with no answer; nothing is handled.
    Reset,
}

impl Then {
    pub fn parse(name: &str) -> Option<Then> {
        match name {
            "handle" => Some(Then::Handle),
            "reset" => Some(Then::Reset),
            _ => None,
        }
    }
}

/// A held request's release: what to do, and a token it drops once handled (or
/// dropped), which the releasing hook waits for.
pub struct Released {
    pub then: Then,
    pub done: Option<oneshot::Sender<()>>,
}

/// The requests a `hold` fault is holding, oldest first.
#[derive(Default)]
pub struct Holds {
    next_id: AtomicU64,
    waiting: Mutex<VecDeque<(u64, oneshot::Sender<Released>)>>,
}

/// Takes a held request off the list when it stops waiting for any reason (released,
/// `HOLD_CAP`, or its connection dropped by the client).
struct Unlist<'a>(&'a Holds, u64);

impl Drop for Unlist<'_> {
    fn drop(&mut self) {
        self.0.lock().retain(|(id, _)| *id != self.1);
    }
}

impl Holds {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, oneshot::Sender<Released>)>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds the calling request until released, or for `HOLD_CAP` (then: handled).
    pub async fn hold(&self) -> Released {
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push_back((id, tx));
        let _unlist = Unlist(self, id);
        match tokio::time::timeout(HOLD_CAP, rx).await {
            Ok(Ok(released)) => released,
            _ => Released {
                then: Then::Handle,
                done: None,
            },
        }
    }

    /// Requests held now.
    pub fn held(&self) -> usize {
        self.lock().len()
    }

    /// Releases the `count` oldest held requests (all with `None`); resolves, with how
    /// many were released, once each has been handled or dropped.
    pub async fn release(&self, count: Option<usize>, then: Then) -> usize {
        let taken: Vec<_> = {
            let mut q = self.lock();
            let n = count.unwrap_or(q.len()).min(q.len());
            q.drain(..n).collect()
        };
        let mut handled = Vec::new();
        for (_, tx) in taken {
            let (done, finished) = oneshot::channel::<()>();
            // A request whose connection went away meanwhile is not counted.
            if tx
                .send(Released {
                    then,
                    done: Some(done),
                })
                .is_ok()
            {
                handled.push(finished);
            }
        }
        let n = handled.len();
        for finished in handled {
            // The sender is dropped, never used: dropped = handled (or connection gone).
            let _ = tokio::time::timeout(HOLD_CAP, finished).await;
        }
        n
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
    async fn holds_wait_for_their_release_oldest_first() {
        let holds = std::sync::Arc::new(Holds::default());
        let spawn = |h: std::sync::Arc<Holds>| tokio::spawn(async move { h.hold().await.then });
        let first = spawn(holds.clone());
        while holds.held() < 1 {
            tokio::task::yield_now().await;
        }
        let second = spawn(holds.clone());
        while holds.held() < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(holds.release(Some(1), Then::Reset).await, 1);
        assert_eq!(first.await.unwrap(), Then::Reset);
        assert_eq!(holds.held(), 1);
        assert_eq!(holds.release(None, Then::Handle).await, 1);
        assert_eq!(second.await.unwrap(), Then::Handle);
        assert_eq!(holds.held(), 0);
        assert_eq!(holds.release(None, Then::Handle).await, 0);
        // A held request that goes away (its connection dropped) leaves the list.
        let gone = spawn(holds.clone());
        while holds.held() < 1 {
            tokio::task::yield_now().await;
        }
        gone.abort();
        let _ = gone.await;
        assert_eq!(holds.held(), 0);
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
        ] {
            assert!(f.set(&b).is_err(), "{b}");
        }
    }
}
