//! `createEvents`: validate everything, plan chunks, then send them with bounded
//! concurrency, retries and 413 splitting, reporting in input order.
//!
//! Two passes over the caller's array, one window of `chunksize` events at a time, so
//! that memory grows with chunksize × concurrency, never with the input: pass one
//! validates (nothing is sent if any event is bad) and plans chunks by count and
//! bytes; pass two serializes each chunk once, in the JS engine, and sends it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::stream::{self, StreamExt};
use js_sys::{Array, Function, JsString, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::contract::{CREATED_FIELD, IDS_FIELD};
use crate::core::chunking::{idempotency_key, split_in_two, ChunkPlanner, ChunkRange};
use crate::core::validate::{validate_chunk, Problem, Problems};

use super::abort::{sleep_unless_aborted, AbortWatch};
use super::auth::Auth;
use super::call::{call, CallSpec};
use super::errors::{build, ClientError};
use super::client::unexpected;
use super::js::{get, json_parse, now_ms, utf8_bytes, utf8_of, Obj};
use super::options::CreateOptions;
use super::transport::Method;

/// Pass one's result: the chunks, and the JSON text of the first few, kept to be sent
/// as is (at most `concurrency` of them, so memory stays chunksize × concurrency).
pub struct Plan {
    pub chunks: Vec<ChunkRange>,
    kept: RefCell<Vec<(usize, usize, JsString)>>,
}

/// How long pass one may hold the thread before it lets the page (or Node) breathe.
const YIELD_EVERY_MS: f64 = 40.0;

/// Pass one: every problem of every event, or the chunk plan.
pub async fn plan(events: &Array, opts: &CreateOptions, abort: &AbortWatch) -> Result<Plan, ClientError> {
    let n = events.length() as usize;
    let mut planner = ChunkPlanner::new(opts.chunksize, opts.max_chunk_bytes);
    let mut problems = Problems::new();
    let mut kept = Vec::new();
    let mut from = 0;
    let mut last_yield = now_ms();
    while from < n {
        let to = (from + opts.chunksize).min(n);
        match stringify(events, from, to) {
            Ok(json) => {
                let text = utf8_of(&json);
                // JSON.stringify of an array always gives an array.
                let sizes = validate_chunk(&text, from, &mut problems).unwrap_or_default();
                for bytes in sizes {
                    if let Err(e) = planner.push(bytes) {
                        problems.push(Problem {
                            index: e.index,
                            field: String::new(),
                            message: format!(
                                "event is {} bytes as JSON, more than maxChunkBytes ({})",
                                e.bytes, opts.max_chunk_bytes
                            ),
                        });
                    }
                }
                if kept.len() < opts.concurrency && problems.is_empty() {
                    kept.push((from, to, json));
                }
            }
            Err(unserializable) => {
                for (index, why) in unserializable {
                    problems.push(Problem { index, field: String::new(), message: why });
                }
            }
        }
        from = to;
        // A million events take about a second: let the page stay responsive meanwhile.
        if now_ms() - last_yield > YIELD_EVERY_MS && from < n {
            if sleep_unless_aborted(0, abort).await {
                return Err(ClientError::Aborted);
            }
            last_yield = now_ms();
        }
    }
    if !problems.is_empty() {
        return Err(ClientError::Validation(problems));
    }
    let chunks = planner.finish();
    // A window's text serves as a body only where it became exactly one chunk.
    kept.retain(|(from, to, _)| chunks.iter().any(|c| c.from == *from && c.to == *to));
    Ok(Plan { chunks, kept: RefCell::new(kept) })
}

impl Plan {
    /// The text pass one validated for this range, if it was kept (given out once).
    fn take_kept(&self, range: &ChunkRange) -> Option<JsString> {
        let mut kept = self.kept.borrow_mut();
        let i = kept.iter().position(|(from, to, _)| *from == range.from && *to == range.to)?;
        Some(kept.swap_remove(i).2)
    }
}

/// `JSON.stringify(events.slice(from, to))`; when it throws (a BigInt, a cycle), the
/// events that cannot be serialized, with the engine's reason.
fn stringify(events: &Array, from: usize, to: usize) -> Result<JsString, Vec<(usize, String)>> {
    let slice = events.slice(from as u32, to as u32);
    match JSON::stringify(&slice) {
        Ok(json) => Ok(json),
        Err(_) => Err((from..to)
            .filter_map(|i| {
                JSON::stringify(&events.get(i as u32)).err().map(|e| {
                    let why = get(&e, "message").as_string().unwrap_or_default();
                    (i, format!("event cannot be serialized to JSON: {why}"))
                })
            })
            .collect()),
    }
}

/// One request's worth of input: a planned chunk, or a half of one after a 413.
struct Piece {
    chunk: usize,
    range: ChunkRange,
    attempts: u32,
    ms: f64,
    result: Result<(u16, Array), ClientError>,
}

struct Progress {
    callback: Option<Function>,
    chunks_total: usize,
    events_total: usize,
    chunks_done: Cell<usize>,
    events_done: Cell<usize>,
    failed_chunks: Cell<usize>,
    retries: Cell<u32>,
    started: f64,
}

impl Progress {
    fn report(&self) {
        let Some(cb) = &self.callback else { return };
        let p = Obj::new()
            .set("chunksDone", self.chunks_done.get() as f64)
            .set("chunksTotal", self.chunks_total as f64)
            .set("eventsDone", self.events_done.get() as f64)
            .set("eventsTotal", self.events_total as f64)
            .set("failedChunks", self.failed_chunks.get() as f64)
            .set("retries", self.retries.get())
            .set("elapsedMs", now_ms() - self.started);
        // A throwing progress callback must not break the upload.
        let _ = cb.call1(&JsValue::UNDEFINED, &p.into());
    }
}

pub struct Upload<'a> {
    pub auth: Rc<Auth>,
    pub create_url: String,
    pub events: Array,
    pub opts: &'a CreateOptions,
    pub abort: AbortWatch,
    /// Random, once per call: with the range, it makes each body's Idempotency-Key.
    pub run_id: String,
}

