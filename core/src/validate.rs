//! Validation of events before any request is sent, over JSON text.
//!
//! The wasm layer hands over `JSON.stringify(events.slice(from, to))`: a `Date` is
//! already an ISO string, `undefined` fields are gone, holes and functions are
//! `null`. Each element is checked against the contract's event table; every problem
//! of every event is recorded (the first `MAX_LISTED_PROBLEMS` listed, all counted).
//!
//! Speed: one pass of `json_scan` over the text, borrowing strings (a valid event
//! allocates nothing), which also gives each element's byte length for chunking.

use crate::prelude::*;
use core::fmt;

use super::json_scan::{quoted, Scalar, ScanError, Scanner};
use super::rfc3339::{self, Instant};
use crate::contract::EVENT_FIELDS;
use crate::text::cut_chars;

/// How many problems a `Problems` keeps in full; the rest are only counted.
pub const MAX_LISTED_PROBLEMS: usize = 100;
/// How many problems `Problems::summary` names.
pub const SUMMARY_NAMED: usize = 3;
/// Longest piece of a bad value quoted back in a message, in characters.
const QUOTE_MAX_CHARS: usize = 40;

/// One thing wrong with one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Index of the event in the caller's whole input.
    pub index: usize,
    /// The field at fault; `""` when the problem is about the whole event.
    pub field: String,
    pub message: String,
}

impl Problem {
    /// "3.start: …": the event's index, the field (cut as its message quotes it: an
    /// unknown key can be any length), the message.
    #[inline]
    pub fn text(&self) -> String {
        let mut text = String::new();
        self.add_to(&mut text);
        text
    }

    /// `text()` appended to `out` (the summary writes each problem in place: no copy).
    #[inline]
    fn add_to(&self, out: &mut String) {
        // One text, whether there is a field or not (its "." then left out).
        let dot = if self.field.is_empty() { "" } else { "." };
        let field = cut_chars(&self.field, QUOTE_MAX_CHARS).unwrap_or(&self.field);
        let more = if field.len() < self.field.len() { "..." } else { "" };
        text![into *out; self.index, dot, field, more, ": ", self.message];
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// All problems found in an input: the first `MAX_LISTED_PROBLEMS` in full, and
/// counts of problems and of invalid events. Push in index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    list: Vec<Problem>,
    total: usize,
    events: usize,
    last_index: Option<usize>,
}

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    pub fn push(&mut self, problem: Problem) {
        if self.last_index != Some(problem.index) {
            self.events += 1;
            self.last_index = Some(problem.index);
        }
        self.total += 1;
        if self.list.len() < MAX_LISTED_PROBLEMS {
            self.list.push(problem);
        }
    }

    /// Adds every problem of `other` (one event's, found apart), in order.
    pub fn absorb(&mut self, other: Problems) {
        for problem in other.list {
            self.push(problem);
        }
    }

    /// Cold and not inlined: a problem is rare, and each of the validator's sites would
    /// carry its own copy of the field's allocation. The field is copied by `text!`'s
    /// call (`to_owned` was the allocation and copy written out here, at opt-level 2).
    /// Public: the wasm side's problems (no field) are added through it too.
    #[cold]
    #[inline(never)]
    pub fn add(&mut self, index: usize, field: &str, message: String) {
        self.push(Problem {
            index,
            field: text![field],
            message,
        });
    }

    /// A problem of the field `field` whose message is its name then `what`.
    fn add_named(&mut self, index: usize, field: &str, what: &str) {
        self.add_two(index, field, field, what);
    }

    /// A problem whose message is `first` then `second`.
    #[cold]
    #[inline(never)]
    fn add_two(&mut self, index: usize, field: &str, first: &str, second: &str) {
        self.add(index, field, text![first, second]);
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Every problem found, listed or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Number of distinct events with at least one problem.
    pub fn invalid_events(&self) -> usize {
        self.events
    }

    /// The first `MAX_LISTED_PROBLEMS` problems.
    pub fn list(&self) -> &[Problem] {
        &self.list
    }

    /// The listed problems, to reword (the boundary names what JSON lost: an invalid `Date`).
    pub fn list_mut(&mut self) -> &mut [Problem] {
        &mut self.list
    }

    /// One line for an error message, e.g. `3 invalid events in the input (5
    /// problems): 0.start: ...; 2.owner: owner is required; 2.type: ... and 2 more`.
    #[inline]
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "no invalid events".to_owned();
        }
        // One text, no text per count: the plural's "s" is a piece of it.
        let plural_s = |n: usize| if n == 1 { "" } else { "s" };
        let mut out = text![self.events, " invalid event", plural_s(self.events), " in the input (", self.total, " problem", plural_s(self.total), "): "];
        // The named problems written into `out` one by one: no list of their texts to join.
        let named = self.list.len().min(SUMMARY_NAMED);
        for (i, p) in self.list.iter().take(named).enumerate() {
            if i > 0 {
                text![into out; "; "];
            }
            p.add_to(&mut out);
        }
        if self.total > named {
            text![into out; " and ", self.total - named, " more"];
        }
        out
    }
}

