//! What `createEvents` reads when it is not given an array, one piece at a time:
//! bytes (a `Uint8Array`/`ArrayBuffer`, a `Blob`/`File`, a `ReadableStream`, a sync or
//! async iterable of `Uint8Array` or string pieces: a Node `Readable` is one), or
//! events (a sync or async iterable of event objects: a generator over a database
//! cursor), or a function that returns any of these afresh (so that it can be read
//! twice, for `validate: 'all'`).
//!
//! Events are turned into bytes here, a batch at a time (`JSON.stringify` of up to a
//! chunk of them), written as the pieces of one JSON array, so that the framer sees
//! every source as bytes.

use crate::prelude::*;
use super::local::Local;
use super::cell::RefCell;
use core::cell::Cell;
use alloc::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, JsString, Promise, Reflect, Symbol, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use super::settle::Settled;

use crate::core::resume::ResumePoint;
use crate::core::validate::Problem;

use super::errors::{past_the_end, range_error, type_error, ClientError, Failure};
use super::js::{call_method, get, ignore_rejection, item, lone_surrogate_at, threw, utf8_of, window};
use super::options::{type_name, wrong_type};
use super::upload::{name_what_json_lost, stringify};
use super::wait::Boxed;

/// What one read gives the framer.
pub enum Feed {
    Bytes(Vec<u8>),
    /// An event that could not be turned into JSON (a `BigInt`, a cycle): it takes its
    /// index and is reported as bad.
    Unreadable(String),
}

/// Where the pieces come from.
enum Kind {
    /// A whole buffer, given at once (its bytes wait in `State::pending`).
    Once,
    /// A `ReadableStream`'s reader, or an iterator (`next()` answering `{ done, value }`,
    /// or a Promise of it when `promises`: a reader, an async iterator), read a batch at
    /// a time by the face's `pull`.
    Reader { next: Function, this: JsValue, promises: bool },
    /// An array of events read chunk by chunk (`onInvalid: 'skip'`, `validate:
    /// 'chunk'`), from the index given on: a window is sliced and stringified at once,
    /// not walked with its iterator (a call into JS per event: half the speed).
    Array { events: Array, next: Cell<usize> },
}

/// A source being read.
pub struct Source {
    /// Shared with the read under way (one `Rc`: one type's code to count and free).
    state: Rc<State>,
    /// The source's size in bytes, when it says (a `Blob`, a buffer).
    pub size: Option<f64>,
}

struct State {
    kind: Kind,
    /// Events or bytes? Known at the first piece (`None` until then).
    events: Cell<Option<bool>>,
    /// Left to drop from the front (a resumed run's stored prefix).
    skip_bytes: Cell<u64>,
    skip_events: Cell<usize>,
    /// Events: a JSON array was opened by the pieces written so far, and closed.
    opened: Cell<bool>,
    closed: Cell<bool>,
    /// Events turned into JSON per read.
    batch: usize,
    /// Where this run starts (`resumeFrom`), as given.
    resume: ResumePoint,
    /// Bytes given at once not yet handed to the framer, and how far they were: read
    /// a slice at a time (`next_slice`).
    pending: RefCell<Option<Pending>>,
    /// Events: the last two batches of objects, each with its first event's index, so
    /// that a problem of theirs can be named as what the event held (the framer sees the
    /// last event of a batch only with the next one); and the next event's index.
    recent: RefCell<[(usize, Array); 2]>,
    next_event: Cell<usize>,
    /// A high surrogate that ended the last string piece: written with the next one.
    held: Cell<Option<u16>>,
}

impl State {
    /// `objects` are the next events fed: kept to name their problems (`Source::name_what_json_lost`).
    fn remember(&self, objects: &Array) {
        let mut recent = self.recent.borrow_mut();
        recent.swap(0, 1);
        recent[1] = (self.next_event.get(), objects.clone());
        self.next_event.set(self.next_event.get() + objects.length() as usize);
    }
}

