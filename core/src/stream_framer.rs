//! Bytes in, validated chunk bodies out: the streaming half of an upload from a file
//! or a stream. Pieces of NDJSON (one event per line) or of one JSON array arrive in
//! any sizes; each event is cut out of them, validated, and its bytes appended to the
//! body of the chunk being built (`[e1,e2,...]`), cut by count and by bytes as arrays
//! are. No JS object is ever made, and memory holds one partial event plus one chunk.
//!
//! The wasm boundary (`src/wasm/upload_stream.rs`) reads the caller's source and sends
//! what this frames.

use crate::prelude::*;
use core::str;

pub use crate::resume::ResumePoint;
use crate::validate::{validate_event, Problem, Problems};

/// How the bytes hold events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One event per line; blank lines, `\r\n` and a last line without newline are fine.
    Ndjson,
    /// One JSON array of events.
    Json,
}

/// Where an event starts in the source: its index, line (1-based) and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub index: usize,
    pub line: u64,
    pub offset: u64,
}

/// A chunk body ready to send: the events `from..to` of the source (`count` of them:
/// a chunk never spans an invalid event), and how far into the source its last event
/// ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed {
    pub from: usize,
    pub to: usize,
    pub count: usize,
    pub body: Vec<u8>,
    pub end_offset: u64,
    /// The line its last event ends on (1-based).
    pub end_line: u64,
}


/// An event left out (`onInvalid: 'skip'`), as the caller may want to keep it: where it
/// was, its text as it was read, and every problem it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub position: Position,
    pub text: Vec<u8>,
    pub problems: Vec<Problem>,
}

/// Bytes that hold no readable event at all (a truncated array, trailing text): the
/// upload cannot go on past them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub line: u64,
    pub offset: u64,
    pub message: String,
}

/// Where a JSON array's reading is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Array {
    /// Before `[`.
    Opening,
    /// After `[` or `,`: a value or (first only) `]`.
    Value { first: bool },
    /// After a value: `,` or `]`.
    Next,
    /// After `]`: blanks only.
    Closed,
}

pub struct Framer {
    format: Option<Format>,
    max_count: usize,
    max_bytes: usize,
    /// Bytes received and not yet cut into events; `pending[0]` is at `base` in the source.
    pending: Vec<u8>,
    base: u64,
    /// Line number at `pending[0]`.
    base_line: u64,
    /// JSON: how far into `pending` the scan has gone (`scan`, with its line), and the
    /// bracket depth and string state there.
    scan: usize,
    scan_line: u64,
    /// NDJSON: the first bytes of `pending` already searched for a newline and found
    /// without one (a line still arriving), so that each piece is searched once: from 0
    /// every time, a 1 MB line given in 64-byte pieces took 10 s.
    line_searched: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    value_start: Option<(usize, u64)>,
    array: Array,
    started: bool,
    next_index: usize,
    chunk: Vec<u8>,
    chunk_from: usize,
    chunk_count: usize,
    /// One past the index of the last event added to the chunk.
    chunk_to: usize,
    chunk_end: u64,
    chunk_end_line: u64,
    /// Resumed past the start: no byte order mark, and a JSON array is already open.
    resumed: bool,
    problems: Problems,
    /// Where each event with a problem starts (for line and offset in the error).
    positions: Vec<Position>,
    /// Every event left out since the last `take_skipped`, when asked for
    /// (`keep_skipped`): `problems` lists only the first hundred.
    skipped: Option<Vec<Skipped>>,
}

impl Framer {
    /// `format`: `None` detects it from the first byte that is not blank (`[`: JSON).
    #[inline]
    pub fn new(format: Option<Format>, max_count: usize, max_bytes: usize) -> Framer {
        Framer {
            format,
            max_count: max_count.max(1),
            max_bytes,
            pending: Vec::new(),
            base: 0,
            base_line: 1,
            scan: 0,
            scan_line: 1,
            line_searched: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            value_start: None,
            array: Array::Opening,
            started: false,
            next_index: 0,
            chunk: Vec::new(),
            chunk_from: 0,
            chunk_count: 0,
            chunk_to: 0,
            chunk_end: 0,
            chunk_end_line: 1,
            resumed: false,
            problems: Problems::new(),
            positions: Vec::new(),
            skipped: None,
        }
    }