/// The input was not a JSON array at all (a bug of the caller, not of an event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnArray {
    pub message: String,
}

impl fmt::Display for NotAnArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for NotAnArray {}

/// Where one event stands in the text of its array: bytes `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpan {
    pub start: u32,
    pub end: u32,
}

impl EventSpan {
    pub fn len(&self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Validates a JSON array of events whose first element is the input's event number
/// `first_index`; records problems in `problems` and returns the byte length of each
/// element exactly as it appears in `json` (for chunking by bytes).
pub fn validate_chunk(
    json: &str,
    first_index: usize,
    problems: &mut Problems,
) -> Result<Vec<u32>, NotAnArray> {
    validate_spans(json, first_index, usize::MAX, problems).map(|spans| spans.iter().map(EventSpan::len).collect())
}

/// As `validate_chunk`, giving where each element stands in `json`, so that the very
/// bytes that were validated can be framed into request bodies (`chunking::frame`).
/// An event that could not go into a request body of `max_chunk_bytes` (with its `[`
/// and `]`) is a problem too, recorded with its others: `Problems` are pushed in index
/// order (they are counted and listed in it).
pub fn validate_spans(
    json: &str,
    first_index: usize,
    max_chunk_bytes: usize,
    problems: &mut Problems,
) -> Result<Vec<EventSpan>, NotAnArray> {
    let unreadable = |e: ScanError| not_an_array(json, e);
    let mut scanner = Scanner::new(json);
    scanner.begin_array().map_err(unreadable)?;
    let mut spans = Vec::new();
    let mut first = true;
    while scanner.next_element(first).map_err(unreadable)? {
        first = false;
        let start = scanner.pos();
        match fast_valid_event(json.as_bytes(), start) {
            Some(end) => scanner.set_pos(end),
            None => walk_event(&mut scanner, first_index + spans.len(), problems).map_err(unreadable)?,
        }
        let len = scanner.pos() - start;
        if 2 + len > max_chunk_bytes {
            too_large(problems, first_index + spans.len(), len, max_chunk_bytes);
        }
        spans.push(EventSpan { start: start as u32, end: scanner.pos() as u32 });
    }
    if !scanner.at_end() {
        return Err(unreadable(ScanError { at: scanner.pos() }));
    }
    Ok(spans)
}

/// Why `json` could not be read as an array of events (it broke at `e`). Cold.
#[cold]
#[inline(never)]
fn not_an_array(json: &str, e: ScanError) -> NotAnArray {
    NotAnArray {
        message: match json_type_of(json) {
            Some("array") | None => text!["events could not be read as a JSON array (at byte ", e.at, ")"],
            Some(kind) => text!["events must be an array, got ", kind],
        },
    }
}

/// An event larger than any chunk may be (of an array, or of a stream: the framer's).
/// Cold and kept apart: the message's formatting, inlined into the validator's loop at
/// opt-level 3, cost 0.8 KB of wasm.
#[cold]
#[inline(never)]
pub(crate) fn too_large(problems: &mut Problems, index: usize, len: usize, max_chunk_bytes: usize) {
    problems.add(index, "", text!["event is ", len, " bytes as JSON, more than maxChunkBytes (", max_chunk_bytes, ")"]);
}

/// Validates one event given as JSON text (an element of a stream), recording its
/// problems under `index`; true when it is valid.
pub fn validate_event(json: &str, index: usize, problems: &mut Problems) -> bool {
    let before = problems.total();
    if let Some(end) = fast_valid_event(json.as_bytes(), 0) {
        if end == json.len() {
            return true;
        }
    }
    let mut scanner = Scanner::new(json);
    // One text for both messages: where the JSON broke, or where text after it starts.
    let (what, at) = match walk_event(&mut scanner, index, problems) {
        Err(e) => ("", e.at),
        Ok(()) if !scanner.at_end() => ("text after it ", scanner.pos()),
        Ok(()) => return problems.total() == before,
    };
    problems.add(index, "", text!["event is not valid JSON (", what, "at byte ", at, " of the event)"]);
    false
}

/// Validates one event given as JSON text; returns `(field, message)` pairs. For tests
/// and for callers that hold a single event.
pub fn validate_one(json: &str) -> Vec<(String, String)> {
    let mut problems = Problems::new();
    let mut scanner = Scanner::new(json);
    if walk_event(&mut scanner, 0, &mut problems).is_err() || !scanner.at_end() {
        problems.add(0, "", "event is not valid JSON".to_owned());
    }
    problems
        .list
        .into_iter()
        .map(|p| (p.field, p.message))
        .collect()
}

/// Best guess of a JSON text's type from its first byte, for error messages.
fn json_type_of(json: &str) -> Option<&'static str> {
    // The first char that is not whitespace, found forwards only (`trim`, inlined here,
    // decoded the text from both ends).
    Some(match json.chars().find(|c| !c.is_whitespace())? {
        '[' => "array",
        '{' => "object",
        '"' => "string",
        'n' => "null",
        't' | 'f' => "boolean",
        '-' | '0'..='9' => "number",
        _ => return None,
    })
}

// ------------------------------------------------------------------ the event's fields

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Owner,
    Collection,
    Start,
    End,
    Value,
    Type,
    Source,
    ExternalId,
    Batch,
}