/// The most a read hands the framer: a buffer given at once (a 100 MB `Uint8Array`, an
/// in-memory `Blob` whose stream gives itself whole) is copied into wasm and framed a
/// slice at a time, so that chunks leave as they are ready, memory stays that of a few
/// chunks, and an abort is seen between slices. (Measured whole, a 118 MB buffer held
/// the thread 1.6 s before the first request and grew RSS by 424 MB.)
const SLICE_BYTES: u32 = 1 << 20;

/// Bytes given at once, read a slice at a time: the bytes, how far they were read, and
/// their length when they were given.
type Pending = (Uint8Array, u32, u32);

fn pending(bytes: Uint8Array, at: u32) -> Option<Pending> {
    let len = bytes.length();
    Some((bytes, at, len))
}

/// The next slice of the pending bytes, if any are left. A buffer detached meanwhile
/// (transferred away by `postMessage` or `transfer()`) reads as empty, a resizable one
/// may shrink: a `SourceError`, not an input that ends early.
fn next_slice(pending: &RefCell<Option<Pending>>) -> Result<Option<Vec<u8>>, Failure> {
    let mut slot = pending.borrow_mut();
    let Some((bytes, at, len)) = slot.as_mut() else { return Ok(None) };
    let (from, len) = (*at, *len);
    if bytes.length() != len {
        let message = text!["the source's bytes changed length (detached or resized) while they were read, ", from, " of ", len, " bytes in"];
        return Err(Box::new(ClientError::Source { message, cause: JsValue::UNDEFINED }));
    }
    if from >= len {
        *slot = None;
        return Ok(None);
    }
    let to = from.saturating_add(SLICE_BYTES).min(len);
    *at = to;
    let piece = crate::wasm::js::bytes_to_vec(&bytes.subarray(from, to));
    if to == len {
        *slot = None;
    }
    Ok(Some(piece))
}

