//! `createEvents`: validate everything, plan chunks, then send them with bounded
//! concurrency (the send loop of `upload_stream.rs`, shared with sources), retries and
//! 413 splitting, reporting in input order.
//!
//! Pass one serializes the caller's array one window of `chunksize` events at a time
//! (`JSON.stringify` in the engine), copies the text into wasm and validates it there:
//! nothing is sent if any event is bad. The validated bytes of each chunk are framed
//! into its request body and kept, up to `maxBufferedBytes`, to be sent as they are.
//! Pass two sends the bodies; a chunk whose body was not kept is serialized and
//! validated again when its turn comes. Either way the bytes sent are bytes that were
//! validated, even if the caller changes the array while the upload runs.

use crate::prelude::*;
use super::cell::RefCell;
use core::cell::Cell;
use alloc::rc::Rc;

use js_sys::{Array, JsString, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::contract::{CREATED_FIELD, GZIP_ENCODING, IDS_FIELD};
use crate::core::chunking::{fingerprint, frame, idempotency_key, split_body, split_in_two, ChunkPlanner, ChunkRange};
use crate::core::resume::{ResumePoint, StoredPrefix};
use crate::core::retry::{classify_status, Disposition, KEY_REUSED_HINT};
use crate::core::validate::{validate_spans, Problem, Problems};

use super::abort::{sleep_unless_aborted, AbortWatch};
use super::call::{call, CallSpec};
use super::compress;
use super::errors::{build, past_the_end, ClientError, Failure};
use super::js::{call_back, get, item, json_parse, now_ms, said, threw, utf8_of, window, Obj};
use super::options::CreateOptions;
use super::session::{unexpected, Session};
use super::transport::Method;
use super::wait::Slots;

/// A chunk ready to be sent: its range, where it ends in the source (for `resumeFrom`),
/// and its body (an array's chunk: the body pass one kept, or `None`: made afresh when
/// sent, and sent only if it has the `fingerprint` of the body pass one validated).
/// Pass one makes an array's chunks as these, in order; the send loop
/// (`upload_stream::run`) makes a source's as each read is framed.
pub(super) struct Ready {
    pub range: ChunkRange,
    pub end: ResumePoint,
    pub body: Option<Uint8Array>,
    pub fingerprint: u64,
}

/// How long pass one may hold the thread before it lets the page (or Node) breathe.
const YIELD_EVERY_MS: f64 = 40.0;

/// Pass one: every problem of every event, or the chunks planned, in order (a chunk's
/// index is its place), each with its kept body or its fingerprint.
pub async fn plan(events: &Array, opts: &CreateOptions, abort: &AbortWatch) -> Result<Vec<Ready>, Failure> {
    let n = events.length() as usize;
    // A resumed run starts after the stored prefix, with the first run's windows.
    let first = opts.resume.map_or(0, |r| r.events);
    if first > n {
        return Err(past_the_end(first, n));
    }
    let mut planner = ChunkPlanner::starting_at(first, opts.chunksize, opts.max_chunk_bytes);
    let mut problems = Problems::new();
    let mut chunks: Vec<Ready> = Vec::new();
    let mut kept_bytes = 0usize;
    let mut from = first;
    let mut last_yield = now_ms();
    while from < n {
        // Windows start at multiples of chunksize, whatever the run's first event.
        let to = ((from / opts.chunksize + 1) * opts.chunksize).min(n);
        match stringify(events, from, to) {
            Ok(json) => {
                let text = utf8_of(&json);
                drop(json);
                let spans = match validate_spans(&text, from, opts.max_chunk_bytes, &mut problems) {
                    Ok(spans) if spans.len() == to - from => spans,
                    // JSON.stringify of an array of n gives n elements; anything else is
                    // an engine we do not understand: refuse rather than guess.
                    _ => {
                        problems.add(from, "", "events could not be read back from JSON.stringify".into());
                        Vec::new()
                    }
                };
                let first_chunk = planner.closed().len();
                for span in &spans {
                    // Too large for any chunk: validate_spans named it, in its place.
                    let _ = planner.push(span.len());
                }
                planner.end_window();
                if problems.is_empty() {
                    for chunk in planner.closed().get(first_chunk..).unwrap_or_default() {
                        let range = frame(spans.get(chunk.from - from..chunk.to - from).unwrap_or_default());
                        let size = range.len() + 2;
                        let keep = kept_bytes + size <= opts.max_buffered_bytes;
                        let bytes = text.as_bytes().get(range).unwrap_or_default();
                        // The body, to be sent as it is; past `maxBufferedBytes`, `None` and
                        // the fingerprint of the body validated (`0` when it was kept).
                        let (body, fingerprint) = match keep {
                            true => {
                                kept_bytes += size;
                                (Some(framed(bytes)), 0)
                            }
                            false => (None, fingerprint(&[b"[", bytes, b"]"])),
                        };
                        chunks.push(Ready { range: *chunk, end: ResumePoint { events: chunk.to, ..ResumePoint::default() }, body, fingerprint });
                    }
                }
            }
            Err(mut unserializable) => {
                // The window cannot be serialized whole: its other events are checked one
                // by one, so that their problems are reported too, in index order.
                // `bad`: the next unserializable one, its reason taken when its turn comes
                // (an index, not `into_iter` and `Peekable`: their code per type).
                let mut bad = 0;
                for index in from..to {
                    match unserializable.get_mut(bad) {
                        Some((i, why)) if *i == index => {
                            problems.add(index, "", core::mem::take(why));
                            bad += 1;
                        }
                        _ => {
                            if let Ok(json) = stringify(events, index, index + 1) {
                                let _ = validate_spans(&utf8_of(&json), index, opts.max_chunk_bytes, &mut problems);
                            }
                        }
                    }
                }
            }
        }
        from = to;
        // A million events take about a second: let the page stay responsive meanwhile.
        if now_ms() - last_yield > YIELD_EVERY_MS && from < n {
            if sleep_unless_aborted(0, abort).await {
                return Err(abort.error());
            }
            last_yield = now_ms();
        }
    }
    if !problems.is_empty() {
        name_what_json_lost(0, events, problems.list_mut());
        return Err(invalid(&mut problems));
    }
    // (Each window closed its chunks, all gathered above: `planner.finish` has none left.)
    Ok(chunks)
}

/// A `ValidationError` of `problems`, boxed in one function (not at each of three sites).
/// The problems are taken, not moved: a `problems` moved on one path of an async fn
/// and dropped on others needs a drop flag.
#[inline(never)]
fn invalid(problems: &mut Problems) -> Failure {
    Box::new(ClientError::Validation(core::mem::take(problems)))
}

/// What JSON makes `null` (an invalid `Date`, `NaN`, `undefined` or a hole, a function),
/// the validator reports as "got null": the event itself says what it was. `events` are
/// those from index `first` on; the problems of other events are left as they are.
pub(super) fn name_what_json_lost(first: usize, events: &Array, problems: &mut [Problem]) {
    for p in problems {
        let Some(at) = p.index.checked_sub(first).filter(|&at| at < events.length() as usize) else { continue };
        let Some(said) = p.message.strip_suffix("got null") else { continue };
        let event = item(events, at as u32).unwrap_or_default();
        // (`event` moved or dropped on both paths: moved on one only, it needs a drop flag.)
        let value = if p.field.is_empty() {
            event
        } else {
            let value = get(&event, &p.field);
            drop(event);
            value
        };
        let was: String = if value.is_undefined() {
            "undefined".into()
        } else if value.is_instance_of::<js_sys::Date>() && value.unchecked_ref::<js_sys::Date>().get_time().is_nan() {
            "an invalid Date".into()
        } else if let Some(n) = value.as_f64() {
            // The engine's text of the number (NaN, Infinity).
            super::errors::js_number(n)
        } else if value.is_function() {
            "a function".into()
        } else {
            continue;
        };
        p.message = text![said, "got ", was];
    }
}

/// `[` + `events` + `]` as a `Uint8Array`: one copy out of wasm memory.
fn framed(events: &[u8]) -> Uint8Array {
    let body = Uint8Array::new_with_length(events.len() as u32 + 2);
    body.set_index(0, b'[');
    // SAFETY: the view is used at once, before anything could grow the wasm memory.
    body.set(&unsafe { Uint8Array::view(events) }.into(), 1);
    body.set_index(events.len() as u32 + 1, b']');
    body
}

/// The body of a chunk whose validated bytes were not kept: serialized and validated
/// again now, and sent only if it is the body pass one validated (its `fingerprint`):
/// events the caller changed, shifted or replaced meanwhile fail the chunk instead of
/// being stored in other events' places.
/// Inlined always into `Upload::send`, its one caller (58 B less gzipped than a call).
#[inline(always)]
fn fresh_body(events: &Array, range: &ChunkRange, fingerprint_validated: u64) -> Result<Uint8Array, Failure> {
    let mut problems = Problems::new();
    let json = match stringify(events, range.from, range.to) {
        Ok(json) => json,
        Err(mut bad) => {
            // By reference, the texts taken: an `IntoIter` would compile its own drop.
            for (index, message) in &mut bad {
                problems.add(*index, "", core::mem::take(message));
            }
            return Err(invalid(&mut problems));
        }
    };
    let text = utf8_of(&json);
    // (Sizes were checked by pass one, and the fingerprint holds the bytes to those.)
    let spans = validate_spans(&text, range.from, usize::MAX, &mut problems).unwrap_or_default();
    if spans.len() != range.len() {
        problems.add(
            range.from + spans.len(),
            "",
            text!["the events array changed during createEvents: it now holds ", events.length(), " events"],
        );
    } else if problems.is_empty() && fingerprint(&[text.as_bytes()]) != fingerprint_validated {
        problems.add(
            range.from,
            "",
            text!["the events array changed during createEvents: events ", range.from, "–", range.to - 1, " are not the ones validated (nothing of them was sent)"],
        );
    }
    if !problems.is_empty() {
        return Err(invalid(&mut problems));
    }
    Ok(Uint8Array::from(text.as_bytes()))
}

/// `JSON.stringify(events.slice(from, to))`; when it throws (a BigInt, a cycle), the
/// events that cannot be serialized, with the engine's reason.
pub(super) fn stringify(events: &Array, from: usize, to: usize) -> Result<JsString, Vec<(usize, String)>> {
    // Pushed, not `vec![…]` nor `collect`ed: their code is compiled per type.
    let mut unserializable = Vec::new();
    let slice = match window(events, from as u32, to as u32) {
        Ok(slice) => slice,
        Err((index, e)) => {
            unserializable.push((index as usize, threw("event cannot be read: ", &e)));
            return Err(unserializable);
        }
    };
    match JSON::stringify(&slice) {
        Ok(json) => Ok(json),
        Err(_) => {
            for i in from..to {
                if let Err(e) = JSON::stringify(&item(events, i as u32).unwrap_or_default()) {
                    unserializable.push((i, said("event cannot be serialized to JSON: ", &e, "")));
                }
            }
            Err(unserializable)
        }
    }
}

/// One request's worth of input: a planned chunk, or a half of one after a 413.
pub(super) struct Piece {
    /// Its events; `range.index` is its chunk's (a half keeps it).
    pub(super) range: ChunkRange,
    attempts: u32,
    ms: f64,
    /// Sent gzip-compressed.
    compressed: bool,
    pub(super) result: Result<(u16, Array), Failure>,
    /// Stored (a 2xx), but the answer was not the contract's: what was wrong with it.
    warning: Option<String>,
}

pub(super) struct Progress<'a> {
    /// The options: the callbacks and the `concurrency` (borrowed, not cloned).
    opts: &'a CreateOptions,
    /// Ids are handed to `onChunk` and then dropped, unless `returnIds`.
    keep_ids: bool,
    /// Unknown (`undefined` in the report) for a stream read once.
    chunks_total: Option<usize>,
    events_total: Option<usize>,
    /// Source bytes read so far (byte sources: from the source's start, a resumed
    /// prefix included; `None` until bytes were read), and their total when known.
    bytes_done: Cell<Option<f64>>,
    bytes_total: Option<f64>,
    resume_start: ResumePoint,
    /// Where a resumed run would start (`resumeFrom`).
    prefix: RefCell<StoredPrefix>,
    chunks_done: Cell<usize>,
    events_done: Cell<usize>,
    failed_chunks: Cell<usize>,
    retries: Cell<u32>,
    /// Chunks allowed in flight now: halved on 429 and 503, raised one at a time after
    /// successes, never above the `concurrency` option. Each request holds a slot,
    /// retries included, so that the requests out drop when it is lowered.
    pub(super) slots: Slots,
    /// Chunks stored since the concurrency last changed.
    stored_since_change: Cell<usize>,
    /// Halved on a 429/503 since the last stored chunk (`trouble`).
    halved_since_stored: Cell<bool>,
    started: f64,
}

