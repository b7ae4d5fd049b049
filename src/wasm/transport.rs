//! One HTTP exchange over `fetch` (the caller's or the global one, `net.rs`), bounded
//! by a timeout and the caller's abort signal. Retries, auth and statuses are decided
//! by the callers.
//!
//! `fetch` is called directly (not through gloo-net): what it throws stays the
//! `cause` of our `NetworkError`, and no wrapper crate is compiled into the wasm.

use crate::prelude::*;
use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use super::settle::Settled;
use web_sys::AbortController;

use super::abort::AbortWatch;
use super::errors::{ClientError, Failure};
use super::js::{call_method, get, Obj};
use super::net::Net;
use super::wait::Sleep;

#[derive(Clone, Copy)]
pub enum Method {
    Post,
    Delete,
}

pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub bearer: Option<&'a str>,
    /// JSON text: a JS string, or UTF-8 bytes in a `Uint8Array`.
    pub json_body: Option<&'a JsValue>,
    /// `gzip` when `json_body` is gzip-compressed.
    pub content_encoding: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    /// `false`: `Accept-Encoding: identity` (where the platform lets a page set it:
    /// browsers keep their own).
    pub compressed_answer: bool,
}

/// A complete answer: status and the whole body as a JS string.
pub struct Answer {
    pub status: u16,
    pub status_text: String,
    pub retry_after: Option<String>,
    pub text: JsString,
}

/// How a call ended (`call::call`, its retries included), with the number of HTTP
/// requests it took. Here, not in `call`, so that `auth` can name it (`call` imports `auth`).
pub struct Called<T> {
    pub result: Result<T, Failure>,
    pub attempts: u32,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

pub async fn send(req: &Request<'_>, timeout_ms: u32, abort: &AbortWatch, net: &Net) -> Result<Answer, Failure> {
    if abort.is_aborted() {
        return Err(abort.error());
    }
    // Our own controller per request: fetch then only ever rejects with a DOMException,
    // whatever reason the caller's signal carries.
    // A match, not `map_err` and `?`: fewer branches.
    let controller = match AbortController::new() {
        Ok(controller) => controller,
        Err(e) => return Err(network("AbortController is missing", e)),
    };
    let mut exchange = pin!(exchange(req, &controller, net));
    let (mut timeout, mut fired) = (pin!(Sleep::new(timeout_ms)), pin!(abort.fired()));
    // The answer, or else the timeout, or else the caller's abort: one wait on the three.
    poll_fn(|cx| {
        if let Poll::Ready(result) = exchange.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        let stopped = if timeout.as_mut().poll(cx).is_ready() {
            Box::new(ClientError::Timeout(timeout_ms))
        } else if fired.as_mut().poll(cx).is_ready() {
            abort.error()
        } else {
            return Poll::Pending;
        };
        controller.abort();
        Poll::Ready(Err(stopped))
    })
    .await
}

async fn exchange(req: &Request<'_>, controller: &AbortController, net: &Net) -> Result<Answer, Failure> {
    let mut headers = Obj::new().set("Accept", "application/json");
    if let Some(token) = req.bearer {
        headers = headers.set("Authorization", text!["Bearer ", token]);
    }
    if !req.compressed_answer {
        headers = headers.set("Accept-Encoding", "identity");
    }
    if let Some(key) = req.idempotency_key {
        headers = headers.set(crate::contract::IDEMPOTENCY_HEADER, key);
    }
    let mut init = Obj::new().set("method", req.method.name());
    if let Some(body) = req.json_body {
        headers = headers.set("Content-Type", "application/json");
        init = init.set("body", body.clone());
    }
    if let Some(encoding) = req.content_encoding {
        headers = headers.set(crate::contract::CONTENT_ENCODING_HEADER, encoding);
    }
    // Redirects are not followed: a 3xx is the answer (an opaque one in browsers). Followed,
    // a redirect would carry the refresh token and the events' bodies to whatever host
    // (plain http included) the answer names.
    let init: JsValue = init.set("headers", headers).set("signal", controller.signal()).set("redirect", "manual").into();
    // Each way it fails is a `NetworkError` made at one exit (its fallback message and
    // its cause); matches, not `map_err` and `?`, as for the controller.
    let (fallback, cause) = 'failed: {
        let pending = match net.fetch(req.url, &init) {
            Ok(pending) => pending,
            Err(e) => break 'failed ("fetch threw", e),
        };
        let response = match Settled::from(pending).await {
            Ok(response) => response,
            Err(e) => break 'failed ("fetch failed", e),
        };
        // Read by name, each read able to fail: a caller's `fetch` (a test double, a wrapper
        // that forgot to return) may give anything, and a call through a missing method
        // would throw past us and leave the Promise unsettled.
        let Some(status) = get(&response, "status").as_f64().filter(|s| (0.0..1000.0).contains(s)) else {
            break 'failed ("fetch did not give a Response (no status)", response);
        };
        // `text()` throwing or rejecting: one error made for both.
        let text = match call_method(&response, "text", &JsValue::UNDEFINED) {
            Ok(text) => Settled::from(super::js::as_promise(&text)).await,
            Err(e) => Err(e),
        };
        let text = match text {
            Ok(text) => text,
            Err(e) => break 'failed ("the answer could not be read", e),
        };
        let Some(text) = text.dyn_ref::<JsString>() else {
            break 'failed ("the answer's text() did not give a string", text);
        };
        return Ok(Answer {
            status: status as u16,
            status_text: get(&response, "statusText").as_string().unwrap_or_default(),
            retry_after: match call_method(&get(&response, "headers"), "get", &"Retry-After".into()) {
                Ok(v) => v.as_string(),
                Err(_) => None,
            },
            text: text.clone(),
        });
    };
    Err(network(fallback, cause))
}

/// A `NetworkError` whose `cause` is what the platform threw; its message, when it
/// has one, says what happened.
fn network(fallback: &str, cause: JsValue) -> Failure {
    let message = get(&cause, "message").as_string().filter(|m| !m.is_empty()).unwrap_or_else(|| fallback.into());
    Box::new(ClientError::Network { message, cause: Some(cause) })
}