impl Source {
    /// Opens `v` to be read from `resume` on (its stored prefix left out).
    pub fn open(v: &JsValue, resume: ResumePoint, batch: usize) -> Result<Source, Failure> {
        if let Some(make) = v.dyn_ref::<Function>() {
            let fresh = match make.call0(&JsValue::UNDEFINED) {
                Ok(fresh) => fresh,
                Err(e) => return Err(source_failed(e)),
            };
            // Anything `createEvents` takes but another function (an array of events too).
            if fresh.is_function() || !(is_source(&fresh) || Array::is_array(&fresh)) {
                let promise = fresh.is_instance_of::<Promise>();
                return Err(type_error(text!["a source function must return events or bytes (an array, a buffer, a Blob, a stream or an iterable)", if promise { " at once, not a Promise: give an async iterable instead" } else { "" }, ", got ", type_name(&fresh)]));
            }
            return Source::open(&fresh, resume, batch);
        }
        let mut skip_bytes = resume.bytes;
        let mut size = None;
        let mut holds_events = None;
        let mut pending = None;
        if is_bytes_at_once(v) {
            if let Err(e) = check_resume_for_bytes(resume) {
                return Err(e);
            }
        }
        let kind = if is_events_array(v) {
            let events: &Array = v.unchecked_ref(); // (an array: is_events_array checked it)
            check_resume(false, resume)?;
            let n = events.length() as usize;
            if resume.events > n {
                return Err(past_the_end(resume.events, n));
            }
            holds_events = Some(true);
            Kind::Array { events: events.clone(), next: Cell::new(resume.events) }
        } else if let Some(bytes) = bytes_of(v)? {
            let len = bytes.length(); // read once (a call into JS each time)
            size = Some(len as f64);
            if skip_bytes > len as u64 {
                return Err(bytes_past_the_end(skip_bytes, len as u64));
            }
            let from = skip_bytes as u32;
            skip_bytes = 0;
            pending = self::pending(bytes.subarray(from, len), 0);
            holds_events = Some(false);
            Kind::Once
        } else {
            // A Blob or File: its stream, from the resume point on. A ReadableStream: its reader.
            // (`None`: a method is missing, or `getReader` or the iterator method threw;
            // one `unreadable` for every way.)
            let reader_kind = 'read: {
                let stream = if is_blob(v) {
                    size = get(v, "size").as_f64();
                    if let Some(size) = size.filter(|&size| skip_bytes as f64 > size) {
                        return Err(bytes_past_the_end(skip_bytes, size as u64));
                    }
                    let mut blob = v.clone();
                    if skip_bytes > 0 {
                        let Some(slice) = method(v, "slice") else { break 'read None };
                        blob = match slice.call1(v, &(skip_bytes as f64).into()) {
                            Ok(sliced) => sliced,
                            Err(e) => return Err(source_failed(e)),
                        };
                        skip_bytes = 0;
                    }
                    let Some(stream_of) = method(&blob, "stream") else { break 'read None };
                    match stream_of.call0(&blob) {
                        Ok(stream) => stream,
                        Err(e) => return Err(source_failed(e)),
                    }
                } else {
                    v.clone()
                };
                reader(&stream)
            };
            reader_kind.ok_or_else(|| unreadable(v))?
        };
        let state = State {
            kind,
            events: Cell::new(holds_events),
            skip_bytes: Cell::new(skip_bytes),
            skip_events: Cell::new(if holds_events.is_some() { 0 } else { resume.events }),
            opened: Cell::new(false),
            closed: Cell::new(false),
            batch: batch.max(1),
            resume,
            pending: RefCell::new(pending),
            recent: RefCell::new([(0, Array::new()), (0, Array::new())]),
            next_event: Cell::new(resume.events),
            held: Cell::new(None),
        };
        Ok(Source { state: Rc::new(state), size })
    }

    /// Names what JSON made `null` in the problems of the events read last (an invalid
    /// `Date`, `NaN`, `undefined`, a function), as an array's pass one does.
    pub fn name_what_json_lost(&self, problems: &mut [Problem]) {
        for (first, objects) in self.state.recent.borrow().iter() {
            name_what_json_lost(*first, objects, problems);
        }
    }

    /// Whether the source's first pieces were events (objects), not bytes; `None`
    /// before the first read.
    pub fn holds_events(&self) -> Option<bool> {
        self.state.events.get()
    }

    /// The next pieces for the framer (`None` at the end); what the source throws is
    /// the error.
    pub fn read(&self) -> Boxed<'static, Result<Option<Vec<Feed>>, Failure>> {
        let state = self.state.clone();
        Box::pin(async move {
            // Fields read through one reference (not one reference each kept across the awaits).
            let s = &*state;
            let batch = s.batch;
            match next_slice(&s.pending) {
                Ok(Some(piece)) => return Ok(Some(bytes_feed(piece))),
                Ok(None) => {}
                Err(e) => return Err(e),
            }
            let (next, this, promises) = match &s.kind {
                Kind::Once => return Ok(None),
                Kind::Reader { next, this, promises } => (next, this, *promises),
                Kind::Array { events: array, next } => {
                    if s.closed.get() {
                        return Ok(None);
                    }
                    let (from, n) = (next.get(), array.length() as usize);
                    let to = (from + batch).min(n);
                    next.set(to);
                    if from < to {
                        let items = match window(array, from as u32, to as u32) {
                            Ok(items) => items,
                            Err((_, e)) => return Err(source_failed(e)),
                        };
                        s.next_event.set(from);
                        s.remember(&items);
                        return Ok(Some(events_feed(&items, &s.opened)));
                    }
                    s.closed.set(true);
                    return Ok(Some(events_end(&Array::new(), &s.opened)));
                }
            };
            if s.closed.get() {
                return Ok(None);
            }
            let objects = Array::new();
            loop {
                // A batch of items read in JS (the face's `pull`): one call into JS, and for
                // an async iterator one Promise awaited, per batch, not per item (an async
                // generator of 200,000 events took 1.6 s item by item). A batch ends after a
                // piece of bytes: those come one at a time, as read.
                let want = batch.saturating_sub(objects.length() as usize).max(1);
                let got = pull_batch(next, this, want, promises)?.await.map_err(source_failed)?;
                let done = get(&got, "done").as_bool() == Some(true);
                // The face's own array (pull.ts), used as it is: no `Array.from` copy.
                let values: Array = get(&got, "values").unchecked_into();
                for i in 0..values.length() {
                    let value = values.get(i);
                    // Events or bytes is told by the first item; the pieces of bytes are each checked.
                    if s.events.get() != Some(true) {
                        let is_bytes = is_piece_of_bytes(&value) || value.is_string();
                        match s.events.get() {
                            None => {
                                check_resume(is_bytes, s.resume)?;
                                s.events.set(Some(!is_bytes));
                            }
                            Some(false) if !is_bytes => {
                                return Err(wrong_type("the source's pieces", "Uint8Array, ArrayBuffer or string", &value))
                            }
                            _ => {}
                        }
                    }
                    if s.events.get() == Some(true) {
                        if s.skip_events.get() > 0 {
                            s.skip_events.set(s.skip_events.get() - 1);
                        } else {
                            objects.push(&value);
                        }
                        continue;
                    }
                    let bytes = match bytes_of(&value)? {
                        Some(bytes) => {
                            // A surrogate held from the last string piece is alone after all:
                            // its bytes come first, and a resume skips them first.
                            let mut lone = held_alone(&s.held, &s.skip_bytes);
                            // Sliced as a buffer given at once is (an in-memory Blob's stream gives
                            // itself whole), past what a resume skips.
                            let skip = s.skip_bytes.get().min(bytes.length() as u64);
                            s.skip_bytes.set(s.skip_bytes.get() - skip);
                            *s.pending.borrow_mut() = self::pending(bytes, skip as u32);
                            match next_slice(&s.pending)? {
                                Some(piece) if lone.is_empty() => piece,
                                Some(mut piece) => {
                                    lone.append(&mut piece);
                                    lone
                                }
                                None => lone,
                            }
                        }
                        None => skipped_front(string_piece(value.unchecked_ref(), &s.held), &s.skip_bytes),
                    };
                    if !bytes.is_empty() {
                        return Ok(Some(bytes_feed(bytes)));
                    }
                }
                if done {
                    s.closed.set(true);
                    // The last string piece ended in half a surrogate pair.
                    let lone = held_alone(&s.held, &s.skip_bytes);
                    if s.events.get() == Some(true) && s.skip_events.get() > 0 {
                        return Err(past_the_end(s.resume.events, s.resume.events - s.skip_events.get()));
                    }
                    // A stream that ended before the resume point: another, shorter source.
                    if s.skip_bytes.get() > 0 {
                        return Err(bytes_past_the_end(s.resume.bytes, s.resume.bytes - s.skip_bytes.get()));
                    }
                    return Ok(match s.events.get() {
                        Some(true) => {
                            s.remember(&objects);
                            Some(events_end(&objects, &s.opened))
                        }
                        _ => (!lone.is_empty()).then(|| bytes_feed(lone)),
                    });
                }
                if objects.length() as usize >= batch {
                    s.remember(&objects);
                    return Ok(Some(events_feed(&objects, &s.opened)));
                }
            }
        })
    }
}