/// What an upload knows of its source before it starts.
#[derive(Clone, Copy, Default)]
pub(super) struct Totals {
    pub chunks: Option<usize>,
    pub events: Option<usize>,
    /// The source's size in bytes, when known.
    pub bytes: Option<f64>,
    /// A source read piece by piece (not an array): ids are kept only with `returnIds`.
    pub streamed: bool,
}

impl<'a> Progress<'a> {
    /// Inlined always into the send loop, its one caller (36 B less gzipped than a call).
    #[inline(always)]
    pub(super) fn new(opts: &'a CreateOptions, totals: Totals) -> Progress<'a> {
        let start = opts.resume.unwrap_or_default();
        Progress {
            opts,
            keep_ids: opts.return_ids.unwrap_or(!totals.streamed),
            chunks_total: totals.chunks,
            events_total: totals.events,
            bytes_done: Cell::new(None),
            bytes_total: totals.bytes.or(opts.bytes_total),
            resume_start: start,
            prefix: RefCell::new(StoredPrefix::new(start)),
            chunks_done: Cell::new(0),
            events_done: Cell::new(0),
            failed_chunks: Cell::new(0),
            retries: Cell::new(0),
            slots: Slots::new(opts.concurrency),
            stored_since_change: Cell::new(0),
            halved_since_stored: Cell::new(false),
            started: now_ms(),
        }
    }

    /// After each chunk (which ends at `end` in the source): counts it, hands its ids
    /// to `onChunk`, adjusts the concurrency, tells the caller.
    pub(super) fn chunk_done(&self, pieces: &mut [Piece], end: ResumePoint) {
        self.chunks_done.set(self.chunks_done.get() + 1);
        if pieces.iter().any(|p| p.result.is_err()) {
            self.failed_chunks.set(self.failed_chunks.get() + 1);
        } else {
            self.success();
            if let Some(first) = pieces.first() {
                self.prefix.borrow_mut().stored(first.range.index, end);
            }
        }
        for piece in pieces.iter_mut() {
            let Ok((_, ids)) = &piece.result else { continue };
            if let Some(cb) = &self.opts.on_chunk {
                let stored = report(piece).set("ids", ids.clone());
                // A throwing callback must not break the upload.
                call_back(cb, &stored.into());
            }
            if let (Ok((_, ids)), false) = (&mut piece.result, self.keep_ids) {
                *ids = Array::new();
            }
        }
        self.report();
    }

    pub(super) fn concurrency(&self) -> usize {
        self.slots.limit()
    }

    /// `n` more bytes of the source were read (which makes it a byte source).
    pub(super) fn bytes_read(&self, n: usize) {
        let done = self.bytes_done.get().unwrap_or(self.resume_start.bytes as f64);
        self.bytes_done.set(Some(done + n as f64));
    }

    /// `{ events, bytes, line }` (bytes and line for byte sources) of the stored prefix.
    /// A resumed byte upload stopped before its first read still gives its bytes and
    /// line: saved without them, the point would resume the bytes from the start.
    pub(super) fn resume_from(&self) -> JsValue {
        let at = self.prefix.borrow().at();
        let point = Obj::new().set("events", at.events as f64);
        match self.bytes_done.get().is_some() || self.resume_start.bytes > 0 {
            true => point.set("bytes", at.bytes as f64).set("line", at.line as f64).into(),
            false => point.into(),
        }
    }

    fn report(&self) {
        let Some(cb) = &self.opts.on_progress else { return };
        let p = Obj::new()
            .set("chunksDone", self.chunks_done.get() as f64)
            .set("chunksTotal", self.chunks_total.map(|n| n as f64))
            .set("eventsDone", self.events_done.get() as f64)
            .set("eventsTotal", self.events_total.map(|n| n as f64))
            .set("failedChunks", self.failed_chunks.get() as f64)
            .set("retries", self.retries.get())
            .set("concurrency", self.concurrency() as f64)
            .set("resumeFrom", self.resume_from())
            .set("elapsedMs", now_ms() - self.started);
        let p = match self.bytes_done.get() {
            Some(done) => p.set("bytesDone", done).set("bytesTotal", self.bytes_total),
            None => p,
        };
        // A throwing progress callback must not break the upload.
        call_back(cb, &p.into());
    }

    /// Before a retry: the server said "too many" (429) or "overloaded" (503): halve
    /// the chunks in flight (multiplicative decrease), on top of the backoff; once per
    /// round, as TCP halves once per window: the other chunks of the burst that was in
    /// flight bring the same news, not new trouble (each halving again took 8 to 1).
    fn trouble(&self, err: &ClientError) {
        self.retries.set(self.retries.get() + 1);
        if let ClientError::Api { status: 429 | 503, .. } = err {
            if !self.halved_since_stored.replace(true) {
                self.slots.set_limit((self.concurrency() / 2).max(1));
            }
            self.stored_since_change.set(0);
        }
    }

    /// After a stored chunk: one more in flight once a whole round of chunks (as many
    /// as are allowed in flight) was stored without trouble (additive increase, as TCP
    /// does per round trip), up to the option. Raising it after every chunk measured
    /// 39 429s against 72 for a fixed-concurrency client (rate limit 10/s, 100 chunks).
    fn success(&self) {
        self.halved_since_stored.set(false);
        let stored = self.stored_since_change.get() + 1;
        if stored >= self.concurrency() && self.concurrency() < self.opts.concurrency {
            self.slots.set_limit(self.concurrency() + 1);
            self.stored_since_change.set(0);
        } else {
            self.stored_since_change.set(stored);
        }
    }
}

pub struct Upload<'a> {
    pub session: Rc<Session>,
    pub create_url: String,
    pub events: Array,
    pub opts: &'a CreateOptions,
    pub abort: AbortWatch,
    /// Random, once per call: with the range, it makes each body's Idempotency-Key.
    pub run_id: String,
}

