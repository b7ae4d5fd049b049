//! One API call with the contract's retry rules: bearer token, renewal once after a
//! 401, backoff with full jitter honouring `Retry-After` for passing trouble.

use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::core::api_error::server_message;
use crate::core::retry::{classify_status, parse_retry_after, BackoffPolicy, Disposition};

use super::abort::{sleep_unless_aborted, AbortWatch};
use super::auth::Auth;
use super::errors::{ClientError, ServerMessage};
use super::transport::{self, Answer, Method, Request};

pub struct CallSpec<'a> {
    pub method: Method,
    pub url: &'a str,
    /// JSON text: a JS string, or its UTF-8 bytes (a `Uint8Array`).
    pub json_body: Option<&'a JsValue>,
    pub idempotency_key: Option<&'a str>,
    pub max_retries: u32,
    pub timeout_ms: u32,
}

/// How a call ended, with the number of HTTP requests it took.
pub struct Called<T> {
    pub result: Result<T, ClientError>,
    pub attempts: u32,
}

/// Sends until success, a final error, or `max_retries` retries of passing trouble.
/// `on_retry` runs before each retry (progress counts them).
pub async fn call(auth: &Rc<Auth>, spec: &CallSpec<'_>, abort: &AbortWatch, on_retry: &dyn Fn()) -> Called<Answer> {
    let policy = BackoffPolicy::default();
    let mut attempts = 0;
    let mut retries = 0;
    let mut renewed_after_401 = false;
    loop {
        let (err, retry_after) = match attempt(auth, spec, abort, &mut attempts, &mut renewed_after_401).await {
            Step::Done(result) => return Called { result, attempts },
            Step::Renewed => continue,
            Step::Trouble(err, retry_after) => (err, retry_after),
        };
        if !err.retryable() || retries >= spec.max_retries {
            return Called { result: Err(err), attempts };
        }
        retries += 1;
        on_retry();
        let retry_after_ms = retry_after.and_then(|v| parse_retry_after(&v, super::js::now_ms()));
        let delay = policy.delay_ms(retries, super::js::random(), retry_after_ms);
        if sleep_unless_aborted(delay, abort).await {
            return Called { result: Err(ClientError::Aborted), attempts };
        }
    }
}

enum Step {
    Done(Result<Answer, ClientError>),
    Renewed,
    /// Failed; may be retried when the error says so. Carries `Retry-After`.
    Trouble(ClientError, Option<String>),
}

async fn attempt(auth: &Rc<Auth>, spec: &CallSpec<'_>, abort: &AbortWatch, attempts: &mut u32, renewed: &mut bool) -> Step {
    let bearer = match auth.bearer(spec.timeout_ms, abort).await {
        Ok(b) => b,
        Err(e) => return Step::Trouble(e, None),
    };
    *attempts += 1;
    let request = Request {
        method: spec.method,
        url: spec.url,
        bearer: Some(&bearer.token),
        json_body: spec.json_body,
        idempotency_key: spec.idempotency_key,
    };
    let answer = match transport::send(&request, spec.timeout_ms, abort).await {
        Ok(a) => a,
        Err(e) => return Step::Trouble(e, None),
    };
    match classify_status(answer.status) {
        Disposition::Success => Step::Done(Ok(answer)),
        Disposition::RefreshThenRetryOnce if !*renewed => {
            *renewed = true;
            match auth.renew_after_401(&bearer, spec.timeout_ms, abort).await {
                Ok(true) => Step::Renewed,
                Ok(false) => Step::Done(Err(api_error(answer, false))),
                Err(e) => Step::Trouble(e, None),
            }
        }
        Disposition::Retry => {
            let retry_after = answer.retry_after.clone();
            Step::Trouble(api_error(answer, true), retry_after)
        }
        _ => Step::Done(Err(api_error(answer, false))),
    }
}

pub fn api_error(answer: Answer, retryable: bool) -> ClientError {
    let text: String = answer.text.into();
    ClientError::Api {
        status: answer.status,
        status_text: answer.status_text,
        server_message: ServerMessage(server_message(&text)),
        retryable,
    }
}