/// A string piece as UTF-8. A high surrogate that ends it is `held` for the next piece
/// (an emoji cut between two pieces is one character). An unpaired surrogate is written
/// as UTF-8 would write it were it a character (WTF-8): bytes that are not UTF-8, which
/// the framer refuses with the event's line and offset, as it refuses the same bytes
/// from a file. (`TextEncoder` writes U+FFFD for it: the data changed without a word.)
#[inline(never)]
fn string_piece(text: &JsString, held: &Cell<Option<u16>>) -> Vec<u8> {
    let mut text = match held.take() {
        Some(high) => JsString::from_char_code1(high as u32).concat(text),
        None => text.clone(),
    };
    let mut at = lone_surrogate_at(&text);
    if at < 0 {
        return utf8_of(&text).into_bytes();
    }
    let mut out = Vec::new();
    while at >= 0 {
        let (at_u, len) = (at as u32, text.length());
        out.extend_from_slice(utf8_of(&text.slice(0, at_u)).as_bytes());
        let unit = text.char_code_at(at_u) as u16;
        if at_u + 1 == len && unit < 0xDC00 {
            held.set(Some(unit));
            return out;
        }
        out.extend_from_slice(&wtf8(unit));
        text = text.slice(at_u + 1, len);
        at = lone_surrogate_at(&text);
    }
    out.extend_from_slice(utf8_of(&text).as_bytes());
    out
}