impl Upload<'_> {
    /// How the upload ends, for `finish`.
    pub(super) fn ending<'p>(&'p self, progress: &'p Progress<'p>, stopped: Option<Stopped>) -> Ending<'p> {
        Ending {
            abort: &self.abort,
            run_id: &self.run_id,
            compression_refused: self.session.compression_refused.get(),
            stopped,
            progress,
        }
    }

    /// Sends one range: `body` (the one pass one kept, or a source's), or one made
    /// afresh, sent only if it is the body pass one validated (`fingerprint_validated`).
    /// A 413 splits the body in two and sends the halves in turn; a 415 sends it again
    /// plain. One loop over what is left to send (not a call of itself per
    /// half: one state machine).
    /// Its pieces are told to the progress as done, the chunk ending at `end` in the source.
    pub(super) async fn send(&self, range: ChunkRange, body: Option<Uint8Array>, end: ResumePoint, progress: &Progress<'_>, fingerprint_validated: u64) -> Vec<Piece> {
        let mut pieces = Vec::new();
        // Left to send, the next on top: a range, its body if it has one yet (a half,
        // or a body sent again plain), and the requests of the one it replaces after a
        // 415, counted in the first piece that comes of it.
        // (`push`, not `vec![…]`: its boxed-slice path is more code for this type.)
        let mut todo = Vec::new();
        todo.push((range, body, 0));
        // (`let … else`, not `while let`: the popped `Option` is not kept across the awaits.)
        'todo: loop {
            let Some((range, body, earlier)) = todo.pop() else { break };
            // What came of this body: its requests, time, compression, result and
            // warning. One `Piece` made below for every outcome (not one per branch).
            let (attempts, ms, compressed, result, warning) = 'sent: {
                // `body` is consumed whole on every path (dropped here, matched whole below):
                // moved on some and not others, it would need a drop flag.
                if self.abort.is_aborted() {
                    drop(body);
                    break 'sent (0, 0.0, false, Err(self.abort.error()), None);
                }
                let started = now_ms();
                let body = match body.map_or_else(|| fresh_body(&self.events, &range, fingerprint_validated), Ok) {
                    Ok(body) => body,
                    Err(e) => break 'sent (0, 0.0, false, Err(e), None),
                };
                let raw_bytes = body.length() as usize;
                let compress = self.opts.compression.compresses(raw_bytes, self.session.config.api_is_loopback, self.session.compression_refused.get());
                // (A failed compression sends the body plain.)
                let gzipped = match compress::gzip(&body, compress) {
                    Some(bytes) => match bytes.await {
                        Ok(b) => Some(Uint8Array::new(&b)),
                        Err(_) => None,
                    },
                    None => None,
                };
                let (compressed, payload, content_encoding) = match &gzipped {
                    Some(gzipped) => (true, gzipped, Some(GZIP_ENCODING)),
                    None => (false, &body, None),
                };
                // One key for every retry of this body: a retry after a lost answer stores nothing twice.
                let key = idempotency_key(&self.run_id, &range);
                let spec = CallSpec {
                    method: Method::Post,
                    url: &self.create_url,
                    json_body: Some(payload.as_ref()),
                    content_encoding,
                    raw_bytes,
                    sent_bytes: payload.length() as usize,
                    idempotency_key: Some(&key),
                    compressed_answer: self.opts.compression.answers_compressed(self.session.config.api_is_loopback),
                    max_retries: self.opts.max_retries,
                    timeout_ms: self.opts.timeout_ms,
                    net: &self.session.auth.net,
                    earlier_attempts: earlier,
                    slots: Some(&progress.slots),
                    chunk: Some(range.index),
                };
                let called = call(Some(&self.session.auth), spec, &self.abort, &|err| progress.trouble(err)).await;
                let _ = { gzipped }; // (a block, not `drop`: its call is not inlined)
                let ms = now_ms() - started;
                let mut e = match called.result {
                    Ok(answer) => {
                        // A 2xx stores the chunk, whatever its body says: reported as stored
                        // (resending it would store it twice), with a warning when the body is off.
                        let (ids, warning) = read_created(&answer.text, range.len());
                        progress.events_done.set(progress.events_done.get() + range.len());
                        break 'sent (called.attempts, ms, compressed, Ok((answer.status, ids)), warning);
                    }
                    Err(e) => e,
                };
                if let ClientError::Api { status, hint, .. } = &mut *e {
                    let status = *status;
                    match classify_status(status) {
                        Disposition::SendPlain if compressed => {
                            // The API does not take compressed bodies: this one again, plain, and no
                            // more compression for this client.
                            self.session.compression_refused.set(true);
                            // A second attempt of the chunk: counted as the retries are (the
                            // chunk's `attempts` counts it too).
                            progress.retries.set(progress.retries.get() + 1);
                            // (A clone: moving `body` here, and not on the other paths, needs a drop flag.)
                            todo.push((range, Some(body.clone()), earlier + called.attempts));
                            continue 'todo;
                        }
                        Disposition::Split if range.len() > 1 => {
                            let (left, right) = split_in_two(range).expect("a range of two or more splits");
                            let Some((left_body, right_body)) = halves(&body, left.len()) else {
                                break 'sent (called.attempts, ms, compressed, Err(unexpected(status, "the chunk body could not be split")), None);
                            };
                            todo.push((right, Some(right_body), 0));
                            todo.push((left, Some(left_body), earlier));
                            continue 'todo;
                        }
                        // The server holds another body under this key: a resume whose events changed.
                        _ if status == 422 => *hint = Some(KEY_REUSED_HINT),
                        _ => {}
                    }
                }
                (called.attempts, ms, compressed, Err(e), None)
            };
            pieces.push(Piece { range, attempts: attempts + earlier, ms, compressed, result, warning });
        }
        progress.chunk_done(&mut pieces, end);
        pieces
    }
}

