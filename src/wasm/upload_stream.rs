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

use crate::prelude::*;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use alloc::rc::Rc;
use core::task::Poll;

use js_sys::{Array, Function, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::chunking::ChunkRange;
use crate::core::resume::ResumePoint;
use crate::core::stream_framer::{Broken, Framed, Framer, Skipped};
use crate::core::request;
use crate::core::validate::Problems;

use super::abort::AbortWatch;
use super::errors::{build, type_error, ClientError, Failure};
use super::options::CreateOptions;
use super::session::Session;
use super::source::{is_events_array, is_rereadable, Feed, Source};
use super::upload::{finish, plan, Piece, Progress, Ready, Stopped, Totals, Upload};
use super::js::{call_back, random_uuid, utf8_lossy, Obj};
use super::wait::{Boxed, InFlight};

/// Why the upload stops reading. (A variant for going on, not an `Option<Stop>`: one
/// type's drop glue, not two.)
enum Stop {
    /// Not stopped.
    Going,
    Invalid,
    Broken(Broken),
    Source(Failure),
    /// The caller's signal fired before the source was all sent.
    Aborted(JsValue),
}

/// What ended one wait of the send loop.
enum Turn {
    Read(Result<Option<Vec<Feed>>, Failure>),
    Sent(Vec<Piece>),
    /// The caller's signal fired while a read was all that was under way.
    Aborted,
}

/// `createEvents` whole: an array (`streamed` false) is validated by pass one
/// (`upload::plan`), and its planned chunks are all ready at once; a source is read
/// and framed as its chunks leave. One send loop for both (one state machine in the
/// wasm, not two). An array's upload never stops early: after an abort its chunks not
/// yet sent fail one by one with the `AbortError`.
///
/// With `validate: 'all'` the same loop first reads the source whole without sending
/// (`checking`): it counts the chunks and events, gathers every problem, and rejects
/// with them (nothing sent) before the second read sends anything.
///
/// `prepared`: the arguments `createEvents` checked (whether `given` is read as a
/// source, the options, the caller's signal watched), or why they are wrong. The
/// Promise's future is this function's (no async block around it).
pub async fn run(session: Rc<Session>, given: JsValue, prepared: Result<(bool, Box<CreateOptions>, AbortWatch), Failure>) -> Result<JsValue, JsValue> {
    let (streamed, opts, abort) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            // Moved here as it is into the `Upload` below: moved on one path and not
            // another, `session` would need a drop flag.
            drop(session);
            return Err(e.into());
        }
    };
    // (A `match`: `clone` then `unwrap_or_else` copies the whole `Option` first.)
    let run_id = match &opts.run_id {
        Some(id) => id.clone(),
        None => random_uuid(),
    };
    let opts = &opts;
    // The array to send; a source's own value otherwise, never read as events (its
    // chunks all come with their bodies: none is made afresh from `events`).
    let events: Array = given.clone().unchecked_into();
    // Made at once: the session, run id and signal move into it before any exit or
    // await (moved later, each would need a drop flag).
    let create_url = request::create_url(&session.config.events_url);
    let upload = Upload { session, create_url, events, opts, abort, run_id };
    let upload = &upload;
    let resume = opts.resume.unwrap_or_default();
    // An array read as an iterable (`onInvalid: 'skip'`) keeps the arrays' `returnIds` default.
    let mut totals = Totals { streamed: !is_events_array(&given), ..Totals::default() };
    if let (false, false) = (totals.streamed, opts.skip_invalid) {
        // An array sent chunk by chunk: its length says how many events there are to store.
        totals.events = Some((given.unchecked_ref::<Array>().length() as usize).saturating_sub(resume.events));
    }
    let mut checking = streamed && opts.validate_all;
    if checking {
        if opts.skip_invalid {
            return Err(type_error("validate: 'all' sends nothing if any event is bad; onInvalid: 'skip' cannot go with it").into());
        }
        if !is_rereadable(&given) {
            return Err(type_error(
                "validate: 'all' reads the source twice: give a Blob, File, Uint8Array, ArrayBuffer, or a function that returns a fresh stream",
            )
            .into());
        }
    }
    // The chunks ready to be sent, in order, from `next` on: an array's plan, or the
    // chunks of a source's last read (a read starts only once they are all sent).
    // (An array's plan is `ready` itself: pass one makes its chunks, bodies and fingerprints.
    // Made by the `match`, not assigned over an empty `Vec`: nothing to drop, nor to keep
    // across pass one's awaits.)
    let mut ready: Vec<Ready> = match streamed {
        true => Vec::new(),
        false => plan(&upload.events, opts, &upload.abort).await?,
    };
    if !streamed {
        // (`totals.events` was set above: the plan covers the array's events past the
        // resume point, as long as it was when pass one started.)
        totals.chunks = Some(ready.len());
    }
    // The loop's exits all break with the result: one way out, the locals outside it
    // dropped once.
    let result = 'run: loop {
        let source = match streamed {
            true => match Source::open(&given, resume, opts.chunksize) {
                Ok(source) => Some(source),
                Err(e) => break Err(e.into()),
            },
            false => None,
        };
        totals.bytes = source.as_ref().and_then(|s| s.size);
        let mut framer = Framer::resume(opts.format, opts.chunksize, opts.max_chunk_bytes, resume);
        if opts.on_skip.is_some() {
            framer.keep_skipped();
        }
        let progress = &Progress::new(opts, totals);
        let mut next = 0;
        let mut running = InFlight::new();
        let mut done: Vec<Piece> = Vec::new();
        let (mut chunks, mut counted) = (0, 0);
        let mut reading: Option<Boxed<'static, Result<Option<Vec<Feed>>, Failure>>> = None;
        // An array has nothing to read.
        let mut ended = !streamed;
        let mut stop = Stop::Going;
        // After a bad event stops the upload, one more read (nothing framed) says whether
        // the input ended there: then its last line, unterminated (a file without a
        // final newline), is checked too, so that every bad event read is named.
        let mut looked_past_stop = false;
        let holds_events = |source: &Option<Source>| source.as_ref().and_then(Source::holds_events);
        loop {
            if streamed && upload.abort.is_aborted() {
                if checking {
                    // Before a read only, as a stop or the end has the last word.
                    if !ended && stop.going() {
                        break 'run Err(upload.abort.error().into());
                    }
                } else if !ended || next < ready.len() {
                    // (Kept when set.)
                    if stop.going() {
                        stop = Stop::Aborted(upload.abort.reason());
                    }
                }
                ready = Vec::new();
                next = 0;
            }
            while running.len() < progress.concurrency() && stop.going() {
                let Some(chunk) = ready.get_mut(next) else { break };
                // Its body taken out, its place left empty: a Vec does, without VecDeque's code.
                next += 1;
                running.push(Box::pin(upload.send(chunk.range, chunk.body.take(), chunk.end, progress, chunk.fingerprint)));
            }
            if next == ready.len() {
                // (A new `Vec`, not `clear`: `clear`'s loop is compiled for `Ready`; one
                // allocation a read more.)
                ready = Vec::new();
                next = 0;
            }
            // Read on while no more than one chunk waits beyond those in flight.
            // (Bytes only: an iterable of events has no unterminated line, and reading on
            // would run the caller's generator for nothing.)
            let look_past = matches!(stop, Stop::Invalid) && !looked_past_stop && holds_events(&source) == Some(false);
            let want = !ended && (stop.going() || look_past) && ready.is_empty() && !upload.abort.is_aborted();
            if let (true, None, Some(source)) = (want, &reading, &source) {
                reading = Some(source.read());
            }
            if reading.is_none() && running.is_empty() {
                break;
            }
            // The read (first) or the next chunk to finish, whichever ends first: one
            // await for the three cases (a read alone, chunks alone, both).
            let turn = poll_fn(|cx| {
                if let Some(Poll::Ready(read)) = reading.as_mut().map(|r| r.as_mut().poll(cx)) {
                    // Done with: dropped here, not at each arm that reads it.
                    reading = None;
                    return Poll::Ready(Turn::Read(read));
                }
                match running.poll_next(cx) {
                    // Nothing in flight: the read races the signal, or a source that stops
                    // giving pieces (a stream kept open) would hold an abort off for ever.
                    // (`Fired` keeps no state: made afresh at each poll.)
                    Poll::Ready(None) => Pin::new(&mut upload.abort.fired()).poll(cx).map(|()| Turn::Aborted),
                    Poll::Ready(Some(pieces)) => Poll::Ready(Turn::Sent(pieces)),
                    Poll::Pending => Poll::Pending,
                }
            })
            .await;
            match turn {
                Turn::Aborted => {
                    reading = None; // the source is cancelled when it is dropped
                    continue;
                }
                Turn::Sent(mut pieces) => {
                    // Kept in order as they land (a sorted insert: std's sort costs 2 KB of
                    // wasm). A chunk's pieces come together, in order: they go in whole
                    // before the first later chunk's, found by a linear search (not
                    // `partition_point`'s binary search, compiled for this type).
                    // (A chunk's send gives one piece at least: the `0` is never used.)
                    let index = pieces.first().map_or(0, |p| p.range.index);
                    let at = done.iter().position(|d| d.range.index > index).unwrap_or(done.len());
                    // (The later ones put behind this chunk's pieces, then all appended at once.)
                    let mut after = done.split_off(at);
                    pieces.append(&mut after);
                    done.append(&mut pieces);
                }
                Turn::Read(piece) => {
                    // (A read comes only from a source: an array has none.)
                    let Some(source) = &source else { continue };
                    if let Stop::Invalid = stop {
                        looked_past_stop = true;
                        if let Ok(None) = piece {
                            ended = true;
                            let _ = framer.finish();
                        }
                        continue;
                    }
                    // (Read once: a read is what tells it, and none runs until the next wait.)
                    let holds = source.holds_events();
                    let bytes_read = (holds == Some(false) && !checking).then_some(progress);
                    let framed = match piece {
                        Ok(Some(feed)) => frame(&mut framer, feed, bytes_read),
                        Ok(None) => {
                            ended = true;
                            framer.finish()
                        }
                        Err(e) => {
                            stop = Stop::Source(e);
                            continue;
                        }
                    };
                    match framed {
                        Ok(more) => {
                            for framed in &more {
                                counted += framed.count;
                                let range = ChunkRange { index: chunks, from: framed.from, to: framed.to };
                                let end = ResumePoint { events: framed.to, bytes: framed.end_offset, line: framed.end_line };
                                chunks += 1;
                                if !checking {
                                    ready.push(Ready { range, end, body: Some(Uint8Array::from(&framed.body[..])), fingerprint: 0 }); // (0: its body is here, never made afresh)
                                }
                            }
                        }
                        Err(broken) => stop = Stop::Broken(broken),
                    }
                    source.name_what_json_lost(framer.problems_mut().list_mut());
                    if let Some(on_skip) = &opts.on_skip {
                        let mut skipped = framer.take_skipped();
                        for event in &mut skipped {
                            source.name_what_json_lost(&mut event.problems);
                        }
                        tell_skipped(on_skip, skipped, holds != Some(true));
                    }
                    // The checking read goes on to the end, to name every bad event.
                    if !opts.skip_invalid && !checking && !framer.problems().is_empty() && stop.going() {
                        stop = Stop::Invalid;
                    }
                    if !stop.going() {
                        ready = Vec::new(); // no new chunk once the upload stops
                        next = 0;
                    }
                }
            }
        }
        let positions = holds_events(&source) != Some(true);
        // A source that failed (or proved wrong: a resume point past its end, a piece of
        // the wrong type) before any chunk was sent (`validate: 'all'`'s checking read
        // sends none): its own error, as a source function that throws, and no "stored
        // before" to speak of. (Made from a reference: a partial move out of `stop` would
        // need its drop flags.)
        if let (Stop::Source(e), true) = (&stop, done.is_empty()) {
            break Err(e.to_js());
        }
        if checking {
            if !framer.problems().is_empty() && stop.going() {
                stop = Stop::Invalid;
            }
            // (Replaced, not moved: `stop` stays whole, so it needs no drop flag.)
            if let Some(stopped) = stopped(core::mem::replace(&mut stop, Stop::Going), &framer, positions) {
                break 'run Err(validation_error(stopped));
            }
            (totals.chunks, totals.events) = (Some(chunks), Some(counted));
            checking = false;
            continue;
        }
        let stopped = stopped(core::mem::replace(&mut stop, Stop::Going), &framer, positions);
        // (Borrowed: `done` stays whole, so it needs no drop flag.)
        break match (finish(&done, upload.ending(progress, stopped)), streamed && opts.skip_invalid) {
            (Ok(result), true) => Ok(Obj::from(result.unchecked_into::<Object>()).set("skipped", skipped(&framer, positions)).into()),
            (result, _) => result,
        };
    };
    result
}

