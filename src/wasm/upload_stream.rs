//! `createEvents`' send loop, for an array (its chunks planned by pass one, `upload.rs`)
//! and for a source read piece by piece (`source.rs`: bytes, a stream, an iterable of
//! pieces or of events). The pieces feed the core's framer (`stream_framer`), which
//! validates each event and frames chunk bodies; bodies are sent as they are ready,
//! `concurrency` in flight, and the source is read only as fast as chunks leave (at
//! most one chunk waits beyond those in flight), so memory stays flat whatever the
//! source's size. No event ever becomes a JS object.
//!
//! A chunk is sent only when every event in it is valid. A bad event stops the upload
//! (no new chunk is sent, those in flight finish) with a `ValidationError` naming its
//! index, line and byte offset, and what was stored; with `onInvalid: 'skip'` the bad
//! events are left out and reported in the result; with `validate: 'all'` a source
//! that can be read twice is first read whole to validate it, and nothing is sent if
//! anything is bad. A run resumed with `resumeFrom` starts after the stored prefix,
//! numbering events on from it, so its chunks and idempotency keys are the first run's.

use std::pin::pin;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::chunking::ChunkRange;
use crate::core::resume::ResumePoint;
use crate::core::stream_framer::{Broken, Framed, Framer, Skipped};
use crate::core::validate::Problems;

use super::abort::AbortWatch;
use super::errors::{build, ClientError, Failure};
use super::options::CreateOptions;
use super::session::Session;
use super::source::{is_rereadable, Feed, Source};
use super::upload::{finish, plan, Piece, Plan, Progress, Stopped, Totals, Upload};
use super::js::{utf8_lossy, Obj};
use super::wait::{first, Boxed, First, InFlight};

/// Why the upload stops reading.
enum Stop {
    Invalid,
    Broken(Broken),
    Source(Failure),
    /// The caller's signal fired before the source was all sent.
    Aborted(JsValue),
}

/// A chunk ready to be sent: its range, where it ends in the source (for `resumeFrom`),
/// and its body (`None` for an array's chunk: the body pass one kept, or one made afresh).
struct Ready {
    range: ChunkRange,
    end: ResumePoint,
    body: Option<Uint8Array>,
}