/// The two halves of a body that was sent (the first of `left_count` events), cut
/// from its bytes: validated bytes stay the bytes sent.
/// Inlined always into `Upload::send`, its one caller (39 B less gzipped than a call).
#[inline(always)]
fn halves(body: &Uint8Array, left_count: usize) -> Option<(Uint8Array, Uint8Array)> {
    let bytes = crate::wasm::js::bytes_to_vec(body);
    // Borrowed as text (not `String::from_utf8`, whose error would own the bytes).
    let (left, right) = split_body(core::str::from_utf8(&bytes).ok()?, left_count)?;
    Some((framed(bytes.get(left)?), framed(bytes.get(right)?)))
}

/// The ids of a `201 {"created", "ids"}` answer (ASSUMED shape), checked against the
/// count sent. An answer off that shape gives no ids, and says what was wrong.
/// Inlined always into `Upload::send`, its one caller (37 B less gzipped than a call).
#[inline(always)]
fn read_created(text: &JsString, sent: usize) -> (Array, Option<String>) {
    // (`&str`: the counts' warning is made whole in its arm, no `String` per reason.)
    let why = match json_parse(text) {
        Err(_) => "is not JSON",
        Ok(answer) => {
            let ids = get(&answer, IDS_FIELD);
            if !Array::is_array(&ids) {
                "has no ids"
            } else {
                let ids: Array = ids.unchecked_into();
                if ids.length() as usize != sent || get(&answer, CREATED_FIELD).as_f64().is_some_and(|c| c as usize != sent) {
                    return (Array::new(), Some(text!["stored, but the answer counts ", ids.length(), " ids for ", sent, " events sent: no ids for them"]));
                }
                return (ids, None);
            }
        }
    };
    (Array::new(), Some(text!["stored, but the answer ", why, ": no ids for them"]))
}

