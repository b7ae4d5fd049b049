//! How requests leave: the caller's `fetch` (a proxy, a keep-alive agent, a test
//! double, tracing) or the global one, and the caller's `onRequest` hook, told of every
//! request. Shared by every sender: the session's calls and the token refresh.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::core::request::redacted;

use super::js::Obj;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` of browsers, workers, Node 18+, Deno and Bun.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &JsValue, init: &JsValue) -> Result<Promise, JsValue>;
}

#[derive(Default)]
pub struct Net {
    /// The `fetch` option: called as `fetch(url, init)`.
    pub fetch: Option<Function>,
    /// The `onRequest` option: `(report) => void`, after each request.
    pub on_request: Option<Function>,
}

/// What `onRequest` hears of one request. Never a token: the URL is redacted and no
/// header is reported.
pub struct Report<'a> {
    pub method: &'static str,
    pub url: &'a str,
    /// `None` when no answer came (network error, timeout, abort).
    pub status: Option<u16>,
    /// 1 for the first request of a call, 2 for its first retry, …
    pub attempt: u32,
    /// The chunk of a create (index in the upload's report), if any.
    pub chunk: Option<usize>,
    pub duration_ms: f64,
    /// Body bytes before and after compression (equal when not compressed).
    pub bytes: usize,
    pub bytes_sent: usize,
    /// Why the request will be sent again, when it will.
    pub retry_reason: Option<&'a str>,
}

impl Net {
    /// `fetch(url, init)`, the caller's or the global one; what it throws is the error.
    /// Inlined always into `transport::exchange`, its one caller (26 B less gzipped).
    #[inline(always)]
    pub fn fetch(&self, url: &str, init: &JsValue) -> Result<Promise, JsValue> {
        // The URL made a JS string once, for either `fetch`.
        let url = JsValue::from_str(url);
        match &self.fetch {
            None => global_fetch(&url, init),
            Some(f) => f
                .call2(&JsValue::UNDEFINED, &url, init)
                .map(|answer| super::js::as_promise(&answer)),
        }
    }

    /// Inlined always into `call::call`, its one caller (no `Report` written out in memory).
    #[inline(always)]
    pub fn report(&self, r: Report<'_>) {
        let Some(hook) = &self.on_request else { return };
        let mut o = Obj::new()
            .set("method", r.method)
            .set("url", redacted(r.url))
            .set("attempt", r.attempt)
            .set("durationMs", r.duration_ms)
            .set("bytes", r.bytes as f64)
            .set("bytesSent", r.bytes_sent as f64);
        if let Some(s) = r.status {
            o = o.set("status", s);
        }
        if let Some(c) = r.chunk {
            o = o.set("chunk", c as f64);
        }
        if let Some(why) = r.retry_reason {
            o = o.set("retryReason", why);
        }
        // A throwing hook must not break the request it reports.
        super::js::call_back(hook, &o.into());
    }
}