    /// From now on, every bad event is also kept whole for `take_skipped`.
    #[inline]
    pub fn keep_skipped(&mut self) {
        self.skipped.get_or_insert_with(Vec::new);
    }

    /// The bad events met since the last call (with `keep_skipped`).
    #[inline]
    pub fn take_skipped(&mut self) -> Vec<Skipped> {
        self.skipped.as_mut().map(core::mem::take).unwrap_or_default()
    }

    /// A framer for the rest of a source after `at`, where a stored chunk ended
    /// (`Framed::end_offset`, `end_line`): the caller gives only the bytes after
    /// `at.bytes`. Events are numbered on from `at.events`, so the resumed run frames
    /// the very chunks (and idempotency keys) the first run would have.
    #[inline]
    pub fn resume(format: Option<Format>, max_count: usize, max_bytes: usize, at: ResumePoint) -> Framer {
        let mut framer = Framer::new(format, max_count, max_bytes);
        framer.next_index = at.events;
        // Events turned into bytes afresh (an iterable of objects) start a new document.
        if at.bytes > 0 {
            framer.resumed = true;
            framer.base = at.bytes;
            framer.base_line = at.line.max(1);
            framer.scan_line = at.line.max(1);
            framer.chunk_end = at.bytes;
            framer.chunk_end_line = at.line.max(1);
        }
        framer
    }

    /// The problems of the invalid events so far (each event's index), with `position`.
    pub fn problems(&self) -> &Problems {
        &self.problems
    }

    /// The problems, to be reworded by the caller (what JSON made `null`, named).
    #[inline]
    pub fn problems_mut(&mut self) -> &mut Problems {
        &mut self.problems
    }

    /// Where the event `index` (one with a problem) starts.
    #[inline]
    pub fn position(&self, index: usize) -> Option<Position> {
        self.positions.iter().find(|p| p.index == index).copied()
    }

    /// Events read so far (valid or not).
    pub fn events(&self) -> usize {
        self.next_index
    }

    /// Takes the next piece of the source; returns the chunks it completed. Once per
    /// piece, around `cut`: `#[inline]`, so built at the wasm's opt-level "z" (lib.rs).
    #[inline]
    pub fn push(&mut self, piece: &[u8]) -> Result<Vec<Framed>, Broken> {
        self.pending.extend_from_slice(piece);
        let mut out = Vec::new();
        self.cut(&mut out, false)?;
        Ok(out)
    }

    /// An event that could not be turned into bytes at all (a JS value JSON cannot
    /// hold): it takes the next index and is reported as bad, as a bad event in the
    /// bytes would be. Call it between whole events only.
    pub fn push_unreadable(&mut self, message: String) -> Vec<Framed> {
        let index = self.next_index;
        self.next_index += 1;
        let mut found = Problems::new();
        found.add(index, "", message);
        let position = Position { index, line: self.scan_line, offset: self.base + self.pending.len() as u64 };
        let mut out = Vec::new();
        self.left_out(position, &[], found, &mut out);
        out
    }

    /// The source has ended: its last event (an NDJSON line without newline) and the
    /// last chunk; a JSON array must be closed. Once per source: `#[inline]`, so built
    /// at the wasm's opt-level "z" (lib.rs).
    #[inline]
    pub fn finish(&mut self) -> Result<Vec<Framed>, Broken> {
        let mut out = Vec::new();
        self.cut(&mut out, true)?;
        if self.format == Some(Format::Json) && self.array != Array::Closed {
            let at = self.base + self.pending.len() as u64;
            let what = if self.in_string { "a string is not terminated" } else { "the JSON array is not closed" };
            return Err(Broken { line: self.scan_line, offset: at, message: text!["the input ends early: ", what] });
        }
        if self.chunk_count > 0 {
            self.close_chunk(&mut out);
        }
        Ok(out)
    }