/// A chunk's report (`ChunkReport`); a stored one's (`onChunk`, `chunks`, `succeeded`)
/// with its `status` and `ms`.
fn report(piece: &Piece) -> Obj {
    let mut report = Obj::new()
        .set("index", piece.range.index as f64)
        .set("from", piece.range.from as f64)
        .set("to", piece.range.to as f64)
        .set("count", piece.range.len() as f64)
        .set("attempts", piece.attempts)
        .set("compressed", piece.compressed);
    if let Ok((status, _)) = &piece.result {
        report = report.set("status", *status).set("ms", piece.ms);
    }
    match &piece.warning {
        Some(w) => report.set("warning", w.as_str()),
        None => report,
    }
}

/// Why a stream's upload stopped before its end: the error it rejects with (its name,
/// message and own fields), to which what was stored is added.
pub(super) struct Stopped {
    pub name: &'static str,
    pub message: String,
    pub fields: Obj,
    /// A wrong argument found while reading (a `TypeError` or `RangeError`), not an
    /// upload to resume (a flag: no comparison of the name's text).
    pub wrong_argument: bool,
}

/// What `finish` needs besides the pieces.
pub(super) struct Ending<'a> {
    abort: &'a AbortWatch,
    run_id: &'a str,
    compression_refused: bool,
    stopped: Option<Stopped>,
    progress: &'a Progress<'a>,
}