impl Upload<'_> {
    /// Pass two: sends every chunk; resolves to the result object or rejects with
    /// `CreateEventsError` / `AbortError`.
    pub async fn run(self, plan: Plan) -> Result<JsValue, JsValue> {
        let plan = &plan;
        let chunks = plan.chunks.clone();
        let progress = Progress {
            callback: self.opts.on_progress.clone(),
            chunks_total: chunks.len(),
            events_total: self.events.length() as usize,
            chunks_done: Cell::new(0),
            events_done: Cell::new(0),
            failed_chunks: Cell::new(0),
            retries: Cell::new(0),
            started: now_ms(),
        };
        let progress = &progress;
        let this = &self;
        let chunk_count = chunks.len();
        let mut by_chunk: Vec<Vec<Piece>> = Vec::with_capacity(chunk_count);
        by_chunk.resize_with(chunk_count, Vec::new);
        let mut done = stream::iter(chunks)
            .map(|chunk| async move {
                let pieces = this.send(chunk, progress, plan).await;
                progress.chunks_done.set(progress.chunks_done.get() + 1);
                if pieces.iter().any(|p| p.result.is_err()) {
                    progress.failed_chunks.set(progress.failed_chunks.get() + 1);
                }
                progress.report();
                pieces
            })
            .buffer_unordered(self.opts.concurrency);
        // Chunks finish in any order; reports go in input order.
        while let Some(pieces) = done.next().await {
            if let Some(chunk) = pieces.first().map(|p| p.chunk) {
                by_chunk[chunk] = pieces;
            }
        }
        drop(done);
        Ok(finish(by_chunk.into_iter().flatten().collect(), self.abort.is_aborted(), &self.run_id)?)
    }

    /// Sends one range; a 413 splits it in two and sends the halves in turn.
    async fn send(&self, range: ChunkRange, progress: &Progress, plan: &Plan) -> Vec<Piece> {
        let chunk = range.index;
        if self.abort.is_aborted() {
            return vec![Piece { chunk, range, attempts: 0, ms: 0.0, result: Err(ClientError::Aborted) }];
        }
        let started = now_ms();
        // Serialized once for most chunks: pass one's text where kept, else now.
        let body = match plan.take_kept(&range).map(Ok).unwrap_or_else(|| stringify(&self.events, range.from, range.to)) {
            Ok(b) => b,
            Err(bad) => {
                // The caller changed the array after validation.
                let mut problems = Problems::new();
                for (index, message) in bad {
                    problems.push(Problem { index, field: String::new(), message });
                }
                return vec![Piece { chunk, range, attempts: 0, ms: 0.0, result: Err(ClientError::Validation(problems)) }];
            }
        };
        // Sent as UTF-8 bytes, the string dropped before the request: a string body stays
        // alive in the JS heap while the request is in flight (fetch keeps it as the body's
        // source), so it outlives two scavenges and is promoted to the old generation, where
        // only a full GC frees it; V8 runs none for as long as the heap stays under a limit
        // set from the caller's live data, so with a large input these bodies piled up (RSS
        // grew with the input). The bytes live outside the heap, and V8 counts them as
        // external memory, which makes it collect them as they pile up.
        let bytes = utf8_bytes(&body);
        drop(body);
        // One key for every retry of this body: a retry after a lost answer stores nothing twice.
        let key = idempotency_key(&self.run_id, &range);
        let spec = CallSpec {
            method: Method::Post,
            url: &self.create_url,
            json_body: Some(&bytes),
            idempotency_key: Some(&key),
            max_retries: self.opts.max_retries,
            timeout_ms: self.opts.timeout_ms,
        };
        let called = call(&self.auth, &spec, &self.abort, &|| progress.retries.set(progress.retries.get() + 1)).await;
        drop(bytes);
        let ms = now_ms() - started;
        match called.result {
            Ok(answer) => {
                let status = answer.status;
                let result = read_created(&answer.text, status, range.len()).map(|ids| (status, ids));
                if result.is_ok() {
                    progress.events_done.set(progress.events_done.get() + range.len());
                }
                vec![Piece { chunk, range, attempts: called.attempts, ms, result }]
            }
            Err(ClientError::Api { status: 413, .. }) if range.len() > 1 => {
                let (left, right) = split_in_two(range).expect("a range of two or more splits");
                let mut pieces = Box::pin(self.send(left, progress, plan)).await;
                pieces.extend(Box::pin(self.send(right, progress, plan)).await);
                pieces
            }
            Err(e) => vec![Piece { chunk, range, attempts: called.attempts, ms, result: Err(e) }],
        }
    }
}