    fn cut(&mut self, out: &mut Vec<Framed>, at_end: bool) -> Result<(), Broken> {
        if !self.started && !self.start(at_end)? {
            return Ok(());
        }
        // The bytes are taken out while they are cut, so that each event is validated and
        // framed from them in place: no copy of every event (`self.event` borrows `self`).
        let pending = core::mem::take(&mut self.pending);
        let consumed = match self.format {
            Some(Format::Ndjson) => Ok(self.cut_lines(&pending, out, at_end)),
            Some(Format::Json) => self.cut_array(&pending, out),
            None => Ok(0),
        };
        // Over the empty `Vec` `take` left (nothing is added to it while cutting): `=`
        // would drop it (its drop glue, for nothing).
        core::mem::forget(core::mem::replace(&mut self.pending, pending));
        let consumed = consumed?;
        // Drop what was cut, once per piece (not once per event). Bounded by the length
        // for the compiler, which then drops drain's check and its panic (42 B of wasm).
        self.pending.drain(..consumed.min(self.pending.len()));
        self.base += consumed as u64;
        if self.format == Some(Format::Json) {
            // The JSON scan never ends before what it cut.
            self.scan -= consumed;
            if let Some((start, line)) = self.value_start {
                self.value_start = Some((start - consumed, line));
            }
        }
        Ok(())
    }

    /// Skips a UTF-8 byte order mark and detects the format; false until a byte that
    /// is not blank has arrived.
    fn start(&mut self, at_end: bool) -> Result<bool, Broken> {
        if self.resumed {
            return Ok(self.start_resumed());
        }
        if self.pending.len() < 3 && !at_end && b"\xEF\xBB\xBF".starts_with(&self.pending) {
            return Ok(false);
        }
        if self.pending.starts_with(b"\xEF\xBB\xBF") {
            self.pending.drain(..3);
            self.base += 3;
        }
        if self.format.is_none() {
            let Some(&first) = self.pending.iter().find(|b| !b.is_ascii_whitespace()) else {
                return Ok(false);
            };
            self.format = Some(if first == b'[' { Format::Json } else { Format::Ndjson });
        }
        self.started = true;
        Ok(true)
    }

    /// After a stored prefix: a JSON array goes on after an event (`,` or `]` comes
    /// next), which is also how the format is told when it was detected the first time.
    fn start_resumed(&mut self) -> bool {
        if self.format.is_none() {
            let Some(&first) = self.pending.iter().find(|b| !b.is_ascii_whitespace()) else {
                return false;
            };
            self.format = Some(if matches!(first, b',' | b']') { Format::Json } else { Format::Ndjson });
        }
        if self.format == Some(Format::Json) {
            self.array = Array::Next;
        }
        self.started = true;
        true
    }

    /// NDJSON: every complete line (and, at the end, the last one); returns bytes used.
    fn cut_lines(&mut self, pending: &[u8], out: &mut Vec<Framed>, at_end: bool) -> usize {
        let mut start = 0;
        let mut searched = core::mem::take(&mut self.line_searched);
        loop {
            let newline = pending[start + searched..].iter().position(|&b| b == b'\n').map(|n| searched + n);
            searched = 0;
            let end = match newline {
                Some(n) => start + n,
                None if at_end && start < pending.len() => pending.len(),
                None => {
                    self.line_searched = pending.len() - start;
                    return start;
                }
            };
            let line_no = self.base_line;
            let offset = self.base + start as u64;
            let line = trim(&pending[start..end]);
            if !line.is_empty() {
                let lead = pending[start..end].iter().take_while(|b| b.is_ascii_whitespace()).count();
                let position = Position { index: self.next_index, line: line_no, offset: offset + lead as u64 };
                self.event(line, position, (self.base + end as u64, line_no), out);
            }
            start = (end + 1).min(pending.len());
            self.base_line += newline.map_or(0, |_| 1);
            if newline.is_none() {
                return start;
            }
        }
    }

