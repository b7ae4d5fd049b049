//! Access tokens: the caller's own (with a refresh token), or a `getToken` callback.
//! Renewal as the contract says: when `exp` is under 15 minutes away, and once after
//! a 401. Tokens live only here and in the `Authorization` header.

use crate::prelude::*;
use super::cell::RefCell;
use core::cell::Cell;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;

use js_sys::{Function, JsString, Object};
use wasm_bindgen::{JsCast, JsValue};
use super::settle::Settled;

use crate::core::json_scan::quoted;
use crate::core::retry::{classify_status, Disposition};
use crate::core::token;
use crate::contract::{REFRESH_TOKEN_FIELD, TOKEN_FIELD};

use super::abort::AbortWatch;
use super::errors::{ClientError, Failure};
use super::js::Obj;
use super::net::Net;
use super::transport::{Answer, Called};
use super::wait::{Boxed, Enter, Held, Sleep, Slots};

pub enum Credentials {
    Tokens { access: String, refresh: Option<String> },
    Callback(Function),
}

pub struct Auth {
    credentials: RefCell<Credentials>,
    refresh_url: String,
    /// How requests leave: the session's calls reach it here too (one owner, no `Rc`).
    pub net: Net,
    /// Bumped by every renewal, so that concurrent 401s renew only once.
    generation: Cell<u64>,
    /// Renewals one at a time: a slot taken while one is under way.
    renewals: Slots,
    /// Renewals that failed, and the last one's failure: told to the requests that
    /// waited on it.
    refusals: Cell<u64>,
    refused: RefCell<Option<Refusal>>,
    /// The Auth API refused the refresh token (a 4xx, or an answer without a token): it
    /// is not sent again, however many requests need it (servers may lock an account
    /// that reuses a revoked refresh token), and nothing else can renew it.
    refused_for_good: Cell<bool>,
    /// A request's token got a 401 and its renewal was refused for good: every later
    /// request would be sent only to be refused, so none is.
    dead_end: Cell<bool>,
    /// Retries of a renewal's passing trouble (the client's `maxRetries`).
    max_retries: u32,
    /// The renewal's request (`call::refresh_call`, given by the client: this module
    /// does not import `call`, which imports it).
    refresh_call: RefreshCall,
}

/// Why a renewal failed (never a token), the Auth API's status, and the error behind it.
struct Refusal {
    why: String,
    status: Option<u16>,
    cause: Option<JsValue>,
}

/// Sends the refresh body to the URL, retrying its passing trouble up to `max_retries` times.
pub type RefreshCall = for<'a> fn(&'a str, &'a JsString, u32, u32, &'a Net, &'a AbortWatch) -> Boxed<'a, Called<Answer>>;

/// Waits for the renewal under way, if any, then takes the turn: a slot of `renewals`
/// (`Slots` of one, whose waiting tasks are woken when the turn is given back, however
/// the renewal ends; not a Promise per renewal awaited by the waiting ones). The
/// caller's abort ends the wait: another call's renewal may take its whole retry budget.
/// One `poll_fn` (not an async fn looping on awaits: one state machine fewer), which
/// its caller awaits at once.
fn take_turn<'a>(renewals: &'a Slots, abort: &'a AbortWatch) -> impl Future<Output = Result<Held<'a>, Failure>> + 'a {
    let (mut fired, mut waiting) = (abort.fired(), false);
    poll_fn(move |cx| loop {
        if waiting && Pin::new(&mut fired).poll(cx).is_ready() {
            return Poll::Ready(Err(abort.error()));
        }
        if let Poll::Ready(turn) = Pin::new(&mut Enter(Some(renewals))).poll(cx) {
            return Poll::Ready(Ok(turn));
        }
        if waiting {
            return Poll::Pending;
        }
        // A renewal is under way: the abort is checked before the wait, as after each wake.
        waiting = true;
    })
}

/// The token a request was sent with, and which renewal it came from.
pub struct Bearer {
    pub token: String,
    generation: u64,
}

impl Auth {
    pub fn new(credentials: Credentials, refresh_url: String, net: Net, max_retries: u32, refresh_call: RefreshCall) -> Auth {
        Auth {
            credentials: RefCell::new(credentials),
            refresh_url,
            net,
            generation: Cell::new(0),
            renewals: Slots::new(1),
            refusals: Cell::new(0),
            refused: RefCell::new(None),
            refused_for_good: Cell::new(false),
            dead_end: Cell::new(false),
            max_retries,
            refresh_call,
        }
    }