/// Feeds one read to the framer; counts the bytes read (byte sources). Inlined always
/// into the send loop, its one caller (29 B less gzipped than a call).
#[inline(always)]
fn frame(framer: &mut Framer, mut feed: Vec<Feed>, bytes_read: Option<&Progress<'_>>) -> Result<Vec<Framed>, Broken> {
    let mut out = Vec::new();
    // By reference: an `IntoIter<Feed>` would compile its own drop.
    for piece in &mut feed {
        match piece {
            Feed::Bytes(bytes) => {
                if let Some(progress) = bytes_read {
                    progress.bytes_read(bytes.len());
                }
                match framer.push(bytes) {
                    Ok(mut more) => out.append(&mut more),
                    Err(broken) => return Err(broken),
                }
            }
            Feed::Unreadable(why) => out.append(&mut framer.push_unreadable(core::mem::take(why))),
        }
    }
    Ok(out)
}

/// A stop of the validating pass, as the error it rejects with (nothing was sent).
fn validation_error(stopped: Stopped) -> JsValue {
    let Stopped { name, mut message, fields, .. } = stopped;
    if name == "ValidationError" {
        text![into message; "; nothing was sent (validate: 'all')"];
    }
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
    // By reference: an `IntoIter<Skipped>` would compile its own drop.
    for event in &skipped {
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
        call_back(on_skip, &report.into());
    }
}

