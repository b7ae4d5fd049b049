//! Cutting the validated input into create requests, by event count and body bytes.
//!
//! The body of a chunk is `[e1,e2,...]`: `2 + sum(bytes) + (n - 1)` bytes, each event
//! exactly as `JSON.stringify` wrote it (the lengths `validate_chunk` returns).

use crate::prelude::*;
use core::fmt;
use core::ops::Range;

use crate::contract::MAX_IDEMPOTENCY_KEY_LEN;
use crate::text::prefix_within;
use crate::validate::{validate_spans, EventSpan, Problems};

/// Input events `from..to` (exclusive) form one create request; `index` numbers the
/// chunks of one call in input order (halves of a split keep their parent's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    pub index: usize,
    pub from: usize,
    pub to: usize,
}

impl ChunkRange {
    pub fn len(&self) -> usize {
        self.to - self.from
    }
    pub fn is_empty(&self) -> bool {
        self.to == self.from
    }
}

/// One event is larger than a whole request body may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTooLarge {
    /// Index of the event in the input.
    pub index: usize,
    /// Its serialized size.
    pub bytes: u32,
}

impl fmt::Display for EventTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "event {} is {} bytes as JSON, more than a request body may hold",
            self.index, self.bytes
        )
    }
}

impl core::error::Error for EventTooLarge {}

/// Body size of a chunk of events with these sizes: brackets plus commas.
pub fn body_bytes(event_bytes: &[u32]) -> usize {
    2 + event_bytes.iter().map(|&b| b as usize).sum::<usize>() + event_bytes.len().saturating_sub(1)
}

/// Greedy planner: fill a chunk until the next event would break a limit.
///
/// Its methods and the range helpers below are `#[inline]`: only the wasm calls them
/// (pass one; `split_in_two` after a `413`), so they are built at its opt-level "z"
/// (lib.rs), a per-event `push` included (a few comparisons; the validator's cost per
/// event is far larger).
#[derive(Debug, Clone)]
pub struct ChunkPlanner {
    max_count: usize,
    max_bytes: usize,
    chunks: Vec<ChunkRange>,
    from: usize,
    next: usize,
    /// Body size of the open chunk `from..next` (2 when empty).
    bytes: usize,
}

impl ChunkPlanner {
    /// `max_count` events and `max_bytes` body bytes per chunk, at most; a limit of 0
    /// counts as 1 (a chunk always holds at least one event).
    #[inline]
    pub fn new(max_count: usize, max_bytes: usize) -> ChunkPlanner {
        ChunkPlanner {
            max_count: max_count.max(1),
            max_bytes,
            chunks: Vec::new(),
            from: 0,
            next: 0,
            bytes: 2,
        }
    }

    /// A planner whose first event is the input's event `first` (a resumed run).
    #[inline]
    pub fn starting_at(first: usize, max_count: usize, max_bytes: usize) -> ChunkPlanner {
        ChunkPlanner { from: first, next: first, ..ChunkPlanner::new(max_count, max_bytes) }
    }

    /// Appends the next input event, of `event_bytes` serialized bytes. On error the
    /// planner is unchanged (the caller gives up on the whole input).
    #[inline]
    pub fn push(&mut self, event_bytes: u32) -> Result<(), EventTooLarge> {
        let b = event_bytes as usize;
        if 2 + b > self.max_bytes {
            return Err(EventTooLarge {
                index: self.next,
                bytes: event_bytes,
            });
        }
        let count = self.next - self.from;
        if count > 0 && (count + 1 > self.max_count || self.bytes + 1 + b > self.max_bytes) {
            self.close();
        }
        self.bytes += b + usize::from(self.next > self.from);
        self.next += 1;
        Ok(())
    }

    #[inline]
    fn close(&mut self) {
        self.chunks.push(ChunkRange {
            index: self.chunks.len(),
            from: self.from,
            to: self.next,
        });
        self.from = self.next;
        self.bytes = 2;
    }

    /// Closes the open chunk, if any, where a window of input ends: a chunk never spans
    /// two windows, so that its body can be framed from one window's validated text.
    #[inline]
    pub fn end_window(&mut self) {
        if self.next > self.from {
            self.close();
        }
    }

    /// The chunks closed so far, in input order (those of the windows pushed).
    #[inline]
    pub fn closed(&self) -> &[ChunkRange] {
        &self.chunks
    }

    /// The chunks, in input order, covering every pushed event once.
    #[inline]
    pub fn finish(mut self) -> Vec<ChunkRange> {
        if self.next > self.from {
            self.close();
        }
        self.chunks
    }
}