const FIELDS: [Field; 9] = [
    Field::Owner,
    Field::Collection,
    Field::Start,
    Field::End,
    Field::Value,
    Field::Type,
    Field::Source,
    Field::ExternalId,
    Field::Batch,
];

impl Field {
    fn name(self) -> &'static str {
        EVENT_FIELDS[self as usize]
    }
    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A field's value as far as validation cares: a string (with its date, if the field
/// is a date and the text parses), or the JSON type name of anything else.
enum Seen {
    Str {
        empty: bool,
        date: Option<Instant>,
        quoted: Option<String>,
    },
    Other(&'static str),
}

impl Seen {
    fn of(value: Scalar<'_>, is_date: bool) -> Seen {
        match value {
            Scalar::Str(v) => {
                let date = if is_date { rfc3339::parse(&v) } else { None };
                // Only a bad date is quoted back (and only then copied).
                let quoted = (is_date && date.is_none()).then(|| quote(&v));
                Seen::Str { empty: v.is_empty(), date, quoted }
            }
            other => Seen::Other(other.kind()),
        }
    }
}

/// `"value"` for a message, cut to `QUOTE_MAX_CHARS` characters.
/// JSON quoting, not Rust's `{:?}`: that would pull Unicode tables into the wasm.
fn quote(v: &str) -> String {
    match cut_chars(v, QUOTE_MAX_CHARS) {
        Some(kept) => text![quoted(kept), "..."],
        None => quoted(v),
    }
}

/// The fast path for what `JSON.stringify` makes of a valid event: compact, no escapes,
/// every value a string. Returns where the event ends when it is such an event and
/// valid; `None` sends it to `walk_event`, which finds its problems (or accepts it).
/// It accepts nothing that `walk_event` would refuse (see the property tests).
fn fast_valid_event(b: &[u8], mut i: usize) -> Option<usize> {
    use super::json_scan::PLAIN;
    /// A string without escapes at `i` (its opening quote): the range of its bytes.
    #[inline(always)]
    fn plain(b: &[u8], i: usize) -> Option<(usize, usize)> {
        if *b.get(i)? != b'"' {
            return None;
        }
        let mut j = i + 1;
        while j < b.len() && PLAIN[b[j] as usize] {
            j += 1;
        }
        (*b.get(j)? == b'"').then_some((i + 1, j))
    }
    if *b.get(i)? != b'{' {
        return None;
    }
    i += 1;
    let mut seen: u16 = 0;
    let (mut start, mut end) = (None, None);
    loop {
        let (ks, ke) = plain(b, i)?;
        if *b.get(ke + 1)? != b':' {
            return None;
        }
        let (vs, ve) = plain(b, ke + 2)?;
        let value = b.get(vs..ve)?;
        let field = match b.get(ks..ke)? {
            b"owner" => Field::Owner,
            b"collection" => Field::Collection,
            b"start" => Field::Start,
            b"end" => Field::End,
            b"value" => Field::Value,
            b"type" => Field::Type,
            b"source" => Field::Source,
            b"externalId" => Field::ExternalId,
            b"batch" => Field::Batch,
            _ => return None,
        };
        if seen & field.bit() != 0 {
            return None;
        }
        seen |= field.bit();
        match field {
            Field::Owner | Field::Collection | Field::Batch if value.is_empty() => return None,
            Field::Start => start = Some(rfc3339::parse(core::str::from_utf8(value).ok()?)?),
            Field::End => end = Some(rfc3339::parse(core::str::from_utf8(value).ok()?)?),
            _ => {}
        }
        i = ve + 1;
        match *b.get(i)? {
            b',' => i += 1,
            b'}' => break,
            _ => return None,
        }
    }
    let required = FIELDS
        .iter()
        .filter(|f| !matches!(f, Field::End | Field::Batch))
        .fold(0, |bits, f| bits | f.bit());
    if seen & required != required || matches!((start, end), (Some(s), Some(e)) if e < s) {
        return None;
    }
    Some(i + 1)
}

/// Reads one element: an object (checked field by field) or anything else (a problem).
fn walk_event(scanner: &mut Scanner<'_>, index: usize, problems: &mut Problems) -> Result<(), ScanError> {
    if !scanner.peek_is_object() {
        let kind = scanner.value()?.kind();
        scanner.take_lone_surrogate();
        problems.add_two(index, "", "event must be an object, got ", kind);
        return Ok(());
    }
    scanner.begin_object()?;
    let mut seen: u16 = 0;
    let (mut start, mut end) = (None, None);
    let mut first = true;
    while let Some(key) = scanner.next_key(first)? {
        first = false;
        let Some(i) = EVENT_FIELDS.iter().position(|&n| n == key) else {
            scanner.value()?;
            scanner.take_lone_surrogate();
            not_allowed(problems, index, &key);
            continue;
        };
        let field = FIELDS[i];
        let seen_value = Seen::of(scanner.value()?, matches!(field, Field::Start | Field::End));
        let lone_surrogate = scanner.take_lone_surrogate();
        let name = field.name();
        if seen & field.bit() != 0 {
            problems.add_named(index, name, " is given twice");
            continue;
        }
        seen |= field.bit();
        if lone_surrogate {
            problems.add_named(index, name, " holds an unpaired UTF-16 surrogate (a \\uD800 to \\uDFFF escape without its pair), which the API refuses");
        } else {
            check(problems, index, field, &seen_value);
        }
        if let Seen::Str { date: Some(d), .. } = seen_value {
            match field {
                Field::Start => start = Some(d),
                _ => end = Some(d),
            }
        }
    }
    for f in FIELDS {
        let optional = matches!(f, Field::End | Field::Batch);
        if !optional && seen & f.bit() == 0 {
            problems.add_named(index, f.name(), " is required");
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            problems.add_named(index, "end", " must not be before start");
        }
    }
    Ok(())
}

/// A key that is not an event field: its problem. Cold and kept apart from `walk_event`.
#[cold]
#[inline(never)]
fn not_allowed(problems: &mut Problems, index: usize, key: &str) {
    let why = if crate::contract::SERVER_FIELDS.contains(&key) {
        " (the server assigns it)"
    } else {
        ""
    };
    // The rest written after the quoted key (no copy of it).
    let mut message = quote_key(key);
    text![into message; " is not an allowed field", why];
    problems.add(index, key, message);
}

/// An unknown key as it appears in a message: as is when plain, quoted otherwise.
fn quote_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= QUOTE_MAX_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    if plain {
        name.to_owned()
    } else {
        quote(name)
    }
}

