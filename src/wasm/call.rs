//! One API call with the contract's retry rules: bearer token, renewal once after a
//! 401, backoff with full jitter honouring `Retry-After` for passing trouble. Every
//! request is reported to the caller's `onRequest` hook.


use crate::prelude::*;
use js_sys::JsString;
use wasm_bindgen::JsValue;

use crate::core::retry::{classify_status, is_redirect, parse_retry_after, BackoffPolicy, Disposition, REDIRECT_HINT};

use super::abort::{sleep_unless_aborted, AbortWatch};
use super::auth::Auth;
use super::errors::{ClientError, Failure, ServerMessage};
use super::js::{now_ms, utf8_of};
use super::net::{Net, Report};
use super::transport::{self, Answer, Called, Method, Request};
use super::wait::{Boxed, Enter, Slots};

pub struct CallSpec<'a> {
    pub method: Method,
    pub url: &'a str,
    pub json_body: Option<&'a JsValue>,
    /// `gzip` when the body is compressed.
    pub content_encoding: Option<&'a str>,
    /// Body bytes before compression (for the reports).
    pub raw_bytes: usize,
    pub sent_bytes: usize,
    pub idempotency_key: Option<&'a str>,
    /// Whether the answer may come gzipped (`Compression::answers_compressed`).
    pub compressed_answer: bool,
    pub max_retries: u32,
    pub timeout_ms: u32,
    pub net: &'a Net,
    /// Requests of the same chunk made before this call (a body sent again plain after
    /// a 415): the reports number this call's attempts on from them.
    pub earlier_attempts: u32,
    /// An upload's slots: each request, retries included, waits for one.
    pub slots: Option<&'a Slots>,
    /// The create chunk this call sends, for the reports.
    pub chunk: Option<usize>,
}

/// Sends until success, a final error, or `max_retries` retries of passing trouble.
/// `on_retry` runs before each retry with the trouble (progress counts retries; an
/// upload lowers its concurrency on 429 and 503). `auth`: the bearer token and its
/// renewal after a 401; `None` for the token's renewal itself.
pub async fn call(auth: Option<&Auth>, spec: CallSpec<'_>, abort: &AbortWatch, on_retry: &dyn Fn(&ClientError)) -> Called<Answer> {
    let mut attempts = 0;
    let mut retries = 0;
    let mut renewed_after_401 = false;
    // One exit for the three ways the loop ends.
    let result = loop {
        // An upload's slot, held until the answer (before `started`: waiting for it is
        // not the request's duration).
        let held = Enter(spec.slots).await;
        let started = now_ms();
        // Boxed: one attempt's state machine polled on its own, not inlined into the
        // loop's (0.2 KB less gzipped; one allocation per request).
        let step = Box::pin(attempt(auth, &spec, abort, &mut attempts, &mut renewed_after_401)).await;
        drop(held);
        let will_retry = match &step {
            Step::Trouble(err, _) => err.retryable() && retries < spec.max_retries,
            Step::Renewed => true,
            Step::Done(_) => false,
        };
        if let Some(status) = step.sent() {
            // A compressed body refused with 415 is sent again plain by the upload (a call
            // of its own, which numbers its attempts on from this one's).
            let resent_plain = status == Some(415) && spec.content_encoding.is_some();
            // Why it is sent again, a piece of text written once (no `String` made for
            // the fixed ones); `status 503` made here when it is one.
            let status_reason: String;
            let retry_reason = match (will_retry, resent_plain) {
                (true, _) => Some(match &step {
                    Step::Renewed => "status 401: token renewed",
                    Step::Trouble(e, _) => match **e {
                        ClientError::Api { status, .. } => {
                            status_reason = text!["status ", status];
                            &status_reason
                        }
                        ClientError::Timeout(_) => "timeout",
                        _ => "network error",
                    },
                    Step::Done(_) => "network error",
                }),
                (false, true) => Some("status 415: sent again uncompressed"),
                (false, false) => None,
            };
            spec.net.report(Report {
                method: spec.method.name(),
                url: spec.url,
                status,
                attempt: spec.earlier_attempts + attempts,
                chunk: spec.chunk,
                duration_ms: now_ms() - started,
                bytes: spec.raw_bytes,
                bytes_sent: spec.sent_bytes,
                retry_reason,
            });
        }
        let (err, retry_after) = match step {
            Step::Done(result) => break result,
            Step::Renewed => continue,
            Step::Trouble(err, retry_after) => (err, retry_after),
        };
        if !will_retry {
            break Err(err);
        }
        retries += 1;
        on_retry(&err);
        // Not kept in the state across the sleep (its drop there is code of its own).
        drop(err);
        let delay = retry_delay(retries, retry_after);
        if sleep_unless_aborted(delay, abort).await {
            break Err(abort.error());
        }
    };
    Called { result, attempts }
}

/// The wait before retry `retries`: full jitter, at least the `Retry-After` asked for.
/// Not inlined into the retry loop.
#[inline(never)]
fn retry_delay(retries: u32, retry_after: Option<String>) -> u64 {
    let retry_after_ms = match retry_after {
        Some(v) => parse_retry_after(&v, now_ms()),
        None => None,
    };
    BackoffPolicy::default().delay_ms(retries, super::js::random(), retry_after_ms)
}