/// The bytes of `text` that hold the events `spans` (consecutive elements of one JSON
/// array as `JSON.stringify` writes it, no blanks between them): the body of a chunk
/// is `[` + `text[range]` + `]`, the very bytes that were validated.
#[inline]
pub fn frame(spans: &[EventSpan]) -> Range<usize> {
    match (spans.first(), spans.last()) {
        (Some(first), Some(last)) => first.start as usize..last.end as usize,
        _ => 0..0,
    }
}

/// Where the events of the two halves of a chunk body (a JSON array of events, as
/// sent) are in it, the first holding `left_count` events (each half's body is `[`,
/// those bytes, `]`); `None` when the body does not hold more than `left_count`
/// events. After a `413`: the halves are cut from the bytes that were validated, not
/// serialized again.
#[inline]
pub fn split_body(body: &str, left_count: usize) -> Option<(Range<usize>, Range<usize>)> {
    let spans = validate_spans(body, 0, usize::MAX, &mut Problems::new()).ok()?;
    if left_count == 0 || spans.len() <= left_count {
        return None;
    }
    let (left, right) = spans.split_at_checked(left_count)?;
    Some((frame(left), frame(right)))
}

/// Halves of a chunk answered with `413` (the first half takes the odd event);
/// `None` for a single event, which cannot be split.
#[inline]
pub fn split_in_two(range: ChunkRange) -> Option<(ChunkRange, ChunkRange)> {
    if range.len() < 2 {
        return None;
    }
    let mid = range.to - range.len() / 2;
    Some((
        ChunkRange { to: mid, ..range },
        ChunkRange { from: mid, ..range },
    ))
}

/// `Idempotency-Key` of a request carrying `range` in the call identified by `run_id`
/// (random, from the caller): the same on every retry of that body, different for
/// every other body, halves of a split included. Cut to `MAX_IDEMPOTENCY_KEY_LEN`
/// by shortening `run_id`, never the range.
#[inline]
pub fn idempotency_key(run_id: &str, range: &ChunkRange) -> String {
    let suffix = text![":", range.from, "-", range.to];
    let room = MAX_IDEMPOTENCY_KEY_LEN.saturating_sub(suffix.len());
    text![prefix_within(run_id, room), suffix]
}