    /// The token to send now, renewed first when it is about to expire.
    pub async fn bearer(&self, timeout_ms: u32, abort: &AbortWatch) -> Result<Bearer, Failure> {
        let callback = match &*self.credentials.borrow() {
            Credentials::Callback(f) => Some(f.clone()),
            Credentials::Tokens { .. } => None,
        };
        // The token from either source, made a `Bearer` in one place.
        let token = match callback {
            Some(get_token) => call_get_token(&get_token, timeout_ms, abort).await?,
            None => {
                if self.dead_end.get() {
                    return Err(self.refusal());
                }
                let (access, can_refresh) = self.tokens();
                let now = super::js::now_ms() / 1000.0;
                if can_refresh && token::needs_renewal(&access, now) {
                    if let Err(e) = self.renew(self.generation.get(), timeout_ms, abort).await {
                        // The old token may still have minutes to live: use it rather than fail.
                        let still_valid = token::jwt_expiry(&access).is_some_and(|exp| exp as f64 > now);
                        if !still_valid {
                            return Err(e);
                        }
                    }
                }
                self.tokens().0
            }
        };
        Ok(Bearer { token, generation: self.generation.get() })
    }

    /// After a 401, before any renewal: `Some(answer)` when none is to be made (whether
    /// a retry may help: `getToken` is asked again for it; without a refresh token it
    /// cannot), `None` when `renew_after_401` is to renew.
    pub fn retry_without_renewal(&self) -> Option<bool> {
        // Read in place (not through `tokens`, which copies the access token).
        match &*self.credentials.borrow() {
            Credentials::Callback(_) => Some(true),
            Credentials::Tokens { refresh: Some(_), .. } => None,
            Credentials::Tokens { refresh: None, .. } => Some(false),
        }
    }

    /// After a 401: renews (once for all requests that saw that token). Its caller
    /// awaits it at once, and tells `renewal_after_401_failed` of a failure (not an async
    /// fn around `renew`: one state machine fewer).
    pub fn renew_after_401<'a>(&'a self, used: &Bearer, timeout_ms: u32, abort: &'a AbortWatch) -> impl Future<Output = Result<(), Failure>> + 'a {
        self.renew(used.generation, timeout_ms, abort)
    }

    /// A renewal after a 401 failed: refused for good, no later request is sent.
    pub fn renewal_after_401_failed(&self) {
        if self.refused_for_good.get() {
            self.dead_end.set(true);
        }
    }

    /// The `AuthError` of the last failed renewal, for the requests that waited on it.
    fn refusal(&self) -> Failure {
        // Its fields read, not the whole `Option<Refusal>` cloned (a derived clone of its
        // own); `why` borrowed into the message, not cloned first.
        match &*self.refused.borrow() {
            Some(r) => refresh_failed(&r.why, r.status, r.cause.clone()),
            None => refresh_failed("", None, None),
        }
    }

    fn tokens(&self) -> (String, bool) {
        match &*self.credentials.borrow() {
            Credentials::Tokens { access, refresh } => (access.clone(), refresh.is_some()),
            Credentials::Callback(_) => (String::new(), false),
        }
    }

    async fn renew(&self, seen_generation: u64, timeout_ms: u32, abort: &AbortWatch) -> Result<(), Failure> {
        let tried_before = self.refusals.get();
        let _one_at_a_time = match take_turn(&self.renewals, abort).await {
            Ok(turn) => turn,
            Err(e) => return Err(e),
        };
        if self.generation.get() != seen_generation {
            return Ok(()); // another request renewed meanwhile
        }
        if self.refusals.get() != tried_before || self.refused_for_good.get() {
            // The renewal this request waited on failed: its answer holds for all who waited
            // (a refused refresh token is not tried once per chunk in flight), and a
            // refusal by the Auth API holds for good.
            return Err(self.refusal());
        }
        // The body made from the refresh token in place: no copy of the token kept in
        // this future's state across the request.
        let body = match &*self.credentials.borrow() {
            Credentials::Tokens { refresh: Some(r), .. } => JsString::from(text!["{\"", REFRESH_TOKEN_FIELD, "\":", quoted(r), "}"]),
            _ => return Ok(()),
        };
        // One call, retried as the API calls are (its passing trouble: a network error, a
        // timeout, a 5xx or 429): retrying the request instead would send the old token.
        // What a refusal says is found by kind, and recorded in one place.
        let (why, status, cause, for_good) = match (self.refresh_call)(&self.refresh_url, &body, self.max_retries, timeout_ms, &self.net, abort).await.result {
            Ok(answer) => {
                match refresh_answer(answer) {
                    Ok((access, new_refresh)) => {
                        if let Credentials::Tokens { access: a, refresh: r } = &mut *self.credentials.borrow_mut() {
                            *a = access;
                            if let Some(n) = new_refresh {
                                *r = Some(n);
                            }
                        }
                        self.generation.set(self.generation.get() + 1);
                        return Ok(());
                    }
                    Err(message) => (message, None, None, true),
                }
            }
            // The error behind it is the `cause` (a `NetworkError`'s own cause tells
            // a refused connection from a DNS or TLS failure). A 4xx the contract
            // does not retry (a 400, 401, 403) is the Auth API's final word; passing
            // trouble that outlasted the retries (a 429, a 503, no answer) may pass,
            // and so may a 5xx or 3xx from what stands in front of it (a proxy, a portal).
            Err(e) => match *e {
                ClientError::Aborted { .. } => return Err(e),
                ClientError::Api { status, .. } => {
                    let for_good = (400..500).contains(&status) && !matches!(classify_status(status), Disposition::Retry);
                    // The cause is the Auth API's answer: its message names that API.
                    let cause = Obj::from(e.to_js().unchecked_into::<Object>()).set("message", e.answered("Auth API "));
                    (e.answered("the Auth API "), Some(status), Some(cause.build().into()), for_good)
                }
                _ => (e.message(), None, Some(e.to_js()), false),
            },
        };
        self.refusals.set(self.refusals.get() + 1);
        self.refused_for_good.set(for_good);
        *self.refused.borrow_mut() = Some(Refusal { why, status, cause });
        Err(self.refusal())
    }
}

