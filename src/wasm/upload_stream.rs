//! `createEvents` from bytes: a `Uint8Array`/`ArrayBuffer`, a `Blob`/`File`, a
//! `ReadableStream`, or a (sync or async) iterable of `Uint8Array` or string pieces (a
//! Node `Readable` is one). The pieces feed the core's framer (`stream_framer`), which
//! validates each event and frames chunk bodies; bodies are sent as they are ready,
//! `concurrency` in flight, and the source is read only as fast as chunks leave (at
//! most one chunk waits beyond those in flight), so memory stays flat whatever the
//! source's size. No event ever becomes a JS object.
//!
//! A chunk is sent only when every event in it is valid. A bad event stops the upload
//! (no new chunk is sent, those in flight finish) with a `ValidationError` naming its
//! index, line and byte offset, and what was stored; with `onInvalid: 'skip'` the bad
//! events are left out and reported in the result.

use std::collections::VecDeque;
use std::rc::Rc;

use futures_util::future::{self, Either, LocalBoxFuture};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use js_sys::{Array, ArrayBuffer, Function, Promise, Reflect, Symbol, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::core::chunking::ChunkRange;
use crate::core::stream_framer::{Broken, Format, Framed, Framer};
use crate::core::validate::Problems;

use super::abort::AbortWatch;
use super::errors::ClientError;
use super::js::{get, utf8_of, Obj};
use super::options::CreateOptions;
use super::session::Session;
use super::upload::{finish, Piece, Plan, Progress, Stopped, Upload};

/// Where the bytes come from, read one piece at a time.
enum Source {
    /// A whole buffer, given once.
    Once(Option<Uint8Array>),
    /// A `ReadableStream`'s reader, or an iterator (`next()` answering `{ done, value }`
    /// or a Promise of it).
    Reader { next: Function, this: JsValue },
}

impl Source {
    /// The caller's source, or `None` when it is none of the kinds taken.
    fn of(v: &JsValue) -> Option<Source> {
        if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
            return Some(Source::Once(Some(bytes.clone())));
        }
        if let Some(buffer) = v.dyn_ref::<ArrayBuffer>() {
            return Some(Source::Once(Some(Uint8Array::new(buffer))));
        }
        if !v.is_object() {
            return None;
        }
        // A Blob or File: its stream. A ReadableStream: its reader.
        let stream = match get(v, "stream").dyn_into::<Function>() {
            Ok(f) if get(v, "getReader").is_undefined() => f.call0(v).ok()?,
            _ => v.clone(),
        };
        if let Ok(get_reader) = get(&stream, "getReader").dyn_into::<Function>() {
            let reader = get_reader.call0(&stream).ok()?;
            let next = get(&reader, "read").dyn_into::<Function>().ok()?;
            return Some(Source::Reader { next, this: reader });
        }
        for symbol in [Symbol::async_iterator(), Symbol::iterator()] {
            if let Ok(f) = Reflect::get(v, &symbol).and_then(|f| f.dyn_into::<Function>()) {
                let it = f.call0(v).ok()?;
                let next = get(&it, "next").dyn_into::<Function>().ok()?;
                return Some(Source::Reader { next, this: it });
            }
        }
        None
    }

    /// The next piece as bytes (`None` at the end); what the source throws is the error.
    fn read(&mut self) -> LocalBoxFuture<'static, Result<Option<Vec<u8>>, ClientError>> {
        match self {
            Source::Once(bytes) => {
                let piece = bytes.take().map(|b| b.to_vec());
                future::ready(Ok(piece)).boxed_local()
            }
            Source::Reader { next, this } => {
                let called = next.call0(this);
                async move {
                    let step = called.map_err(source_failed)?;
                    let step = JsFuture::from(Promise::resolve(&step)).await.map_err(source_failed)?;
                    if get(&step, "done").as_bool() == Some(true) {
                        return Ok(None);
                    }
                    let value = get(&step, "value");
                    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
                        Ok(Some(bytes.to_vec()))
                    } else if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
                        Ok(Some(utf8_of(text).into_bytes()))
                    } else {
                        Err(ClientError::Type(format!(
                            "the source's pieces must be Uint8Array or string, got {}",
                            super::options::type_name(&value)
                        )))
                    }
                }
                .boxed_local()
            }
        }
    }
}

fn source_failed(cause: JsValue) -> ClientError {
    let why = get(&cause, "message").as_string().unwrap_or_else(|| "it threw".into());
    ClientError::Network { message: format!("the source failed: {why}"), cause: Some(cause) }
}

/// Whether `v` is a byte source `createEvents` takes (else: a `TypeError`).
pub fn is_source(v: &JsValue) -> bool {
    !Array::is_array(v) && Source::of_kind(v)
}

impl Source {
    /// Like `of`, without starting to read the source.
    fn of_kind(v: &JsValue) -> bool {
        v.is_instance_of::<Uint8Array>()
            || v.is_instance_of::<ArrayBuffer>()
            || (v.is_object()
                && (get(v, "getReader").is_function()
                    || get(v, "stream").is_function()
                    || Reflect::get(v, &Symbol::async_iterator()).is_ok_and(|f| f.is_function())
                    || Reflect::get(v, &Symbol::iterator()).is_ok_and(|f| f.is_function())))
    }
}

/// Why the upload stops reading.
enum Stop {
    Invalid,
    Broken(Broken),
    Source(ClientError),
}