/// A chunk body's fingerprint: FNV-1a (64 bits) over `parts` in turn. Pass one keeps it
/// for each chunk whose validated bytes it does not keep, and the send compares the body
/// made again with it: an array changed in between (an event shifted in, one replaced)
/// is refused rather than stored shifted. Written out: a few lines, where std's
/// `DefaultHasher` (SipHash) is ~1 KB of wasm; no attacker chooses these inputs.
#[inline]
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            hash = (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EVENT: &str = r#"{"owner":"o","collection":"c","start":"2021-01-01T00:00:00Z","value":"v","type":"t","source":"s","externalId":"x"}"#;

    #[test]
    fn fingerprints_follow_the_bytes_not_their_cut() {
        // FNV-1a 64's published values.
        assert_eq!(fingerprint(&[b""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint(&[b"[", b"{}", b"]"]), fingerprint(&[b"[{}]"]));
        assert_ne!(fingerprint(&[b"[{\"a\":1},{\"a\":2}]"]), fingerprint(&[b"[{\"a\":2},{\"a\":1}]"]));
    }

    fn array_of(n: usize) -> String {
        format!("[{}]", vec![EVENT; n].join(","))
    }

    #[test]
    fn frames_the_validated_bytes() {
        let text = array_of(5);
        let spans = validate_spans(&text, 0, usize::MAX, &mut Problems::new()).unwrap();
        // The whole window gives back the very text.
        assert_eq!(format!("[{}]", &text[frame(&spans)]), text);
        // A part of it is a JSON array of exactly those events.
        assert_eq!(format!("[{}]", &text[frame(&spans[1..3])]), array_of(2));
        assert_eq!(frame(&[]), 0..0);
    }

    #[test]
    fn splits_a_body_where_asked() {
        let body = array_of(5);
        let (left, right) = split_body(&body, 3).unwrap();
        assert_eq!((format!("[{}]", &body[left]), format!("[{}]", &body[right])), (array_of(3), array_of(2)));
        assert_eq!(split_body(&array_of(2), 2), None);
        assert_eq!(split_body(&array_of(2), 0), None);
        assert_eq!(split_body("not json", 1), None);
    }

    #[test]
    fn a_chunk_never_spans_two_windows() {
        // Windows of 4 events; the byte limit cuts the first window after 3 events.
        let mut p = ChunkPlanner::new(4, 2 + 10 * 3 + 2);
        for _ in 0..4 {
            p.push(10).unwrap();
        }
        p.end_window();
        assert_eq!(p.closed().len(), 2);
        for _ in 0..4 {
            p.push(10).unwrap();
        }
        p.end_window();
        p.end_window(); // nothing open: no empty chunk
        let chunks = p.finish();
        let ranges: Vec<(usize, usize)> = chunks.iter().map(|c| (c.from, c.to)).collect();
        assert_eq!(ranges, vec![(0, 3), (3, 4), (4, 7), (7, 8)]);
        assert!(chunks.iter().enumerate().all(|(i, c)| c.index == i));
    }

    fn plan(
        max_count: usize,
        max_bytes: usize,
        sizes: &[u32],
    ) -> Result<Vec<ChunkRange>, EventTooLarge> {
        let mut p = ChunkPlanner::new(max_count, max_bytes);
        for &s in sizes {
            p.push(s)?;
        }
        Ok(p.finish())
    }

    fn r(index: usize, from: usize, to: usize) -> ChunkRange {
        ChunkRange { index, from, to }
    }

    #[test]
    fn by_count() {
        assert_eq!(
            plan(2, 1000, &[1; 5]).unwrap(),
            vec![r(0, 0, 2), r(1, 2, 4), r(2, 4, 5)]
        );
        assert_eq!(plan(10, 1000, &[]).unwrap(), vec![]);
        assert_eq!(
            plan(0, 1000, &[1, 1]).unwrap(),
            vec![r(0, 0, 1), r(1, 1, 2)]
        );
    }

    #[test]
    fn by_bytes() {
        // [aaaa,bbbb] is 2 + 8 + 1 = 11 bytes.
        assert_eq!(
            plan(10, 11, &[4, 4, 4]).unwrap(),
            vec![r(0, 0, 2), r(1, 2, 3)]
        );
        assert_eq!(
            plan(10, 10, &[4, 4, 4]).unwrap(),
            vec![r(0, 0, 1), r(1, 1, 2), r(2, 2, 3)]
        );
        // An event that fills a body alone is fine; one byte more is not.
        assert_eq!(plan(10, 10, &[8]).unwrap(), vec![r(0, 0, 1)]);
        assert_eq!(
            plan(10, 10, &[1, 9]).unwrap_err(),
            EventTooLarge { index: 1, bytes: 9 }
        );
        assert_eq!(body_bytes(&[4, 4]), 11);
        assert_eq!(body_bytes(&[]), 2);
    }

    #[test]
    fn splits() {
        assert_eq!(
            split_in_two(r(3, 10, 15)),
            Some((r(3, 10, 13), r(3, 13, 15)))
        );
        assert_eq!(
            split_in_two(r(3, 10, 12)),
            Some((r(3, 10, 11), r(3, 11, 12)))
        );
        assert_eq!(split_in_two(r(3, 10, 11)), None);
        assert_eq!(split_in_two(r(3, 10, 10)), None);
    }

    #[test]
    fn keys() {
        assert_eq!(idempotency_key("run", &r(0, 0, 10)), "run:0-10");
        let long = "é".repeat(300);
        let k = idempotency_key(&long, &r(0, 100_000, 200_000));
        assert!(
            k.len() <= MAX_IDEMPOTENCY_KEY_LEN && k.ends_with(":100000-200000"),
            "{k}"
        );
    }

    proptest! {
        #[test]
        fn covers_the_input_within_limits(
            max_count in 1usize..20,
            max_bytes in 3usize..200,
            sizes in proptest::collection::vec(1u32..120, 0..200),
        ) {
            match plan(max_count, max_bytes, &sizes) {
                Err(e) => {
                    prop_assert!(2 + e.bytes as usize > max_bytes);
                    prop_assert!(sizes[..e.index].iter().all(|&s| 2 + s as usize <= max_bytes));
                    prop_assert_eq!(sizes[e.index], e.bytes);
                }
                Ok(chunks) => {
                    let mut at = 0;
                    for (i, c) in chunks.iter().enumerate() {
                        prop_assert_eq!((c.index, c.from), (i, at));
                        prop_assert!(!c.is_empty() && c.len() <= max_count);
                        prop_assert!(body_bytes(&sizes[c.from..c.to]) <= max_bytes);
                        // Greedy: the next event would not have fitted.
                        if c.to < sizes.len() {
                            prop_assert!(c.len() == max_count || body_bytes(&sizes[c.from..=c.to]) > max_bytes);
                        }
                        at = c.to;
                    }
                    prop_assert_eq!(at, sizes.len());
                }
            }
        }

        #[test]
        fn halves_cover_the_chunk(from in 0usize..1000, len in 0usize..1000) {
            let c = r(7, from, from + len);
            match split_in_two(c) {
                None => prop_assert!(len < 2),
                Some((a, b)) => {
                    prop_assert_eq!((a.from, a.to, b.from, b.to), (c.from, b.from, a.to, c.to));
                    prop_assert!(!a.is_empty() && !b.is_empty() && a.len() >= b.len() && a.len() - b.len() <= 1);
                }
            }
        }
    }
}
