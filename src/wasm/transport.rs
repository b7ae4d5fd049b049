//! One HTTP exchange over the global `fetch` (gloo-net), bounded by a timeout and
//! the caller's abort signal. Retries, auth and statuses are decided by the callers.

use futures_util::future::{self, Either};
use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use super::abort::AbortWatch;
use super::errors::ClientError;

#[derive(Clone, Copy)]
pub enum Method {
    Post,
    Delete,
}

pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub bearer: Option<&'a str>,
    /// JSON text: a JS string, or its UTF-8 bytes (a `Uint8Array`).
    pub json_body: Option<&'a JsValue>,
    pub idempotency_key: Option<&'a str>,
}

/// A complete answer: status and the whole body as a JS string.
pub struct Answer {
    pub status: u16,
    pub status_text: String,
    pub retry_after: Option<String>,
    pub text: JsString,
}

pub async fn send(req: &Request<'_>, timeout_ms: u32, abort: &AbortWatch) -> Result<Answer, ClientError> {
    if abort.is_aborted() {
        return Err(ClientError::Aborted);
    }
    // Our own controller per request: fetch then only ever rejects with a DOMException,
    // whatever reason the caller's signal carries.
    let controller = AbortController::new().map_err(|_| ClientError::Network("AbortController is missing".into()))?;
    let exchange = exchange(req, &controller);
    let timeout = gloo_timers::future::TimeoutFuture::new(timeout_ms);
    let stop = future::select(timeout, abort.fired());
    let outcome = future::select(Box::pin(exchange), stop).await;
    match outcome {
        Either::Left((result, _)) => result,
        Either::Right((Either::Left(_), _)) => {
            controller.abort();
            Err(ClientError::Timeout(timeout_ms))
        }
        Either::Right((Either::Right(_), _)) => {
            controller.abort();
            Err(ClientError::Aborted)
        }
    }
}

async fn exchange(req: &Request<'_>, controller: &AbortController) -> Result<Answer, ClientError> {
    use gloo_net::http::Request as GlooRequest;
    let signal = controller.signal();
    let mut builder = match req.method {
        Method::Post => GlooRequest::post(req.url),
        Method::Delete => GlooRequest::delete(req.url),
    }
    .abort_signal(Some(&signal))
    .header("Accept", "application/json");
    if let Some(token) = req.bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(key) = req.idempotency_key {
        builder = builder.header(crate::contract::IDEMPOTENCY_HEADER, key);
    }
    let request = match req.json_body {
        Some(body) => builder.header("Content-Type", "application/json").body(body.clone()),
        None => builder.build(),
    }
    .map_err(network)?;
    let response: web_sys::Response = request.send().await.map_err(network)?.into();
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    let text = response.text().map_err(|e| network_js(&e))?;
    let text = JsFuture::from(text).await.map_err(|e| network_js(&e))?;
    Ok(Answer {
        status: response.status(),
        status_text: response.status_text(),
        retry_after,
        text: text.unchecked_into(),
    })
}

fn network(e: gloo_net::Error) -> ClientError {
    ClientError::Network(e.to_string())
}

fn network_js(e: &wasm_bindgen::JsValue) -> ClientError {
    let message = super::js::get(e, "message").as_string().unwrap_or_else(|| "the answer could not be read".into());
    ClientError::Network(message)
}