/// `createEvents` whole: an array (`streamed` false) is validated by pass one
/// (`upload::plan`), and its planned chunks are all ready at once; a source is read
/// and framed as its chunks leave. One send loop for both (one state machine in the
/// wasm, not two). An array's upload never stops early: after an abort its chunks not
/// yet sent fail one by one with the `AbortError`.
pub async fn run(session: Rc<Session>, source: JsValue, streamed: bool, opts: &CreateOptions, abort: AbortWatch, run_id: String, create_url: String) -> Result<JsValue, JsValue> {
    let resume = opts.resume.unwrap_or_default();
    // An array read as an iterable (`onInvalid: 'skip'`) keeps the arrays' `returnIds` default.
    let mut totals = Totals { streamed: !Array::is_array(&source), ..Totals::default() };
    // The chunks ready to be sent, in order, from `next` on: an array's plan, or the
    // chunks of a source's last read (a read starts only once they are all sent).
    let mut ready: Vec<Ready> = Vec::new();
    let (events, plan, source) = if streamed {
        if opts.validate_all {
            if opts.skip_invalid {
                return Err(ClientError::Type("validate: 'all' sends nothing if any event is bad; onInvalid: 'skip' cannot go with it".into()).into_js());
            }
            if !is_rereadable(&source) {
                return Err(ClientError::Type(
                    "validate: 'all' reads the source twice: give a Blob, File, Uint8Array, ArrayBuffer, or a function that returns a fresh stream".into(),
                )
                .into_js());
            }
            let (chunks, events) = validate_all(&source, opts, &abort).await?;
            (totals.chunks, totals.events) = (Some(chunks), Some(events));
        }
        let source = Source::open(&source, resume, opts.chunksize)?;
        totals.bytes = source.size;
        (Array::new(), Plan::streaming(), Some(source))
    } else {
        let events: Array = source.unchecked_into();
        let plan = plan(&events, opts, &abort).await?;
        for &range in &plan.chunks {
            ready.push(Ready { range, end: ResumePoint { events: range.to, ..ResumePoint::default() }, body: None });
        }
        let (first, last) = (plan.chunks.first().map_or(0, |c| c.from), plan.chunks.last().map_or(0, |c| c.to));
        (totals.chunks, totals.events) = (Some(plan.chunks.len()), Some(last - first));
        (events, plan, None)
    };
    let mut framer = Framer::resume(opts.format, opts.chunksize, opts.max_chunk_bytes, resume);
    if opts.on_skip.is_some() {
        framer.keep_skipped();
    }
    let upload = Upload { session, create_url, events, opts, abort, run_id };
    let progress = Progress::new(opts, totals);
    let (upload, plan, progress) = (&upload, &plan, &progress);
    let send = |ready: Ready| async move {
        let mut pieces = upload.send(ready.range, ready.body, progress, plan).await;
        progress.chunk_done(&mut pieces, ready.end);
        pieces
    };
    let mut next = 0;
    let mut running = InFlight::new();
    let mut done: Vec<Piece> = Vec::new();
    let mut chunks = 0;
    let mut reading: Option<Boxed<'static, Result<Option<Vec<Feed>>, Failure>>> = None;
    // An array has nothing to read.
    let mut ended = !streamed;
    let mut stop: Option<Stop> = None;
    let holds_events = |source: &Option<Source>| source.as_ref().and_then(Source::holds_events);
    loop {
        if streamed && upload.abort.is_aborted() {
            if stop.is_none() && (!ended || next < ready.len()) {
                stop = Some(Stop::Aborted(upload.abort.reason()));
            }
            ready.clear();
            next = 0;
        }
        while running.len() < progress.concurrency() && stop.is_none() && next < ready.len() {
            // Taken out, its place left empty: a Vec does, without VecDeque's code.
            let chunk = Ready { range: ready[next].range, end: ready[next].end, body: ready[next].body.take() };
            next += 1;
            running.push(Box::pin(send(chunk)));
        }
        if next == ready.len() {
            ready.clear();
            next = 0;
        }
        // Read on while no more than one chunk waits beyond those in flight.
        let want = !ended && stop.is_none() && ready.is_empty() && !upload.abort.is_aborted();
        if let (true, None, Some(source)) = (want, &reading, &source) {
            reading = Some(source.read());
        }
        let step = match (reading.as_mut(), running.is_empty()) {
            (None, true) => break,
            (None, false) => First::Right(running.next().await),
            // Nothing in flight: the read races the signal, or a source that stops
            // giving pieces (a stream kept open) would hold an abort off for ever.
            (Some(read), true) => match first(read.as_mut(), pin!(upload.abort.fired())).await {
                First::Left(piece) => First::Left(piece),
                First::Right(()) => {
                    reading = None; // the source is cancelled when it is dropped
                    continue;
                }
            },
            (Some(read), false) => first(read.as_mut(), pin!(running.next())).await,
        };
        match step {
            First::Right(pieces) => {
                // Kept in order as they land (a sorted insert: std's sort costs 2 KB of wasm).
                for p in pieces.unwrap_or_default() {
                    let at = done.partition_point(|d| (d.chunk, d.range.from) < (p.chunk, p.range.from));
                    done.insert(at, p);
                }
            }
            First::Left(piece) => {
                reading = None;
                let framed = match piece {
                    Ok(Some(feed)) => frame(&mut framer, feed, (holds_events(&source) == Some(false)).then_some(progress)),
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
                    Ok(more) => {
                        for framed in more {
                            let range = ChunkRange { index: chunks, from: framed.from, to: framed.to };
                            let end = ResumePoint { events: framed.to, bytes: framed.end_offset, line: framed.end_line };
                            ready.push(Ready { range, end, body: Some(Uint8Array::from(&framed.body[..])) });
                            chunks += 1;
                        }
                    }
                    Err(broken) => stop = Some(Stop::Broken(broken)),
                }
                if let Some(on_skip) = &opts.on_skip {
                    tell_skipped(on_skip, framer.take_skipped(), holds_events(&source) != Some(true));
                }
                if !opts.skip_invalid && !framer.problems().is_empty() && stop.is_none() {
                    stop = Some(Stop::Invalid);
                }
                if stop.is_some() {
                    ready.clear(); // no new chunk once the upload stops
                    next = 0;
                }
            }
        }
    }
    let positions = holds_events(&source) != Some(true);
    let stopped = stop.map(|s| stopped(s, &framer, positions));
    let result = finish(done, upload.ending(progress, stopped))?;
    if streamed && opts.skip_invalid {
        let _ = Reflect::set(&result, &"skipped".into(), &skipped(&framer, positions).into());
    }
    Ok(result)
}

/// Feeds one read to the framer; counts the bytes read (byte sources).
fn frame(framer: &mut Framer, feed: Vec<Feed>, bytes_read: Option<&Progress>) -> Result<Vec<Framed>, Broken> {
    let mut out = Vec::new();
    for piece in feed {
        match piece {
            Feed::Bytes(bytes) => {
                if let Some(progress) = bytes_read {
                    progress.bytes_read(bytes.len());
                }
                out.extend(framer.push(&bytes)?);
            }
            Feed::Unreadable(why) => out.extend(framer.push_unreadable(why)),
        }
    }
    Ok(out)
}