fn skipped(framer: &Framer, positions: bool) -> Obj {
    let problems: &Problems = framer.problems();
    Obj::new()
        .set("count", problems.invalid_events() as f64)
        .set("problems", problems_with_positions(framer, positions))
        .set("problemCount", problems.total() as f64)
}

impl Stop {
    /// Not stopped (yet).
    fn going(&self) -> bool {
        matches!(self, Stop::Going)
    }
}

/// Why the upload stopped, as its error's parts; `None` if it did not.
fn stopped(stop: Stop, framer: &Framer, positions: bool) -> Option<Stopped> {
    Some(match stop {
        Stop::Going => return None,
        Stop::Invalid => {
            let p = framer.problems();
            let mut message = p.summary();
            text![into message; " (nothing after it was sent)"];
            Stopped {
                name: "ValidationError",
                message,
                fields: Obj::new().set("problems", problems_with_positions(framer, positions)).set("problemCount", p.total() as f64),
                wrong_argument: false,
            }
        }
        Stop::Broken(b) => Stopped {
            name: "ValidationError",
            message: text!["the input cannot be read at line ", b.line, ", byte ", b.offset, ": ", b.message],
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
            wrong_argument: false,
        },
        Stop::Source(e) => {
            let (name, cause, wrong_argument) = match &*e {
                ClientError::Source { cause, .. } => ("CreateEventsError", cause.clone(), false),
                ClientError::Range(_) => ("RangeError", JsValue::UNDEFINED, true),
                _ => ("TypeError", JsValue::UNDEFINED, true),
            };
            Stopped { name, message: e.message(), fields: Obj::new().set("cause", cause), wrong_argument }
        }
        Stop::Aborted(reason) => Stopped {
            name: "AbortError",
            message: "createEvents was aborted before the source was all sent".into(),
            fields: Obj::new().set("cause", reason),
            wrong_argument: false,
        },
    })
}