/// Reads `{"token": "...", "refreshToken"?: "..."}` by `JSON.parse` (not our own
/// reader of JSON objects, which only this and the error bodies used): the new access
/// token, and the new refresh token when the answer carries one (absent, null or empty:
/// keep the old). `Err`: why not, never a token. The answer moved in, dropped here
/// once (not on each of its caller's paths).
fn refresh_answer(answer: Answer) -> Result<(String, Option<String>), String> {
    let o = match super::js::json_parse(&answer.text) {
        Ok(o) if o.is_object() && !js_sys::Array::is_array(&o) => o,
        _ => return Err("the token refresh answer is not a JSON object".into()),
    };
    let token = match super::js::get(&o, TOKEN_FIELD).as_string() {
        Some(t) if !t.is_empty() => t,
        _ => return Err(text!["the token refresh answer has no \"", TOKEN_FIELD, "\" string"]),
    };
    if !token::is_header_safe(&token) {
        return Err(text!["the token refresh answer's \"", TOKEN_FIELD, "\" ", token::NOT_HEADER_SAFE]);
    }
    let refresh = super::js::get(&o, REFRESH_TOKEN_FIELD);
    let refresh = match refresh.as_string() {
        Some(r) if !r.is_empty() => Some(r),
        Some(_) => None,
        None if refresh.is_undefined() || refresh.is_null() => None,
        None => return Err(text!["the token refresh answer's \"", REFRESH_TOKEN_FIELD, "\" is not a string"]),
    };
    Ok((token, refresh))
}

/// An `AuthError` for a renewal that failed: `why` (never a token), the Auth API's
/// status, the error behind it.
fn refresh_failed(why: &str, status: Option<u16>, cause: Option<JsValue>) -> Failure {
    auth_error(text!["token refresh failed: ", why], status, cause)
}

/// An `AuthError`, boxed in one place (not the error written out at each of five sites).
#[inline(never)]
fn auth_error(message: String, status: Option<u16>, cause: Option<JsValue>) -> Failure {
    Box::new(ClientError::Auth { message, status, cause })
}

/// `getToken()`, awaited no longer than `timeout_ms` and not past the caller's abort: a
/// callback whose Promise never settles would otherwise hold the call (and the requests
/// waiting for its slot) for ever.
///
/// One `poll_fn` over the answer, the timer and the signal (not an async fn around it:
/// one state machine fewer); `getToken` is called when this is, awaited at once.
fn call_get_token<'a>(get_token: &Function, timeout_ms: u32, abort: &'a AbortWatch) -> impl Future<Output = Result<String, Failure>> + 'a {
    let value = get_token.call0(&JsValue::UNDEFINED);
    // A Promise of any realm (an iframe's), or a thenable: awaited as `await` would.
    let mut waiting = match &value {
        Ok(v) if super::js::get(v, "then").is_function() => Some((Settled::from(super::js::as_promise(v)), Sleep::new(timeout_ms), abort.fired())),
        _ => None,
    };
    let mut value = Some(value);
    poll_fn(move |cx| {
        // What `getToken` threw or its Promise's rejection: one place tells both.
        let value = match &mut waiting {
            // (A `match`, not `unwrap_or`: no default made and dropped.)
            None => match value.take() {
                Some(value) => value,
                None => Ok(JsValue::UNDEFINED),
            },
            Some((answer, timeout, fired)) => {
                if let Poll::Ready(v) = Pin::new(answer).poll(cx) {
                    v
                } else if Pin::new(timeout).poll(cx).is_ready() {
                    let message = text!["getToken did not settle within timeoutMs (", timeout_ms, " ms)"];
                    return Poll::Ready(Err(auth_error(message, None, None)));
                } else if Pin::new(fired).poll(cx).is_ready() {
                    return Poll::Ready(Err(abort.error()));
                } else {
                    return Poll::Pending;
                }
            }
        };
        Poll::Ready(match value {
            Err(e) => Err(auth_error(super::js::threw("getToken failed: ", &e), None, Some(e))),
            Ok(value) => match value.as_string() {
                Some(t) if token::is_header_safe(&t) => Ok(t),
                Some(t) if !t.is_empty() => Err(auth_error(text!["the token getToken returned ", token::NOT_HEADER_SAFE], None, None)),
                _ => Err(auth_error("getToken must return a non-empty string (or a Promise of one)".into(), None, None)),
            },
        })
    })
}
