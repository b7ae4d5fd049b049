//! `Engine`, the wasm class under the package's `EventsClient` (the TypeScript face in
//! `pkg-template/src/client.ts`). Each method checks its arguments before any request
//! and returns a Promise; errors, thrown or rejected, are the values of `errors.rs`.

use crate::prelude::*;
use core::cell::Cell;
use alloc::rc::Rc;

use js_sys::{JsString, Promise};
use wasm_bindgen::prelude::*;

use crate::contract::DELETED_FIELD;
use crate::core::export::ExportWriter;
use crate::core::retry::may_have_been_carried_out;
use crate::core::{args, request};

use super::abort::AbortWatch;
use super::auth::Auth;
use super::call;
use super::errors::{type_error, ClientError, Failure};
use super::js::{get, Obj};
use super::options::{self, wrong_type, QueryOptions};
use super::query_body::query_body;
use super::query_pages::QueryPages;
use super::session::{page_of, parse_answer, plain_call, unexpected, Session};
use super::transport::{Answer, Method};
use super::source;
use super::upload_stream;

/// A client of Genomcore's Events API, as the face wraps it. See the package README
/// for the whole API.
#[wasm_bindgen]
pub struct Engine {
    inner: Rc<Session>,
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<Engine, JsValue> {
        let (config, credentials, net) = options::client_config(options)?;
        let refresh_url = request::refresh_url(&config.auth_url);
        let auth = Auth::new(credentials, refresh_url, net, config.max_retries, call::refresh_call);
        let session = Session { config, auth, compression_refused: Cell::new(false) };
        Ok(Engine { inner: Rc::new(session) })
    }

    /// The Events API and Auth API base URLs in use, in that order.
    pub fn urls(&self) -> js_sys::Array {
        let c = &self.inner.config;
        js_sys::Array::of2(&JsValue::from_str(&c.events_url), &JsValue::from_str(&c.auth_url))
    }

    /// Validates every event, then creates them in chunks. See `CreateEventsOptions`.
    #[wasm_bindgen(js_name = createEvents)]
    pub fn create_events(
        &self,
        events: JsValue,
        chunksize_or_options: &JsValue,
        options: &JsValue,
    ) -> Promise {
        let prepared: Result<_, Failure> = (|| {
            let streamed = !source::is_events_array(&events);
            if streamed && !source::is_source(&events) {
                return Err(wrong_type(
                    "events",
                    "an array, bytes (Uint8Array, ArrayBuffer, Blob, ReadableStream, an iterable of Uint8Array or string pieces), an iterable of events, or a function returning one of these",
                    &events,
                ));
            }
            let mut opts = options::create_options(chunksize_or_options, options, &self.inner.config)?;
            if !streamed && (opts.format.is_some() || opts.bytes_total.is_some()) {
                // Each message written out (no text made: smaller).
                return Err(type_error(if opts.format.is_some() {
                    "format is for bytes (a Uint8Array, Blob, stream…), not an array of events"
                } else {
                    "bytesTotal is for bytes (a Uint8Array, Blob, stream…), not an array of events"
                }));
            }
            // An array to skip bad events from, or to send chunk by chunk as they are
            // found valid, is read as the iterable of events it is: the stream path
            // does both (arrays otherwise validate everything before the first request).
            let streamed = streamed || opts.skip_invalid || opts.validate_per_chunk;
            // The signal moved into the watch, its one user (no clone).
            let abort = AbortWatch::new(opts.signal.take());
            if abort.is_aborted() {
                return Err(abort.error());
            }
            Ok((streamed, opts, abort))
        })();
        super::js::promise(upload_stream::run(self.inner.clone(), events, prepared))
    }

    /// One page of events matching `body`.
    #[wasm_bindgen(js_name = queryEvents)]
    pub fn query_events(
        &self,
        body: &JsValue,
        options: &JsValue,
    ) -> Promise {
        let prepared: Result<_, Failure> = (|| {
            let body = query_body(body)?;
            let opts = options::query_options(options, &self.inner.config, "queryEvents options", options::QUERY_EVENTS_KEYS)?;
            let url = request::query_url(&self.inner.config.events_url, opts.page, opts.page_size);
            Ok(PlainCall { method: Method::Post, url, body: Some(body), opts })
        })();
        plain_promise(self.inner.clone(), prepared, Read::Page)
    }