/// `validate: 'all'`: the whole source read once, nothing sent; every problem, or the
/// number of chunks and events the upload will send.
async fn validate_all(source: &JsValue, opts: &CreateOptions, abort: &AbortWatch) -> Result<(usize, usize), JsValue> {
    let resume = opts.resume.unwrap_or_default();
    let source = Source::open(source, resume, opts.chunksize)?;
    let mut framer = Framer::resume(opts.format, opts.chunksize, opts.max_chunk_bytes, resume);
    let (mut chunks, mut events) = (0, 0);
    let mut count = |framed: Vec<Framed>| {
        chunks += framed.len();
        events += framed.iter().map(|f| f.count).sum::<usize>();
    };
    loop {
        if abort.is_aborted() {
            return Err(abort.error().into_js());
        }
        let mut read = source.read();
        let piece = match first(read.as_mut(), pin!(abort.fired())).await {
            First::Left(piece) => piece,
            First::Right(()) => return Err(abort.error().into_js()),
        };
        let framed = match piece {
            Ok(Some(feed)) => frame(&mut framer, feed, None),
            Ok(None) => {
                let last = framer.finish();
                let stop = match last {
                    Ok(framed) => {
                        count(framed);
                        None
                    }
                    Err(broken) => Some(Stop::Broken(broken)),
                };
                let stop = stop.or_else(|| (!framer.problems().is_empty()).then_some(Stop::Invalid));
                return match stop {
                    None => Ok((chunks, events)),
                    Some(stop) => Err(validation_error(stop, &framer, source.holds_events() != Some(true))),
                };
            }
            Err(e) => return Err(validation_error(Stop::Source(e), &framer, true)),
        };
        match framed {
            Ok(framed) => count(framed),
            Err(broken) => return Err(validation_error(Stop::Broken(broken), &framer, true)),
        }
    }
}

/// A stop of the validating pass, as the error it rejects with (nothing was sent).
fn validation_error(stop: Stop, framer: &Framer, positions: bool) -> JsValue {
    let Stopped { name, message, fields } = stopped(stop, framer, positions);
    let message = match name {
        "ValidationError" => format!("{message}; nothing was sent (validate: 'all')"),
        _ => message,
    };
    build(name, &message, fields.set("created", 0.0))
}

/// The problems of the bad events, each with its line and byte offset in the source
/// (`positions`: a byte source, not events).
fn problems_with_positions(framer: &Framer, positions: bool) -> Array {
    let problems = Array::new();
    for p in framer.problems().list() {
        let at = framer.position(p.index).filter(|_| positions);
        let problem = Obj::new()
            .set("index", p.index as f64)
            .set("line", at.map(|a| a.line as f64))
            .set("offset", at.map(|a| a.offset as f64))
            .set("field", p.field.as_str())
            .set("message", p.message.as_str());
        problems.push(&problem.into());
    }
    problems
}

/// `onSkip` with each event left out: index, line and offset (bytes), its text as read,
/// and its problems. What the callback throws does not stop the upload.
fn tell_skipped(on_skip: &Function, skipped: Vec<Skipped>, positions: bool) {
    for event in skipped {
        let problems = Array::new();
        for p in &event.problems {
            problems.push(&Obj::new().set("field", p.field.as_str()).set("message", p.message.as_str()).into());
        }
        let at = positions.then_some(event.position);
        let text = (!event.text.is_empty()).then(|| utf8_lossy(&event.text));
        let report = Obj::new()
            .set("index", event.position.index as f64)
            .set("line", at.map(|a| a.line as f64))
            .set("offset", at.map(|a| a.offset as f64))
            .set("text", text)
            .set("problems", problems);
        let _ = on_skip.call1(&JsValue::UNDEFINED, &report.into());
    }
}

fn skipped(framer: &Framer, positions: bool) -> Obj {
    let problems: &Problems = framer.problems();
    Obj::new()
        .set("count", problems.invalid_events() as f64)
        .set("problems", problems_with_positions(framer, positions))
        .set("problemCount", problems.total() as f64)
}

fn stopped(stop: Stop, framer: &Framer, positions: bool) -> Stopped {
    match stop {
        Stop::Invalid => {
            let p = framer.problems();
            Stopped {
                name: "ValidationError",
                message: format!("{} (nothing after it was sent)", p.summary()),
                fields: Obj::new().set("problems", problems_with_positions(framer, positions)).set("problemCount", p.total() as f64),
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
            let (name, cause) = match &*e {
                ClientError::Network { cause, .. } => ("CreateEventsError", cause.clone().unwrap_or(JsValue::UNDEFINED)),
                ClientError::Range(_) => ("RangeError", JsValue::UNDEFINED),
                _ => ("TypeError", JsValue::UNDEFINED),
            };
            Stopped { name, message: e.message(), fields: Obj::new().set("cause", cause) }
        }
        Stop::Aborted(reason) => Stopped {
            name: "AbortError",
            message: "createEvents was aborted before the source was all sent".into(),
            fields: Obj::new().set("cause", reason),
        },
    }
}