/// The ids of a `201 {"created", "ids"}` answer (ASSUMED shape), checked against the count sent.
fn read_created(text: &JsString, status: u16, sent: usize) -> Result<Array, ClientError> {
    let bad = |why: &str| unexpected(status, &format!("unexpected create answer: {why}"));
    let answer = json_parse(text).map_err(|_| bad("not JSON"))?;
    let ids = get(&answer, IDS_FIELD).dyn_into::<Array>().map_err(|_| bad("no ids"))?;
    let created = get(&answer, CREATED_FIELD).as_f64();
    if ids.length() as usize != sent || created.is_some_and(|c| c as usize != sent) {
        return Err(bad(&format!("sent {sent} events, the answer counts {} ids", ids.length())));
    }
    Ok(ids)
}

fn report(piece: &Piece) -> Obj {
    Obj::new()
        .set("index", piece.chunk as f64)
        .set("from", piece.range.from as f64)
        .set("to", piece.range.to as f64)
        .set("count", piece.range.len() as f64)
        .set("attempts", piece.attempts)
}

/// The resolved value, or the rejection, from all pieces in input order.
fn finish(pieces: Vec<Piece>, aborted: bool, run_id: &str) -> Result<JsValue, JsValue> {
    let id_arrays = Array::new();
    let mut created = 0usize;
    let succeeded = Array::new();
    let failed = Array::new();
    let mut first_error: Option<String> = None;
    for piece in &pieces {
        match &piece.result {
            Ok((status, chunk_ids)) => {
                created += piece.range.len();
                id_arrays.push(chunk_ids);
                succeeded.push(&report(piece).set("status", *status).set("ms", piece.ms).into());
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.message());
                failed.push(&report(piece).set("error", e.clone().into_js()).into());
            }
        }
    }
    if failed.length() == 0 {
        return Ok(Obj::new()
            .set("created", created as f64)
            .set("ids", flatten(&id_arrays))
            .set("chunks", succeeded)
            .set("runId", run_id)
            .into());
    }
    // On failure every stored chunk names its own ids: the caller resends exactly `failed`.
    for (report, piece) in succeeded.iter().zip(pieces.iter().filter(|p| p.result.is_ok())) {
        if let Ok((_, chunk_ids)) = &piece.result {
            let _ = js_sys::Reflect::set(&report, &"ids".into(), chunk_ids);
        }
    }
    let total: usize = pieces.iter().map(|p| p.range.len()).sum();
    let fields = Obj::new()
        .set("created", created as f64)
        .set("succeeded", succeeded)
        .set("failed", failed.clone())
        .set("runId", run_id);
    let ranges = describe_ranges(&pieces);
    if aborted {
        let message = format!(
            "createEvents was aborted: {created} of {total} events were stored; not confirmed: {ranges} (resume with runId {run_id})"
        );
        return Err(build("AbortError", &message, fields));
    }
    let message = format!(
        "{} of {} chunks failed ({ranges}); {created} of {total} events were stored. First error: {}",
        failed.length(),
        pieces.len(),
        first_error.unwrap_or_default()
    );
    Err(build("CreateEventsError", &message, fields))
}

/// `[].concat(...arrays)`: one copy of all ids (concatenating chunk by chunk would
/// copy the growing array once per chunk: quadratic, and memory that grows with it).
fn flatten(arrays: &Array) -> Array {
    let concat = js_sys::Reflect::get(&Array::new(), &"concat".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    concat
        .and_then(|f| js_sys::Reflect::apply(&f, &Array::new(), arrays).ok())
        .and_then(|a| a.dyn_into::<Array>().ok())
        .unwrap_or_else(|| arrays.iter().fold(Array::new(), |all, a| all.concat(&a.unchecked_into::<Array>())))
}

/// `events 0–999, 5000–5999` for the failed pieces (first few).
fn describe_ranges(pieces: &[Piece]) -> String {
    let failed: Vec<String> = pieces
        .iter()
        .filter(|p| p.result.is_err())
        .map(|p| format!("{}–{}", p.range.from, p.range.to - 1))
        .collect();
    let shown = failed.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if failed.len() > 5 {
        format!("events {shown} and {} more ranges", failed.len() - 5)
    } else {
        format!("events {shown}")
    }
}