enum Step {
    Done(Result<Answer, Failure>),
    Renewed,
    /// Failed; may be retried when the error says so. Carries `Retry-After`.
    Trouble(Failure, Option<String>),
}

impl Step {
    /// Whether a request went out, and the status it got (`Some(None)`: no answer).
    fn sent(&self) -> Option<Option<u16>> {
        match self {
            Step::Done(Ok(a)) => Some(Some(a.status)),
            Step::Done(Err(e)) | Step::Trouble(e, _) => match **e {
                ClientError::Api { status, .. } => Some(Some(status)),
                ClientError::Network { .. } | ClientError::Timeout(_) | ClientError::Aborted { .. } => Some(None),
                _ => None, // getToken failed: nothing was sent
            },
            Step::Renewed => Some(Some(401)),
        }
    }
}

async fn attempt(auth: Option<&Auth>, spec: &CallSpec<'_>, abort: &AbortWatch, attempts: &mut u32, renewed: &mut bool) -> Step {
    let bearer = match auth {
        Some(auth) => match auth.bearer(spec.timeout_ms, abort).await {
            Ok(b) => Some(b),
            Err(e) => return Step::Trouble(e, None),
        },
        None => None,
    };
    *attempts += 1;
    let request = Request {
        method: spec.method,
        url: spec.url,
        bearer: bearer.as_ref().map(|b| b.token.as_str()),
        json_body: spec.json_body,
        content_encoding: spec.content_encoding,
        idempotency_key: spec.idempotency_key,
        compressed_answer: spec.compressed_answer,
    };
    let mut answer = match transport::send(&request, spec.timeout_ms, abort, spec.net).await {
        Ok(a) => a,
        Err(e) => return Step::Trouble(e, None),
    };
    match (classify_status(answer.status), auth, &bearer) {
        (Disposition::Success, ..) => Step::Done(Ok(answer)),
        (Disposition::RefreshThenRetryOnce, Some(auth), Some(bearer)) if !*renewed => {
            *renewed = true;
            match auth.retry_without_renewal() {
                Some(false) => Step::Done(Err(api_error(answer, false))),
                Some(true) => {
                    drop(answer);
                    Step::Renewed
                }
                None => {
                    // Not kept across the renewal (its drop there, and a flag, are code of their own).
                    drop(answer);
                    match auth.renew_after_401(bearer, spec.timeout_ms, abort).await {
                        Ok(()) => Step::Renewed,
                        Err(e) => {
                            auth.renewal_after_401_failed();
                            Step::Trouble(e, None)
                        }
                    }
                }
            }
        }
        (Disposition::Retry, ..) => {
            // Taken, not cloned: the error does not read it.
            let retry_after = answer.retry_after.take();
            Step::Trouble(api_error(answer, true), retry_after)
        }
        _ => Step::Done(Err(api_error(answer, false))),
    }
}

/// The token's renewal: one call without a bearer token, retried as the others are.
/// Given to `Auth` by the client (`auth.rs` does not import this module, which imports it).
pub fn refresh_call<'a>(url: &'a str, body: &'a JsString, max_retries: u32, timeout_ms: u32, net: &'a Net, abort: &'a AbortWatch) -> Boxed<'a, Called<Answer>> {
    let spec = CallSpec::plain(Method::Post, url, Some(body), true, max_retries, timeout_ms, net);
    Box::pin(call(None, spec, abort, &no_report))
}

impl<'a> CallSpec<'a> {
    /// A call that is not a create's (no chunk, no idempotency key, no slot): a query
    /// page, a delete, the token's renewal. One literal for the three.
    #[inline(always)]
    pub fn plain(method: Method, url: &'a str, body: Option<&'a JsString>, compressed_answer: bool, max_retries: u32, timeout_ms: u32, net: &'a Net) -> Self {
        // Bytes on the wire (UTF-8), not the string's UTF-16 length: what `onRequest` reports.
        let bytes = body.map_or(0, |b| utf8_of(b).len());
        CallSpec {
            method,
            url,
            json_body: body.map(|b| b.as_ref()),
            content_encoding: None,
            raw_bytes: bytes,
            sent_bytes: bytes,
            idempotency_key: None,
            compressed_answer,
            max_retries,
            timeout_ms,
            net,
            earlier_attempts: 0,
            slots: None,
            chunk: None,
        }
    }
}

/// The renewal's retries are not the caller's to hear of, nor a query page's (one
/// function for both: a closure each was a function and vtable each).
pub fn no_report(_: &ClientError) {}

pub fn api_error(answer: Answer, retryable: bool) -> Failure {
    Box::new(ClientError::Api {
        status: answer.status,
        status_text: answer.status_text,
        server_message: ServerMessage::of_body(&answer.text),
        retryable,
        hint: is_redirect(answer.status).then_some(REDIRECT_HINT),
    })
}