/// The contract's rule for one present field: its problem recorded, if the value has one.
fn check(problems: &mut Problems, index: usize, field: Field, v: &Seen) {
    let name = field.name();
    let must_be = match (field, v) {
        (Field::Owner | Field::Collection | Field::Batch, Seen::Str { empty: false, .. })
        | (Field::Start | Field::End, Seen::Str { date: Some(_), .. }) => return,
        (Field::Batch, Seen::Str { .. }) => return problems.add_named(index, name, " must not be empty"),
        (Field::Batch, Seen::Other("null")) => {
            return problems.add_named(index, name, " must not be null (leave it out instead)")
        }
        (Field::Owner | Field::Collection | Field::Batch, _) => " must be a non-empty string, got ",
        (Field::Start, _) => " must be an RFC 3339 date-time, e.g. 2021-01-01T00:00:00Z, got ",
        (Field::End, _) => " must be an RFC 3339 date-time or absent, got ",
        // value, type, source, externalId: required strings, empty allowed.
        (_, Seen::Str { .. }) => return,
        (_, Seen::Other(_)) => " must be a string, got ",
    };
    // One text for every message: the field, what it must be, what it was (a string
    // here is an empty one or a bad date, quoted).
    let got = match v {
        Seen::Str { quoted, .. } => quoted.as_deref().unwrap_or("an empty string"),
        Seen::Other(kind) => kind,
    };
    problems.add(index, name, text![name, must_be, got]);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = r#"{"owner":"1","collection":"c","start":"2021-01-01T00:00:00Z","value":"v","type":"t","source":"s","externalId":"x"}"#;

    fn with(extra: &str) -> String {
        format!("{}{}}}", &GOOD[..GOOD.len() - 1], extra)
    }

    fn without(field: &str) -> String {
        let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(GOOD).unwrap();
        v.remove(field);
        serde_json::to_string(&v).unwrap()
    }

    fn msgs(json: &str) -> Vec<String> {
        validate_one(json)
            .into_iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect()
    }

    #[test]
    fn a_good_event_passes() {
        assert_eq!(msgs(GOOD), Vec::<String>::new());
        assert!(msgs(&with(r#","end":"2021-01-01T00:00:00Z","batch":"b""#)).is_empty());
        assert!(msgs(&with(r#","end":"2021-01-01T01:00:00+01:00""#)).is_empty());
        // value, type, source and externalId may be empty strings.
        let empties = r#"{"owner":"o","collection":"c","start":"2021-01-01T00:00:00Z","value":"","type":"","source":"","externalId":""}"#;
        assert!(msgs(empties).is_empty());
        // Escaped keys and values are read as what they stand for.
        let escaped = r#"{"own\u0065r":"\u0031","collection":"c\"","start":"2021-01-01T00:00:00\u005a","value":"v","type":"t","source":"s","externalId":"x"}"#;
        assert!(msgs(escaped).is_empty(), "{:?}", msgs(escaped));
    }

    #[test]
    fn unpaired_surrogates_are_refused_by_field() {
        let lone = |value: &str| {
            let json = GOOD.replace(r#""value":"v""#, &format!(r#""value":"{value}""#));
            msgs(&json)
        };
        let refused = "value: value holds an unpaired UTF-16 surrogate (a \\uD800 to \\uDFFF escape without its pair), which the API refuses";
        for bad in [r"\ud83d", r"a\ud83dz", r"\ude00", r"\ude00\ud83d", r"\ud83d\ud83d", r"\uD83D\u0041", r"x\udbff"] {
            assert_eq!(lone(bad), vec![refused.to_string()], "{bad}");
        }
        // A pair, U+FFFD itself and escapes next to surrogates' neighbours pass.
        for good in [r"\ud83d\ude00", r"\uFFFD", r"\ud7ff\ue000", r"\uDBFF\uDFFF"] {
            assert!(lone(good).is_empty(), "{good}: {:?}", lone(good));
        }
        // In another field, in an unknown field's nested value (one problem: the field),
        // and the events after it are not blamed.
        let owner = GOOD.replace(r#""owner":"1""#, r#""owner":"\udc00""#);
        assert_eq!(validate_one(&owner)[0].0, "owner");
        let nested = with(r#","extra":["\ud800"]"#);
        assert_eq!(msgs(&nested), vec!["extra: extra is not an allowed field".to_string()]);
        let mut problems = Problems::new();
        let chunk = format!("[{},{GOOD}]", GOOD.replace(r#""value":"v""#, r#""value":"\ud800""#));
        validate_chunk(&chunk, 0, &mut problems).unwrap();
        assert_eq!(problems.list().iter().map(|p| (p.index, p.field.as_str())).collect::<Vec<_>>(), vec![(0, "value")]);
        let mut problems = Problems::new();
        let chunk = format!(r#"["\ud800",{GOOD}]"#);
        validate_chunk(&chunk, 0, &mut problems).unwrap();
        assert_eq!(problems.list().iter().map(|p| p.index).collect::<Vec<_>>(), vec![0]);
    }

    #[test]
    fn required_fields() {
        for f in [
            "owner",
            "collection",
            "start",
            "value",
            "type",
            "source",
            "externalId",
        ] {
            assert_eq!(msgs(&without(f)), vec![format!("{f}: {f} is required")]);
        }
        assert_eq!(msgs("{}").len(), 7);
    }

    #[test]
    fn wrong_types_and_empties() {
        let j = r#"{"owner":1,"collection":"","start":"2021-01-01T00:00:00Z","value":null,"type":true,"source":[1,{"a":2}],"externalId":{"a":[]}}"#;
        assert_eq!(
            msgs(j),
            vec![
                "owner: owner must be a non-empty string, got number",
                "collection: collection must be a non-empty string, got an empty string",
                "value: value must be a string, got null",
                "type: type must be a string, got boolean",
                "source: source must be a string, got array",
                "externalId: externalId must be a string, got object",
            ]
        );
    }

    #[test]
    fn dates() {
        let bad_start = GOOD.replace("2021-01-01T00:00:00Z", "2021-01-01 00:00");
        assert_eq!(
            msgs(&bad_start),
            vec![
                r#"start: start must be an RFC 3339 date-time, e.g. 2021-01-01T00:00:00Z, got "2021-01-01 00:00""#
            ]
        );
        assert_eq!(
            msgs(&GOOD.replace("\"2021-01-01T00:00:00Z\"", "1609459200000")),
            vec![
                "start: start must be an RFC 3339 date-time, e.g. 2021-01-01T00:00:00Z, got number"
            ]
        );
        assert_eq!(
            msgs(&with(r#","end":null"#)),
            vec!["end: end must be an RFC 3339 date-time or absent, got null"]
        );
        assert_eq!(
            msgs(&with(r#","end":"2020-12-31T23:59:59.999Z""#)),
            vec!["end: end must not be before start"]
        );
        // Compared as instants, not as text.
        assert!(msgs(&with(r#","end":"2020-12-31T23:30:00-01:00""#)).is_empty());
        let long = "x".repeat(100);
        let m = msgs(&with(&format!(r#","end":"{long}""#)));
        assert!(
            m[0].ends_with(&format!("got \"{}\"...", "x".repeat(40))),
            "{m:?}"
        );
    }

    #[test]
    fn batch() {
        assert_eq!(
            msgs(&with(r#","batch":"""#)),
            vec!["batch: batch must not be empty"]
        );
        assert_eq!(
            msgs(&with(r#","batch":null"#)),
            vec!["batch: batch must not be null (leave it out instead)"]
        );
        assert_eq!(
            msgs(&with(r#","batch":3"#)),
            vec!["batch: batch must be a non-empty string, got number"]
        );
    }

    #[test]
    fn unknown_and_duplicate_fields() {
        assert_eq!(
            msgs(&with(
                r#","foo":{"deep":[1,2]},"id":"1","createdAt":"x","__proto__":{},"constructor":1,"a b":2"#
            )),
            vec![
                "foo: foo is not an allowed field",
                "id: id is not an allowed field (the server assigns it)",
                "createdAt: createdAt is not an allowed field (the server assigns it)",
                "__proto__: __proto__ is not an allowed field",
                "constructor: constructor is not an allowed field",
                "a b: \"a b\" is not an allowed field",
            ]
        );
        assert_eq!(
            msgs(&with(r#","owner":"2""#)),
            vec!["owner: owner is given twice"]
        );
    }

    #[test]
    fn not_objects() {
        let mut p = Problems::new();
        let lens = validate_chunk(r#"[null,1,"s",true,[],{}]"#, 10, &mut p).unwrap();
        assert_eq!(lens, vec![4, 1, 3, 4, 2, 2]);
        let shown: Vec<String> = p.list().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            &shown[..5],
            [
                "10: event must be an object, got null",
                "11: event must be an object, got number",
                "12: event must be an object, got string",
                "13: event must be an object, got boolean",
                "14: event must be an object, got array",
            ]
        );
        assert_eq!(shown[5], "15.owner: owner is required");
        assert_eq!(p.total(), 5 + 7);
        assert_eq!(p.invalid_events(), 6);
    }

    #[test]
    fn chunk_lengths_and_errors() {
        let mut p = Problems::new();
        let json = format!("[{GOOD},{GOOD}]");
        assert_eq!(
            validate_chunk(&json, 0, &mut p).unwrap(),
            vec![GOOD.len() as u32; 2]
        );
        assert!(p.is_empty());
        assert_eq!(validate_chunk("[]", 0, &mut p).unwrap(), Vec::<u32>::new());
        // Whitespace around elements is not part of them.
        assert_eq!(validate_chunk("[ 1 , {} ]", 0, &mut p).unwrap(), vec![1, 2]);
        assert_eq!(
            validate_chunk("null", 0, &mut p).unwrap_err().message,
            "events must be an array, got null"
        );
        assert_eq!(
            validate_chunk("{}", 0, &mut p).unwrap_err().message,
            "events must be an array, got object"
        );
        assert!(validate_chunk("[1,", 0, &mut p)
            .unwrap_err()
            .message
            .starts_with("events could not be read as a JSON array"));
    }

    #[test]
    fn summary() {
        let mut p = Problems::new();
        assert!(p.is_empty());
        let json = format!(
            "[{},{GOOD},{},{}]",
            GOOD.replace("2021-01-01T00:00:00Z", "x"),
            without("owner"),
            with(r#","end":null,"batch":"","x":1"#)
        );
        validate_chunk(&json, 0, &mut p).unwrap();
        assert_eq!(p.total(), 5);
        assert_eq!(
            p.summary(),
            "3 invalid events in the input (5 problems): 0.start: start must be an RFC 3339 date-time, \
             e.g. 2021-01-01T00:00:00Z, got \"x\"; 2.owner: owner is required; 3.end: end must be an RFC \
             3339 date-time or absent, got null and 2 more"
        );
        let mut one = Problems::new();
        validate_chunk("[null]", 0, &mut one).unwrap();
        assert_eq!(
            one.summary(),
            "1 invalid event in the input (1 problem): 0: event must be an object, got null"
        );
    }

    #[test]
    fn lists_at_most_a_hundred() {
        let mut p = Problems::new();
        let json = format!("[{}]", vec!["{}"; 50].join(","));
        validate_chunk(&json, 0, &mut p).unwrap();
        assert_eq!(
            (p.total(), p.list().len(), p.invalid_events()),
            (350, MAX_LISTED_PROBLEMS, 50)
        );
    }

    /// Counts allocations of the current thread, to show what a valid event costs.
    struct Counting;
    std::thread_local!(static ALLOCS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) });
    unsafe impl core::alloc::GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: core::alloc::Layout) -> *mut u8 {
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
            std::alloc::System.alloc(l)
        }
        unsafe fn dealloc(&self, p: *mut u8, l: core::alloc::Layout) {
            std::alloc::System.dealloc(p, l)
        }
    }
    #[global_allocator]
    static COUNTING: Counting = Counting;

    #[test]
    fn a_valid_event_allocates_nothing() {
        let escaped = r#"{"own\u0065r":"a\"b","collection":"c","start":"2021-01-01T00:00:00.123+02:00","end":"2021-01-02T00:00:00Z","value":"v\n","type":"t","source":"s","externalId":"x","batch":"b"}"#;
        // Only a string with escapes is copied: here a key and two values.
        for (json, allocs) in [(GOOD, 0), (escaped, 3)] {
            let mut p = Problems::new();
            let before = ALLOCS.with(|c| c.get());
            walk_event(&mut Scanner::new(json), 0, &mut p).unwrap();
            assert_eq!(ALLOCS.with(|c| c.get()) - before, allocs, "{json}");
            assert!(p.is_empty(), "{:?}", p.list());
        }
    }

    /// `cargo test --release --lib validate::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed() {
        let events = vec![GOOD; 100_000].join(",");
        let json = format!("[{events}]");
        let t = std::time::Instant::now();
        let mut p = Problems::new();
        let lens = validate_chunk(&json, 0, &mut p).unwrap();
        let dt = t.elapsed();
        assert!(p.is_empty() && lens.len() == 100_000);
        std::println!("100000 events, {} MB: {dt:?}", json.len() / 1_000_000);
    }

    /// Events as a JS caller might build them, good or not.
    fn event() -> impl Strategy<Value = serde_json::Value> {
        let value = prop_oneof![
            4 => "[a-z0-9 ]{0,8}".prop_map(serde_json::Value::from),
            1 => Just(serde_json::Value::Null),
            1 => any::<i32>().prop_map(serde_json::Value::from),
            1 => Just(serde_json::json!([1, "a"])),
            2 => Just(serde_json::Value::from("2021-01-01T00:00:00Z")),
        ];
        let keys = prop_oneof![
            8 => proptest::sample::select(EVENT_FIELDS.to_vec()).prop_map(str::to_owned),
            1 => "[a-zA-Z_]{1,6}",
        ];
        proptest::collection::vec((keys, value), 0..12)
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Lengths always match `serde_json`'s own text of each element, and an event
        /// is valid exactly when a straightforward `Value`-based check says so.
        #[test]
        fn agrees_with_a_plain_check(events in proptest::collection::vec(event(), 0..8)) {
            let json = serde_json::to_string(&events).unwrap();
            let mut p = Problems::new();
            let lens = validate_chunk(&json, 0, &mut p).unwrap();
            let expect: Vec<u32> = events.iter().map(|e| serde_json::to_string(e).unwrap().len() as u32).collect();
            prop_assert_eq!(lens, expect);
            for (i, e) in events.iter().enumerate() {
                let bad = p.list().iter().any(|p| p.index == i);
                prop_assert_eq!(bad, !plain_valid(e), "{}", e);
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let mut p = Problems::new();
            let _ = validate_chunk(&s, 0, &mut p);
            let _ = validate_chunk(&format!("[{s}]"), 0, &mut p);
            let _ = validate_one(&s);
        }
    }

    fn plain_valid(e: &serde_json::Value) -> bool {
        let Some(o) = e.as_object() else { return false };
        let s = |k: &str| o.get(k).and_then(|v| v.as_str());
        let date = |k: &str| s(k).and_then(rfc3339::parse);
        o.keys().all(|k| EVENT_FIELDS.contains(&k.as_str()))
            && ["owner", "collection"]
                .iter()
                .all(|k| s(k).is_some_and(|v| !v.is_empty()))
            && ["value", "type", "source", "externalId"]
                .iter()
                .all(|k| s(k).is_some())
            && date("start").is_some()
            && (!o.contains_key("end") || date("end").is_some_and(|e| e >= date("start").unwrap()))
            && (!o.contains_key("batch") || s("batch").is_some_and(|v| !v.is_empty()))
    }

    const KEYS: [&str; 12] = [
        "owner", "collection", "start", "end", "value", "type", "source", "externalId", "batch",
        "id", "foo", "own\\u0065r",
    ];
    const VALUES: [&str; 12] = [
        "\"1\"", "\"\"", "1", "null", "\"a\\\"b\"", "\"2021-01-01T00:00:00Z\"",
        "\"2021-01-01T00:00:00+01:00\"", "\"2020-12-31T23:00:00Z\"", "\"2021-02-30T00:00:00Z\"",
        "\"x\"", "[\"x\"]", "\"été\"",
    ];

    fn event_text(pairs: &[(usize, usize)], spaced: bool) -> String {
        let sep = if spaced { ", " } else { "," };
        let body: Vec<String> = pairs.iter().map(|&(k, v)| format!("\"{}\":{}", KEYS[k], VALUES[v])).collect();
        format!("{{{}}}", body.join(sep))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The fast path accepts only events the full walk accepts, and (on compact text
        /// without escapes) every one of them.
        #[test]
        fn fast_path_agrees_with_the_walk(
            pairs in prop::collection::vec((0..KEYS.len(), 0..VALUES.len()), 0..12),
            spaced in any::<bool>(),
        ) {
            let text = event_text(&pairs, spaced);
            let full_ok = validate_one(&text).is_empty();
            match fast_valid_event(text.as_bytes(), 0) {
                Some(end) => {
                    prop_assert_eq!(end, text.len());
                    prop_assert!(full_ok, "fast path accepted {}", text);
                }
                None => prop_assert!(!full_ok || spaced || text.contains('\\'), "fast path refused {}", text),
            }
        }

        /// Valid events in any field order take the fast path.
        #[test]
        fn valid_events_take_the_fast_path(
            order in Just((0..9usize).collect::<Vec<_>>()).prop_shuffle(),
            with_end in any::<bool>(),
            with_batch in any::<bool>(),
        ) {
            let mut pairs = vec![];
            for f in order {
                if (f == 3 && !with_end) || (f == 8 && !with_batch) {
                    continue;
                }
                pairs.push((f, if f == 2 || f == 3 { 5 } else { 0 }));
            }
            let text = event_text(&pairs, false);
            prop_assert!(validate_one(&text).is_empty(), "{}", text);
            prop_assert_eq!(fast_valid_event(text.as_bytes(), 0), Some(text.len()));
        }
    }
}
