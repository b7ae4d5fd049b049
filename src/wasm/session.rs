//! The session every method shares: the client's settings and credentials, one page
//! of a query, and reading the API's answers. `client` (the exported class),
//! `upload` and `query_iter` build on it; it depends on none of them.

use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::JsValue;

use crate::contract::{ITEMS_FIELD, PAGE_PARAM, PAGE_SIZE_PARAM, TOTAL_FIELD};
use crate::core::request;

use super::abort::AbortWatch;
use super::auth::Auth;
use super::call::{call, CallSpec};
use super::errors::{ClientError, ServerMessage};
use super::js::{get, json_parse, Obj};
use super::options::{ClientConfig, QueryOptions};
use super::transport::{Answer, Method};

pub struct Session {
    pub config: ClientConfig,
    pub auth: Rc<Auth>,
}

/// `POST /events/query` for one page; resolves `{ items, page, pageSize, total }`.
pub async fn query_page(inner: &Session, body: &JsString, opts: &QueryOptions, abort: &AbortWatch) -> Result<JsValue, ClientError> {
    let url = request::query_url(&inner.config.events_url, opts.page, opts.page_size);
    let spec = CallSpec {
        method: Method::Post,
        url: &url,
        json_body: Some(body),
        idempotency_key: None,
        max_retries: opts.max_retries,
        timeout_ms: opts.timeout_ms,
    };
    let answer = call(&inner.auth, &spec, abort, &|| {}).await.result?;
    let parsed = parse_answer(&answer)?;
    let items = get(&parsed, ITEMS_FIELD);
    if !Array::is_array(&items) {
        return Err(unexpected(answer.status, "the query answer has no items"));
    }
    Ok(Obj::new()
        .set(ITEMS_FIELD, items)
        .set(PAGE_PARAM, get(&parsed, PAGE_PARAM))
        .set(PAGE_SIZE_PARAM, get(&parsed, PAGE_SIZE_PARAM))
        .set(TOTAL_FIELD, get(&parsed, TOTAL_FIELD))
        .into())
}

pub fn parse_answer(answer: &Answer) -> Result<JsValue, ClientError> {
    json_parse(&answer.text).map_err(|_| unexpected(answer.status, "the answer is not JSON"))
}

/// A success status with a body that breaks the (ASSUMED) answer shape.
pub fn unexpected(status: u16, why: &str) -> ClientError {
    ClientError::Api { status, status_text: String::new(), server_message: ServerMessage(vec![why.into()]), retryable: false, hint: None }
}