/// The resolved value, or the rejection, from all pieces in input order.
/// Inlined always into the send loop, its one caller (22 B less gzipped than a call).
#[inline(always)]
pub(super) fn finish(pieces: &[Piece], ending: Ending) -> Result<JsValue, JsValue> {
    let Ending { abort, run_id, compression_refused, stopped, progress } = ending;
    let id_arrays = Array::new();
    let (mut created, mut total, mut failed_count) = (0usize, 0usize, 0usize);
    let succeeded = Array::new();
    let failed = Array::new();
    // The first failure and its error object: its message is made only if it is needed.
    let mut first_error: Option<(&Failure, JsValue)> = None;
    let warnings = Array::new();
    for piece in pieces {
        total += piece.range.len();
        match &piece.result {
            Ok((_, chunk_ids)) => {
                if let Some(w) = &piece.warning {
                    warnings.push(&text!["events ", piece.range.from, "–", piece.range.to - 1, ": ", w].into());
                }
                created += piece.range.len();
                id_arrays.push(chunk_ids);
                succeeded.push(&report(piece).into());
            }
            Err(e) => {
                let error = e.to_js();
                first_error.get_or_insert_with(|| (e, error.clone()));
                failed_count += 1;
                failed.push(&report(piece).set("error", error).into());
            }
        }
    }
    if failed_count == 0 && stopped.is_none() {
        // Ids in input order, or none when an answer gave none (its warning says so).
        let ids = if warnings.length() == 0 { flatten(&id_arrays) } else { Array::new() };
        // (Dropped here, as it moves into the error's fields on the other paths: moved on
        // some and not others, it would need a drop flag.)
        drop(failed);
        return Ok(Obj::new()
            .set("created", created as f64)
            .set("ids", ids)
            .set("chunks", succeeded)
            .set("runId", run_id)
            .set("compressionRefused", compression_refused)
            .set("resumeFrom", progress.resume_from())
            .set("warnings", warnings)
            .into());
    }
    // On failure every stored chunk names its own ids (when kept): the caller resends
    // exactly `failed`.
    // `id_arrays` holds the stored chunks' ids in the order of their reports.
    if progress.keep_ids {
        for i in 0..succeeded.length() {
            Obj::from(succeeded.get(i).unchecked_into::<js_sys::Object>()).set("ids", id_arrays.get(i));
        }
    }
    let fields = Obj::new()
        .set("created", created as f64)
        .set("succeeded", succeeded)
        .set("failed", failed)
        .set("runId", run_id)
        .set("resumeFrom", progress.resume_from())
        .set("compressionRefused", compression_refused)
        .set("warnings", warnings);
    if let Some(stop) = stopped {
        // A wrong argument found while reading is not an upload to resume: its fields say
        // what was stored, its message only what is wrong.
        // (Added to in place: `stop.message` moved in one branch only would need a drop flag.)
        let mut message = stop.message;
        if !stop.wrong_argument {
            text![into message; "; ", created, " events were stored before (resume with runId ", run_id, ")"];
        }
        let all = stop.fields.build();
        js_sys::Object::assign(&all, &fields.build());
        let err = build(stop.name, &message, Obj::from(all));
        return Err(err);
    }
    let ranges = describe_ranges(pieces);
    if abort.is_aborted() {
        let message = text!["createEvents was aborted: ", created, " of ", total, " events were stored; not confirmed: ", ranges, " (resume with runId ", run_id, ")"];
        return Err(build("AbortError", &message, fields.set("cause", abort.reason())));
    }
    // The first chunk's error is the cause, as platform errors that wrap another do.
    let (first_message, first) = first_error.map_or_else(Default::default, |(e, error)| (e.message(), error));
    let message = text![failed_count, " of ", pieces.len(), " chunks failed (", ranges, "); ", created, " of ", total, " events were stored. First error: ", first_message];
    Err(build("CreateEventsError", &message, fields.set("cause", first)))
}

/// `arrays.flat()`: one copy of all ids (concatenating chunk by chunk would copy the
/// growing array once per chunk: quadratic, and memory that grows with it). The ids
/// arrays come from `JSON.parse`: no holes for `flat` to drop.
fn flatten(arrays: &Array) -> Array {
    arrays.flat(1)
}

/// `events 0–999, 5000–5999` for the failed pieces (first few).
fn describe_ranges(pieces: &[Piece]) -> String {
    // A loop adding to the text in place, not `filter().map().collect()` nor `take(5)`
    // (std's code per type), nor a `Vec` of texts joined (`join` compiled for `String`).
    let (mut failed, mut shown) = (0usize, String::from("events "));
    for p in pieces {
        if p.result.is_err() {
            failed += 1;
            if failed <= 5 {
                if failed > 1 {
                    text![into shown; ", "];
                }
                text![into shown; p.range.from, "–", p.range.to - 1];
            }
        }
    }
    if failed > 5 {
        text![into shown; " and ", failed - 5, " more ranges"];
    }
    shown
}
