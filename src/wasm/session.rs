//! The session every method shares: the client's settings and credentials, one page
//! of a query, and reading the API's answers. `client` (the exported class),
//! `upload` and `query_pages` build on it; it depends on none of them.

use crate::prelude::*;
use core::cell::Cell;

use js_sys::{Array, JsString};
use wasm_bindgen::JsValue;

use crate::contract::{ITEMS_FIELD, PAGE_PARAM, PAGE_SIZE_PARAM, TOTAL_FIELD};

use super::abort::AbortWatch;
use super::auth::Auth;
use super::call::{call, CallSpec};
use super::errors::{ClientError, Failure, ServerMessage};
use super::js::{get, json_parse, Obj};
use super::options::{ClientConfig, QueryOptions};
use super::transport::{Answer, Called, Method};

pub struct Session {
    pub config: ClientConfig,
    pub auth: Auth,
    /// The API answered `415` to a compressed body: plain bodies from then on.
    pub compression_refused: Cell<bool>,
}

/// A query answer as `{ items, page, pageSize, total }`.
pub fn page_of(answer: &Answer) -> Result<JsValue, Failure> {
    let parsed = match parse_answer(answer) {
        Ok(parsed) => parsed,
        Err(e) => return Err(e),
    };
    let items = get(&parsed, ITEMS_FIELD);
    if !Array::is_array(&items) {
        return Err(unexpected(answer.status, "the query answer has no items"));
    }
    // A count, as its type says: a whole number, not negative (paging reads it). Absent,
    // paging goes on while pages are full.
    let total = get(&parsed, TOTAL_FIELD);
    if !total.is_undefined() && !total.as_f64().is_some_and(crate::core::args::is_count) {
        return Err(unexpected(answer.status, "the query answer's total is not a whole number"));
    }
    Ok(Obj::new()
        .set(ITEMS_FIELD, items)
        .set(PAGE_PARAM, get(&parsed, PAGE_PARAM))
        .set(PAGE_SIZE_PARAM, get(&parsed, PAGE_SIZE_PARAM))
        .set(TOTAL_FIELD, total)
        .into())
}

/// One call that is not a create (no chunk, no idempotency key): a query page or a
/// delete. One state machine for both (boxed: its caller's stays small), returned
/// for its caller to await at once (not an async fn around it: one state machine fewer).
/// `on_retry` hears of each trouble that is retried.
pub fn plain_call<'a>(
    inner: &'a Session,
    method: Method,
    url: &'a str,
    body: Option<&'a JsString>,
    opts: &QueryOptions,
    abort: &'a AbortWatch,
    on_retry: &'a dyn Fn(&ClientError),
) -> impl core::future::Future<Output = Called<Answer>> + 'a {
    let compressed_answer = inner.config.compression.answers_compressed(inner.config.api_is_loopback);
    let spec = CallSpec::plain(method, url, body, compressed_answer, opts.max_retries, opts.timeout_ms, &inner.auth.net);
    Box::pin(call(Some(&inner.auth), spec, abort, on_retry))
}

pub fn parse_answer(answer: &Answer) -> Result<JsValue, Failure> {
    json_parse(&answer.text).map_err(|_| unexpected(answer.status, "the answer is not JSON"))
}

/// A success status with a body that breaks the (ASSUMED) answer shape.
pub fn unexpected(status: u16, why: &str) -> Failure {
    Box::new(ClientError::Api { status, status_text: String::new(), server_message: ServerMessage(vec![why.into()]), retryable: false, hint: None })
}