/// The held high surrogate, alone after all (bytes or the end came next), as WTF-8,
/// past what a resume skips; empty when none is held.
#[inline(never)]
fn held_alone(held: &Cell<Option<u16>>, skip_bytes: &Cell<u64>) -> Vec<u8> {
    let lone = match held.take() {
        Some(unit) => wtf8(unit).to_vec(),
        None => Vec::new(),
    };
    skipped_front(lone, skip_bytes)
}

/// `bytes` past what a resume skips (`skip_bytes`, lowered by what they give).
fn skipped_front(mut bytes: Vec<u8>, skip_bytes: &Cell<u64>) -> Vec<u8> {
    let skip = skip_bytes.get().min(bytes.len() as u64);
    if skip > 0 {
        skip_bytes.set(skip_bytes.get() - skip);
        // The rest copied out by `to_vec`, compiled for other uses already (`drain` and
        // `copy_within` are compiled for this one): only pieces a resume cuts pay it.
        bytes = match bytes.get(skip as usize..) {
            Some(rest) => rest.to_vec(),
            None => Vec::new(),
        };
    }
    bytes
}

/// A surrogate's three bytes as UTF-8's scheme would write it (not valid UTF-8).
fn wtf8(unit: u16) -> [u8; 3] {
    [0xE0 | (unit >> 12) as u8, 0x80 | ((unit >> 6) & 0x3F) as u8, 0x80 | (unit & 0x3F) as u8]
}

/// The face's `pull` (pkg-template/src/pull.ts), given by `setPull`.
/// (A `Cell`, its value taken and put back whole: no borrow to check.)
static PULL: Local<Cell<Option<Function>>> = Local::new(|| Cell::new(None));

/// Gives the engine the face's `pull(next, self, n, promises)`: a Promise of up to `n`
/// items of an iterator or reader as `{ values, done }` (`promises`: its steps are
/// Promises, to be awaited). Iterating
/// is JavaScript by nature, and one crossing per batch is what makes iterables fast.
#[wasm_bindgen(js_name = setPull)]
pub fn set_pull(pull: Function) {
    PULL.get().set(Some(pull));
}

/// The next batch of an iterator's or a reader's items, read by the face's `pull`: its
/// Promise, which the caller awaits at once (not an async fn around it: one state
/// machine fewer).
fn pull_batch(next: &Function, this: &JsValue, want: usize, promises: bool) -> Result<Settled, Failure> {
    let slot = PULL.get();
    let Some(pull) = slot.take() else {
        return Err(type_error("an iterable source is read through the package's EventsClient (setPull was not called)"));
    };
    slot.set(Some(pull.clone()));
    match pull.apply(&JsValue::NULL, &Array::of4(next, this, &(want as f64).into(), &promises.into())) {
        Ok(got) => Ok(Settled::from(super::js::as_promise(&got))),
        Err(e) => Err(source_failed(e)),
    }
}

/// A source left before its end (a bad event, broken bytes, an abort, a failed read)
/// is closed as the platform closes one: a stream's reader is cancelled and its lock
/// released, an iterator's `return()` is called (a generator's `finally` runs, a Node
/// stream is destroyed, a `fetch` body's connection is let go). The Promises these
/// return are settled but not awaited: a `cancel` of the caller's that never settles
/// must not hold the upload's end; a rejection is taken here, not left unhandled.
impl Drop for Source {
    fn drop(&mut self) {
        let Kind::Reader { this, .. } = &self.state.kind else { return };
        let ended = self.state.closed.replace(true);
        let call = |name: &str| {
            if let Ok(returned) = call_method(this, name, &JsValue::UNDEFINED) {
                ignore_rejection(&returned);
            }
        };
        if !ended {
            call(if get(this, "releaseLock").is_function() { "cancel" } else { "return" });
        }
        call("releaseLock");
    }
}