pub async fn run(session: Rc<Session>, source: JsValue, opts: &CreateOptions, abort: AbortWatch, run_id: String, create_url: String) -> Result<JsValue, JsValue> {
    let mut source = Source::of(&source).ok_or_else(|| ClientError::Type("the source could not be read".into()))?;
    let mut framer = Framer::new(opts.format, opts.chunksize, opts.max_chunk_bytes);
    let upload = Upload { session, create_url, events: Array::new(), opts, abort, run_id };
    let plan = Plan::streaming();
    let progress = Progress::new(opts.on_progress.clone(), opts.concurrency, None);
    let (upload, plan, progress) = (&upload, &plan, &progress);
    let send = |framed: Framed, index: usize| async move {
        let range = ChunkRange { index, from: framed.from, to: framed.to };
        let body = Uint8Array::from(&framed.body[..]);
        let pieces = upload.send(range, Some(body), progress, plan).await;
        progress.chunk_done(&pieces);
        pieces
    };
    let mut ready: VecDeque<Framed> = VecDeque::new();
    let mut running = FuturesUnordered::new();
    let mut done: Vec<Piece> = Vec::new();
    let mut chunks = 0;
    let mut reading: Option<LocalBoxFuture<'static, Result<Option<Vec<u8>>, ClientError>>> = None;
    let mut ended = false;
    let mut stop: Option<Stop> = None;
    loop {
        if upload.abort.is_aborted() {
            ready.clear();
        }
        while running.len() < progress.concurrency() && stop.is_none() {
            let Some(framed) = ready.pop_front() else { break };
            running.push(send(framed, chunks));
            chunks += 1;
        }
        // Read on while no more than one chunk waits beyond those in flight.
        let want = !ended && stop.is_none() && ready.is_empty() && !upload.abort.is_aborted();
        if want && reading.is_none() {
            reading = Some(source.read());
        }
        let step = match (reading.as_mut(), running.is_empty()) {
            (None, true) => break,
            (None, false) => Either::Right(running.next().await),
            (Some(read), true) => Either::Left(read.await),
            (Some(read), false) => match future::select(read, running.next()).await {
                Either::Left((piece, _)) => Either::Left(piece),
                Either::Right((pieces, _)) => Either::Right(pieces),
            },
        };
        match step {
            Either::Right(pieces) => done.extend(pieces.into_iter().flatten()),
            Either::Left(piece) => {
                reading = None;
                let framed = match piece {
                    Ok(Some(bytes)) => {
                        if let Some(b) = &progress.bytes_done {
                            b.set(b.get() + bytes.len() as f64);
                        }
                        framer.push(&bytes)
                    }
                    Ok(None) => {
                        ended = true;
                        framer.finish()
                    }
                    Err(e) => {
                        stop = Some(Stop::Source(e));
                        continue;
                    }
                };
                match framed {
                    Ok(more) => ready.extend(more),
                    Err(broken) => stop = Some(Stop::Broken(broken)),
                }
                if !opts.skip_invalid && !framer.problems().is_empty() && stop.is_none() {
                    stop = Some(Stop::Invalid);
                }
                if stop.is_some() {
                    ready.clear(); // no new chunk once the upload stops
                }
            }
        }
    }
    done.sort_by_key(|p| (p.chunk, p.range.from));
    let refused = upload.session.compression_refused.get();
    let stopped = stop.map(|s| stopped(s, &framer));
    let result = finish(done, &upload.abort, &upload.run_id, refused, stopped)?;
    if opts.skip_invalid {
        let _ = Reflect::set(&result, &"skipped".into(), &skipped(&framer).into());
    }
    Ok(result)
}

/// The problems of the bad events, each with its line and byte offset in the source.
fn problems_with_positions(framer: &Framer) -> Array {
    framer
        .problems()
        .list()
        .iter()
        .map(|p| {
            let at = framer.position(p.index);
            JsValue::from(
                Obj::new()
                    .set("index", p.index as f64)
                    .set("line", at.map(|a| a.line as f64))
                    .set("offset", at.map(|a| a.offset as f64))
                    .set("field", p.field.as_str())
                    .set("message", p.message.as_str()),
            )
        })
        .collect()
}

fn skipped(framer: &Framer) -> Obj {
    let problems: &Problems = framer.problems();
    Obj::new()
        .set("count", problems.invalid_events() as f64)
        .set("problems", problems_with_positions(framer))
        .set("problemCount", problems.total() as f64)
}

fn stopped(stop: Stop, framer: &Framer) -> Stopped {
    match stop {
        Stop::Invalid => {
            let p = framer.problems();
            Stopped {
                name: "ValidationError",
                message: format!("{} (nothing after it was sent)", p.summary()),
                fields: Obj::new().set("problems", problems_with_positions(framer)).set("problemCount", p.total() as f64),
            }
        }
        Stop::Broken(b) => Stopped {
            name: "ValidationError",
            message: format!("the input cannot be read at line {}, byte {}: {}", b.line, b.offset, b.message),
            fields: Obj::new().set(
                "problems",
                Array::of1(
                    &Obj::new()
                        .set("index", framer.events() as f64)
                        .set("line", b.line as f64)
                        .set("offset", b.offset as f64)
                        .set("field", "")
                        .set("message", b.message.as_str())
                        .into(),
                ),
            )
            .set("problemCount", 1.0),
        },
        Stop::Source(e) => {
            let (name, cause) = match &e {
                ClientError::Network { cause, .. } => ("CreateEventsError", cause.clone().unwrap_or(JsValue::UNDEFINED)),
                _ => ("TypeError", JsValue::UNDEFINED),
            };
            Stopped { name, message: e.message(), fields: Obj::new().set("cause", cause) }
        }
    }
}

/// `Format` from the option's name.
pub fn format(name: &str) -> Option<Format> {
    match name {
        "ndjson" => Some(Format::Ndjson),
        "json" => Some(Format::Json),
        _ => None,
    }
}