    /// The pages of every matching event, for `queryAll`, or with `export` the pieces of
    /// `exportEvents`' NDJSON (or JSON) bytes, written page by page without a JS object per
    /// event (the face makes the stream; see `ExportOptions`). Throws on a bad argument
    /// (`queryAll`'s generator turns that into the rejection of its first `next()`).
    // One method for both: one export shim and one result conversion (smaller).
    #[wasm_bindgen(js_name = queryPages)]
    pub fn query_pages(&self, body: &JsValue, options: &JsValue, export: bool) -> Result<QueryPages, JsValue> {
        // One error conversion to JS at the end, not one per `?` (smaller).
        let pages: Result<_, Failure> = (|| {
            let body = query_body(body)?;
            // The query options read at one call for both (the export's own after them).
            let (what, keys) = if export {
                ("exportEvents options", options::EXPORT_KEYS)
            } else {
                ("queryAll options", options::QUERY_ALL_KEYS)
            };
            let opts = options::query_options(options, &self.inner.config, what, keys)?;
            let writer = if export {
                let (format, stored) = options::export_options(options)?;
                Some(ExportWriter::new(format, stored))
            } else {
                None
            };
            Ok(QueryPages::new(self.inner.clone(), body, opts, writer))
        })();
        Ok(pages?)
    }

    /// Deletes every event of `collection`.
    #[wasm_bindgen(js_name = deleteEvents)]
    pub fn delete_events(
        &self,
        collection: &JsValue,
        options: &JsValue,
    ) -> Promise {
        let prepared: Result<_, Failure> = (|| {
            let Some(name) = collection.as_string() else {
                return Err(wrong_type("collection", "a string", collection));
            };
            args::collection(&name)?;
            let opts = options::query_options(options, &self.inner.config, "deleteEvents options", options::DELETE_KEYS)?;
            // The collection percent-encoded by the engine's `encodeURIComponent` (103 B
            // less gzipped than our own encoder; `name` is a Rust `String`, well-formed,
            // so it cannot throw).
            let encoded: String = js_sys::encode_uri_component(&name).into();
            let url = text![self.inner.config.events_url, request::DELETE_QUERY, encoded];
            Ok(PlainCall { method: Method::Delete, url, body: None, opts })
        })();
        plain_promise(self.inner.clone(), prepared, Read::Deleted)
    }
}

/// A delete answer as `{ deleted, uncertain }` (`retried_after_loss`: a request before
/// the answered one may have been carried out, its answer lost).
fn deleted_of(answer: &Answer, retried_after_loss: bool) -> Result<JsValue, Failure> {
    let parsed = parse_answer(answer)?;
    let deleted = get(&parsed, DELETED_FIELD);
    // A count: a whole number, not negative (the CLI prints it, callers add it up).
    if !deleted.as_f64().is_some_and(crate::core::args::is_count) {
        return Err(unexpected(answer.status, "the delete answer has no deleted count"));
    }
    // An earlier request whose answer was lost may have deleted the events: the
    // count is then the last request's alone (the collection is empty either way).
    Ok(Obj::new().set(DELETED_FIELD, deleted).set("uncertain", retried_after_loss).into())
}

/// How a plain call's answer is read: a query page, or a delete's count.
#[derive(Clone, Copy)]
enum Read {
    Page,
    Deleted,
}

/// A call of `queryEvents` or `deleteEvents`, its arguments checked.
struct PlainCall {
    method: Method,
    url: String,
    body: Option<JsString>,
    opts: QueryOptions,
}

/// The Promise of a call that is not a create, its answer read as `read` says: one
/// future type for `queryEvents` and `deleteEvents`, not one each (a kind, not a
/// function pointer: the readers are called directly).
fn plain_promise(inner: Rc<Session>, prepared: Result<PlainCall, Failure>, read: Read) -> Promise {
    super::js::promise(async move {
        let PlainCall { method, url, body, mut opts } = prepared?;
        // The signal moved into the watch, its one user (no clone).
        let abort = AbortWatch::new(opts.signal.take());
        let lost = Cell::new(false);
        let on_retry = |e: &ClientError| lost.set(lost.get() || may_have_been_carried_out(e.status()));
        let answer = plain_call(&inner, method, &url, body.as_ref(), &opts, &abort, &on_retry).await.result?;
        Ok(match read {
            Read::Page => page_of(&answer)?,
            Read::Deleted => deleted_of(&answer, lost.get())?,
        })
    })
}