/// A batch of events as the next pieces of one JSON array: `[e1,e2` first, `,e3,e4`
/// after. An event `JSON.stringify` refuses is fed as unreadable, in its place.
fn events_feed(objects: &Array, opened: &Cell<bool>) -> Vec<Feed> {
    match stringify(objects, 0, objects.length() as usize) {
        Ok(json) => bytes_feed(array_piece(&json, opened)),
        Err(_) => {
            let mut feeds = Vec::new(); // a loop: `collect` compiles std's code per type
            for i in 0..objects.length() {
                let one = Array::of1(&objects.get(i));
                feeds.push(match stringify(&one, 0, 1) {
                    Ok(json) => Feed::Bytes(array_piece(&json, opened)),
                    Err(mut why) => Feed::Unreadable(match why.pop() {
                        Some((_, why)) => why,
                        None => String::new(),
                    }),
                });
            }
            feeds
        }
    }
}

/// One piece of bytes as a read's feed: `vec![…]` written once (four sites each
/// compiled its own allocation and write).
#[inline(never)]
fn bytes_feed(bytes: Vec<u8>) -> Vec<Feed> {
    vec![Feed::Bytes(bytes)]
}

/// The last events and the array's `]` (`[]` when there were none).
fn events_end(objects: &Array, opened: &Cell<bool>) -> Vec<Feed> {
    let mut feed = if objects.length() > 0 { events_feed(objects, opened) } else { Vec::new() };
    let end: &[u8] = if opened.get() { b"]" } else { b"[]" }; // one `to_vec`, not two
    feed.push(Feed::Bytes(end.to_vec()));
    feed
}

/// `[e1,e2]` (the JSON of a non-empty array) as the next piece of the one array: its
/// `]` dropped, and its `[` made a `,` after the first piece. In place: no second copy.
fn array_piece(json: &JsString, opened: &Cell<bool>) -> Vec<u8> {
    let mut piece = utf8_of(json).into_bytes();
    piece.pop();
    let after_first = opened.replace(true);
    if let Some(opening) = piece.first_mut().filter(|_| after_first) {
        *opening = b',';
    }
    piece
}

fn reader(stream: &JsValue) -> Option<Kind> {
    let kind = |next, this, promises| Kind::Reader { next, this, promises };
    if let Some(get_reader) = method(stream, "getReader") {
        let reader = get_reader.call0(stream).ok()?;
        let next = method(&reader, "read")?;
        return Some(kind(next, reader, true));
    }
    // Async first.
    for promises in [true, false] {
        if let Some(f) = iterator_method(stream, promises) {
            let it = f.call0(stream).ok()?;
            let next = method(&it, "next")?;
            return Some(kind(next, it, promises));
        }
    }
    None
}

/// Bytes whatever their pieces: a buffer, a `Blob` or `File` (a stream or an iterable
/// tells at its first piece).
fn is_bytes_at_once(v: &JsValue) -> bool {
    is_piece_of_bytes(v) || is_blob(v)
}

/// A `Blob` or `File` (a `stream()` method, but not a stream itself). Not an object:
/// `get` gives `undefined`, so no `is_object` first.
fn is_blob(v: &JsValue) -> bool {
    get(v, "stream").is_function() && get(v, "getReader").is_undefined()
}

/// A resume point fits the source: bytes are resumed at a byte offset (events numbered
/// from `events` but read from byte 0 would send every chunk under another chunk's
/// idempotency key), events at an event count.
fn check_resume(is_bytes: bool, resume: ResumePoint) -> Result<(), Failure> {
    if is_bytes {
        check_resume_for_bytes(resume)
    } else if resume.bytes > 0 || resume.line > 1 {
        Err(type_error(
            "resumeFrom.bytes and resumeFrom.line are for bytes; events resume from resumeFrom.events alone",
        ))
    } else {
        Ok(())
    }
}

fn check_resume_for_bytes(resume: ResumePoint) -> Result<(), Failure> {
    if resume.events > 0 && resume.bytes == 0 {
        return Err(type_error(
            "resumeFrom for bytes needs bytes and line besides events, as progress reports them",
        ));
    }
    Ok(())
}

/// A byte source shorter than `resumeFrom.bytes`: not the source of the saved point (or
/// one cut since). Resolving with nothing sent would say the upload is complete.
fn bytes_past_the_end(from: u64, size: u64) -> Failure {
    // Whole numbers: formatting an f64 would link Rust's float printing (9 KB of wasm).
    range_error(text!["resumeFrom.bytes (", from, ") is past the end of the source (", size, " bytes): is it the source of that point?"])
}