    /// JSON: the elements the scan completes; returns bytes used.
    fn cut_array(&mut self, pending: &[u8], out: &mut Vec<Framed>) -> Result<usize, Broken> {
        let mut used = 0;
        while let Some(&b) = pending.get(self.scan) {
            let here = self.scan;
            if let Some((start, line)) = self.value_start {
                // Inside a value: find its end, strings and nesting included.
                let mut ends_at = None;
                if self.in_string {
                    if self.escaped {
                        self.escaped = false;
                    } else if b == b'\\' {
                        self.escaped = true;
                    } else if b == b'"' {
                        self.in_string = false;
                        if self.depth == 0 {
                            ends_at = Some(here + 1);
                        }
                    }
                } else {
                    match b {
                        b'"' => self.in_string = true,
                        b'{' | b'[' => self.depth += 1,
                        b'}' | b']' if self.depth > 0 => {
                            self.depth -= 1;
                            if self.depth == 0 {
                                ends_at = Some(here + 1);
                            }
                        }
                        // A scalar ends at the first delimiter (not part of it).
                        b',' | b']' | b' ' | b'\t' | b'\r' | b'\n' if self.depth == 0 => ends_at = Some(here),
                        _ => {}
                    }
                }
                if let Some(end) = ends_at {
                    let text = pending.get(start..end).unwrap_or_default();
                    let position = Position { index: self.next_index, line, offset: self.base + start as u64 };
                    let end_line = self.scan_line;
                    self.event(text, position, (self.base + end as u64, end_line), out);
                    self.value_start = None;
                    self.array = Array::Next;
                    used = end;
                    if end == here {
                        continue; // the delimiter is read as such below
                    }
                }
            } else if !b.is_ascii_whitespace() {
                match (self.array, b) {
                    (Array::Opening, b'[') => self.array = Array::Value { first: true },
                    (Array::Value { first: true }, b']') | (Array::Next, b']') => self.array = Array::Closed,
                    (Array::Value { first: false }, b']') => return Err(self.broken(here, "a comma before ] (JSON has no trailing comma)")),
                    (Array::Value { .. }, _) => {
                        self.value_start = Some((here, self.scan_line));
                        self.in_string = b == b'"';
                        self.depth = u32::from(b == b'{' || b == b'[');
                        self.array = Array::Next;
                    }
                    (Array::Next, b',') => self.array = Array::Value { first: false },
                    (Array::Opening, _) => return Err(self.broken(here, "the input must start with [ (a JSON array) or be NDJSON")),
                    (Array::Next, _) => return Err(self.broken(here, "expected , or ] after an event")),
                    (Array::Closed, _) => return Err(self.broken(here, "text after the end of the JSON array")),
                }
                if self.value_start.is_none() {
                    used = here + 1;
                }
            } else if self.value_start.is_none() {
                used = here + 1;
            }
            if b == b'\n' {
                self.scan_line += 1;
            }
            self.scan += 1;
        }
        if self.value_start.is_none() {
            self.base_line = self.scan_line;
        }
        Ok(used)
    }

    /// The array's bytes stop making sense at `here` (in `pending`), for `what`. Cold
    /// and kept apart from `cut_array`'s loop.
    #[cold]
    #[inline(never)]
    fn broken(&self, here: usize, what: &str) -> Broken {
        Broken { line: self.scan_line, offset: self.base + here as u64, message: text![what] }
    }

    /// One event's bytes: validated, then added to the chunk being built (or recorded
    /// as a problem with its position).
    /// `end`: the byte offset just past the event, and its line.
    fn event(&mut self, bytes: &[u8], position: Position, end: (u64, u64), out: &mut Vec<Framed>) {
        let index = self.next_index;
        self.next_index += 1;
        // This event's problems, apart: all of them reach a caller keeping skipped events.
        let mut found = Problems::new();
        let valid = match str::from_utf8(bytes) {
            Ok(text) => validate_event(text, index, &mut found),
            Err(e) => {
                let at = e.valid_up_to();
                // A surrogate written as UTF-8 would write a character (WTF-8): what an
                // unpaired surrogate of a JS string piece becomes (src/wasm/source.rs).
                let surrogate = matches!(bytes.get(at..), Some([0xED, 0xA0..=0xBF, ..]));
                let what = if surrogate { "holds an unpaired UTF-16 surrogate (a cut emoji?), which " } else { "" };
                found.add(index, "", text!["event ", what, "is not valid UTF-8 (at byte ", at, " of the event)"]);
                false
            }
        };
        let too_large = valid && 2 + bytes.len() > self.max_bytes;
        if too_large {
            crate::validate::too_large(&mut found, index, bytes.len(), self.max_bytes);
        }
        if !valid || too_large {
            self.left_out(position, bytes, found, out);
            return;
        }
        let full = self.chunk_count >= self.max_count || self.chunk.len() + 1 + bytes.len() + 1 > self.max_bytes;
        if self.chunk_count > 0 && full {
            self.close_chunk(out);
        }
        if self.chunk_count == 0 {
            self.chunk.clear();
            self.chunk.push(b'[');
            self.chunk_from = index;
        } else {
            self.chunk.push(b',');
        }
        self.chunk.extend_from_slice(bytes);
        self.chunk_count += 1;
        self.chunk_to = index + 1;
        (self.chunk_end, self.chunk_end_line) = end;
    }

    /// An event with problems (`found`): recorded, and kept whole when asked for, not
    /// framed (its bytes, none for `push_unreadable`'s).
    fn left_out(&mut self, position: Position, bytes: &[u8], found: Problems, out: &mut Vec<Framed>) {
        if let Some(skipped) = &mut self.skipped {
            keep_skipped(skipped, position, bytes, &found);
        }
        self.problems.absorb(found);
        self.positions.push(position);
        // A chunk holds consecutive events only: one left out closes it, so that
        // every chunk is `from..to` whole (its Idempotency-Key names that range).
        if self.chunk_count > 0 {
            self.close_chunk(out);
        }
    }

    /// Closes the chunk being built and adds it to `out`.
    fn close_chunk(&mut self, out: &mut Vec<Framed>) {
        let mut body = core::mem::take(&mut self.chunk);
        body.push(b']');
        out.push(Framed {
            from: self.chunk_from,
            to: self.chunk_to,
            count: self.chunk_count,
            body,
            end_offset: self.chunk_end,
            end_line: self.chunk_end_line,
        });
        self.chunk_count = 0;
    }
}

/// A copy of an event left out and of its problems, for `take_skipped`. Cold and kept
/// apart from `Framer::event`.
#[cold]
#[inline(never)]
fn keep_skipped(skipped: &mut Vec<Skipped>, position: Position, bytes: &[u8], found: &Problems) {
    skipped.push(Skipped { position, text: bytes.to_vec(), problems: found.list().to_vec() });
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    b.get(start..end).unwrap_or_default()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(i: usize) -> String {
        format!(
            r#"{{"owner":"o","collection":"c","start":"2024-01-01T00:00:00Z","value":"v{i} é 😀","type":"t","source":"s","externalId":"x{i}"}}"#
        )
    }

    /// Everything a run gives: the chunks, or where it broke; and the problems.
    type Run = (Result<Vec<Framed>, Broken>, Vec<(usize, String, Option<Position>)>);

    fn run(input: &[u8], cuts: &[usize], format: Option<Format>, count: usize, bytes: usize) -> Run {
        run_from(Framer::new(format, count, bytes), input, cuts)
    }

    fn run_from(mut f: Framer, input: &[u8], cuts: &[usize]) -> Run {
        let mut out = Vec::new();
        let mut at = 0;
        let mut result = Ok(());
        for &cut in cuts.iter().chain(core::iter::once(&input.len())) {
            let cut = cut.clamp(at, input.len());
            match f.push(&input[at..cut]) {
                Ok(chunks) => out.extend(chunks),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            at = cut;
        }
        let result = result.and_then(|()| f.finish()).map(|last| {
            out.extend(last);
            out
        });
        let problems = f.problems().list().iter().map(|p| (p.index, p.message.clone(), f.position(p.index))).collect();
        (result, problems)
    }

    fn bodies(chunks: &[Framed]) -> Vec<String> {
        chunks.iter().map(|c| String::from_utf8(c.body.clone()).unwrap()).collect()
    }

    #[test]
    fn ndjson_lines_become_chunk_bodies() {
        let input = format!("{}{}\r\n\n  {}  \n{}\n\n{}", '\u{FEFF}', event(0), event(1), event(2), event(3));
        let (chunks, problems) = run(input.as_bytes(), &[], None, 3, 1 << 20);
        let chunks = chunks.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(bodies(&chunks), vec![format!("[{},{},{}]", event(0), event(1), event(2)), format!("[{}]", event(3))]);
        assert_eq!((chunks[0].from, chunks[0].to, chunks[0].count), (0, 3, 3));
        assert_eq!((chunks[1].from, chunks[1].to), (3, 4));
        assert_eq!(chunks[1].end_offset, input.len() as u64);
    }

    #[test]
    fn a_json_array_streams_the_same_chunks() {
        let events: Vec<String> = (0..5).map(event).collect();
        let ndjson = events.join("\n");
        let json = format!(" [\n  {} ,\n{}\t,{},{} , {}\n]\n ", events[0], events[1], events[2], events[3], events[4]);
        let a = run(ndjson.as_bytes(), &[], None, 2, 1 << 20).0.unwrap();
        let b = run(json.as_bytes(), &[], None, 2, 1 << 20).0.unwrap();
        assert_eq!(bodies(&a), bodies(&b));
        assert_eq!(bodies(&a).len(), 3);
        assert!(run(b"[]", &[], None, 2, 1 << 20).0.unwrap().is_empty());
        assert!(run(b"  \n ", &[], None, 2, 1 << 20).0.unwrap().is_empty());
    }

    #[test]
    fn chunks_are_cut_by_bytes_too() {
        let input: String = (0..6).map(|i| event(i) + "\n").collect();
        let one = event(0).len();
        // Room for two events and their brackets and comma, not three.
        let chunks = run(input.as_bytes(), &[], None, 100, 2 * one + 3 + 2).0.unwrap();
        assert_eq!(chunks.iter().map(|c| c.count).collect::<Vec<_>>(), vec![2, 2, 2]);
        assert!(chunks.iter().all(|c| c.body.len() <= 2 * one + 5));
    }

    #[test]
    fn bad_events_are_named_with_index_line_and_offset() {
        let input = format!("{}\n{{\"owner\":1}}\n\n[1]\n{}\nnot json\n", event(0), event(1));
        let (chunks, problems) = run(input.as_bytes(), &[], Some(Format::Ndjson), 10, 1 << 20);
        let chunks = chunks.unwrap();
        // A chunk never spans a left-out event.
        assert_eq!(bodies(&chunks), vec![format!("[{}]", event(0)), format!("[{}]", event(1))]);
        assert_eq!((chunks[0].from, chunks[0].to, chunks[0].count), (0, 1, 1));
        assert_eq!((chunks[1].from, chunks[1].to, chunks[1].count), (3, 4, 1));
        let bad: Vec<(usize, u64, u64)> = problems.iter().map(|(i, _, p)| (*i, p.unwrap().line, p.unwrap().offset)).collect();
        let second_line = event(0).len() as u64 + 1;
        assert!(bad.contains(&(1, 2, second_line)), "{bad:?}");
        assert!(bad.iter().any(|&(i, line, _)| i == 2 && line == 4), "{bad:?}");
        assert!(bad.iter().any(|&(i, line, _)| i == 4 && line == 6), "{bad:?}");
        assert!(problems.iter().any(|(i, m, _)| *i == 2 && m.contains("must be an object")), "{problems:?}");
        assert!(problems.iter().any(|(i, m, _)| *i == 4 && m.contains("not valid JSON")), "{problems:?}");
    }

    #[test]
    fn broken_bytes_get_a_clear_error() {
        let e = event(0);
        let cases: Vec<(String, &str)> = vec![
            (format!("[{e},{e}"), "the JSON array is not closed"),
            (format!("[{e}] x"), "text after the end of the JSON array"),
            (format!("[{e} {e}]"), "expected , or ]"),
            (format!("[{e},{e},]"), "a comma before ] (JSON has no trailing comma)"),
            (format!("[\n{e},\n{e},\n]\n"), "a comma before ]"),
            ("[{\"owner\":\"o".to_string(), "a string is not terminated"),
        ];
        for (input, needle) in cases {
            let (result, _) = run(input.as_bytes(), &[], None, 10, 1 << 20);
            let err = result.expect_err(&input);
            assert!(err.message.contains(needle), "{input}: {err:?}");
        }
        // Invalid UTF-8 in an event: that event is refused, with where.
        let mut input = event(0).into_bytes();
        input.push(b'\n');
        let bad_at = input.len();
        input.extend_from_slice(b"{\"owner\":\"\xff\"}\n");
        let (chunks, problems) = run(&input, &[], None, 10, 1 << 20);
        assert_eq!(chunks.unwrap()[0].count, 1);
        assert_eq!(problems[0].0, 1);
        assert!(problems[0].1.starts_with("event is not valid UTF-8 (at byte "), "{problems:?}");
        assert_eq!(problems[0].2.unwrap().offset, bad_at as u64);
        // A surrogate written as UTF-8 (WTF-8: a JS string piece's unpaired one) is named.
        let (_, problems) = run(b"{\"owner\":\"\xED\xA0\xBD\"}\n", &[], None, 10, 1 << 20);
        assert_eq!(problems[0].1, "event holds an unpaired UTF-16 surrogate (a cut emoji?), which is not valid UTF-8 (at byte 10 of the event)");
    }

    #[test]
    fn an_event_split_at_every_byte_gives_the_same_result() {
        let events: Vec<String> = (0..3).map(event).collect();
        for input in [
            format!("{}{}\r\n{}\n\n{{\"owner\":2}}\n{}", '\u{FEFF}', events[0], events[1], events[2]),
            format!("[{}, {},{{\"owner\":2}} ,{}]", events[0], events[1], events[2]),
        ] {
            let whole = run(input.as_bytes(), &[], None, 2, 1 << 20);
            for cut in 0..=input.len() {
                assert_eq!(run(input.as_bytes(), &[cut], None, 2, 1 << 20), whole, "cut at {cut}");
            }
            // Every byte its own piece: a line arriving a byte at a time (its newline
            // searched for in each new piece only) is cut where it was.
            let every: Vec<usize> = (1..input.len()).collect();
            assert_eq!(run(input.as_bytes(), &every, None, 2, 1 << 20), whole, "a byte at a time");
        }
    }

    #[test]
    fn a_resumed_run_frames_the_same_chunks_after_the_stored_prefix() {
        let events: Vec<String> = (0..7).map(event).collect();
        let ndjson = format!(
            "{}{}\r\n{}\n\n{}\n{{\"owner\":2}}\n{}\n  {}\n{}\n{}",
            '\u{FEFF}', events[0], events[1], events[2], events[3], events[4], events[5], events[6]
        );
        let json = format!("[{},\n{} ,{},\n{{\"owner\":2}}, {},{}\n,{},{}\n]", events[0], events[1], events[2], events[3], events[4], events[5], events[6]);
        for input in [ndjson, json] {
            for format in [None, Some(if input.starts_with('[') { Format::Json } else { Format::Ndjson })] {
                let (whole, problems) = run(input.as_bytes(), &[], format, 2, 1 << 20);
                let whole = whole.unwrap();
                for (k, stored) in whole.iter().enumerate() {
                    let at = ResumePoint { events: stored.to, bytes: stored.end_offset, line: stored.end_line };
                    let rest = &input.as_bytes()[stored.end_offset as usize..];
                    let (resumed, resumed_problems) = run_from(Framer::resume(format, 2, 1 << 20, at), rest, &[]);
                    assert_eq!(resumed.unwrap(), whole[k + 1..].to_vec(), "{input:?} after chunk {k}");
                    let later: Vec<_> = problems.iter().filter(|p| p.0 >= stored.to).cloned().collect();
                    assert_eq!(resumed_problems, later, "{input:?} after chunk {k}");
                }
            }
        }
    }

    #[test]
    fn skipped_events_are_kept_whole_when_asked() {
        let bad: Vec<String> = (0..150).map(|i| format!("{{\"owner\":{i}}}")).collect();
        let input = format!("{}\n{}\n{}\n", event(0), bad.join("\n"), event(1));
        let mut f = Framer::new(None, 10, 1 << 20);
        f.keep_skipped();
        let mut chunks = f.push(input.as_bytes()).unwrap();
        chunks.extend(f.finish().unwrap());
        let skipped = f.take_skipped();
        assert_eq!(skipped.len(), 150, "every one, past the hundred problems listed");
        assert_eq!(f.problems().list().len(), 100);
        assert_eq!(skipped[149].text, bad[149].as_bytes());
        assert_eq!((skipped[149].position.index, skipped[149].position.line), (150, 151));
        assert!(skipped[149].problems.iter().any(|p| p.field == "owner"), "{:?}", skipped[149].problems);
        assert!(f.take_skipped().is_empty(), "taken once");
        assert_eq!(chunks.iter().map(|c| c.count).sum::<usize>(), 2);
    }

    proptest! {
        #[test]
        fn any_pieces_give_the_same_result(cuts in prop::collection::vec(0usize..700, 0..12), json in any::<bool>()) {
            let events: Vec<String> = (0..4).map(event).collect();
            let input = if json {
                format!("[{},{} , {{\"bad\":[1,{{}}]}},{}]", events[0], events[1], events[3])
            } else {
                format!("{}\n{}\n\n{{\"bad\":\"]\"}}\r\n{}", events[0], events[1], events[3])
            };
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert_eq!(run(input.as_bytes(), &cuts, None, 2, 1 << 20), run(input.as_bytes(), &[], None, 2, 1 << 20));
        }
    }
}