fn unreadable(v: &JsValue) -> Failure {
    type_error(text!["the source could not be read (", type_name(v), ")"])
}

pub fn source_failed(cause: JsValue) -> Failure {
    Box::new(ClientError::Source { message: threw("the source failed: ", &cause), cause })
}

/// Whether `v` is an array of events: an array whose first item is not a piece of
/// bytes (an array of them is pieces of bytes, as a stream's are). An array of strings stays
/// events: an array of JSON lines fails with "event must be an object, got string"
/// rather than being joined into one line.
pub fn is_events_array(v: &JsValue) -> bool {
    // (`is_array` then `unchecked_ref`: `dyn_ref::<Array>` compiles its own check, 73 B
    // gzipped where `read_created` had one.)
    Array::is_array(v) && !is_piece_of_bytes(&item(v.unchecked_ref(), 0).unwrap_or_default())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Uint8Array)]
    type View;
    /// `new Uint8Array(buffer, offset, length)`, catching: it throws on a detached buffer
    /// (transferred away by `postMessage` or `transfer()`: its bytes are gone), and a
    /// throw past the wasm would leave the call unsettled.
    #[wasm_bindgen(constructor, js_class = "Uint8Array", catch)]
    fn new(buffer: &JsValue, offset: u32, length: u32) -> Result<View, JsValue>;
}

/// The bytes of an `ArrayBuffer` or a `Uint8Array` (`None` for anything else) as a plain
/// `Uint8Array` over them: a subclass's `subarray` would call its own constructor (which
/// may throw), and a detached buffer, which reads as empty and would end the input early,
/// as if complete, is a `SourceError` here.
/// (`Ok(None)` for anything else: its callers' `?` takes it as it is, no `transpose`.)
fn bytes_of(v: &JsValue) -> Result<Option<Uint8Array>, Failure> {
    let (buffer, offset, length) = match v.dyn_ref::<ArrayBuffer>() {
        Some(buffer) => (buffer.clone(), 0, buffer.byte_length()),
        None => match v.dyn_ref::<Uint8Array>() {
            Some(bytes) => (bytes.buffer(), bytes.byte_offset(), bytes.length()),
            None => return Ok(None),
        },
    };
    match View::new(&buffer, offset, length) {
        Ok(view) => Ok(Some(view.unchecked_into())),
        Err(e) => Err(source_failed(e)),
    }
}

/// A `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`: a piece of a byte source.
fn is_piece_of_bytes(v: &JsValue) -> bool {
    v.is_instance_of::<Uint8Array>() || v.is_instance_of::<ArrayBuffer>()
}

/// Whether `v` is a source `createEvents` takes besides an array of events (else: a
/// `TypeError`), without starting to read it.
pub fn is_source(v: &JsValue) -> bool {
    !is_events_array(v)
        && (v.is_function()
            || is_piece_of_bytes(v)
            || (v.is_object()
                && (get(v, "getReader").is_function()
                    || get(v, "stream").is_function()
                    || iterator_method(v, true).is_some()
                    || iterator_method(v, false).is_some())))
}

/// `v[name]`, when it is a function (one place for the five methods a source is read by).
fn method(v: &JsValue, name: &str) -> Option<Function> {
    get(v, name).dyn_into().ok()
}

/// `v[Symbol.asyncIterator]` (`promises`) or `v[Symbol.iterator]`, when it is a
/// function: one place for `reader` and `is_source`. (The symbol got here, not passed:
/// an array of them compiles its own drop.)
fn iterator_method(v: &JsValue, promises: bool) -> Option<Function> {
    let symbol = if promises { Symbol::async_iterator() } else { Symbol::iterator() };
    Reflect::get(v, &symbol).ok()?.dyn_into().ok()
}

/// Whether `v` can be read twice (`validate: 'all'`): bytes, a `Blob`/`File`, an array
/// of pieces, or a function that returns a fresh source.
pub fn is_rereadable(v: &JsValue) -> bool {
    v.is_function() || is_bytes_at_once(v) || Array::is_array(v)
}
