//! Cutting the validated input into create requests, by event count and body bytes.
//!
//! The body of a chunk is `[e1,e2,...]`: `2 + sum(bytes) + (n - 1)` bytes, each event
//! exactly as `JSON.stringify` wrote it (the lengths `validate_chunk` returns).

use std::fmt;

use crate::contract::MAX_IDEMPOTENCY_KEY_LEN;

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

impl std::error::Error for EventTooLarge {}

/// Body size of a chunk of events with these sizes: brackets plus commas.
pub fn body_bytes(event_bytes: &[u32]) -> usize {
    2 + event_bytes.iter().map(|&b| b as usize).sum::<usize>() + event_bytes.len().saturating_sub(1)
}

/// Greedy planner: fill a chunk until the next event would break a limit.
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

    /// Appends the next input event, of `event_bytes` serialized bytes. On error the
    /// planner is unchanged (the caller gives up on the whole input).
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

    fn close(&mut self) {
        self.chunks.push(ChunkRange {
            index: self.chunks.len(),
            from: self.from,
            to: self.next,
        });
        self.from = self.next;
        self.bytes = 2;
    }

    /// The chunks, in input order, covering every pushed event once.
    pub fn finish(mut self) -> Vec<ChunkRange> {
        if self.next > self.from {
            self.close();
        }
        self.chunks
    }
}

/// Halves of a chunk answered with `413` (the first half takes the odd event);
/// `None` for a single event, which cannot be split.
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
pub fn idempotency_key(run_id: &str, range: &ChunkRange) -> String {
    let suffix = format!(":{}-{}", range.from, range.to);
    let room = MAX_IDEMPOTENCY_KEY_LEN.saturating_sub(suffix.len());
    let mut cut = run_id.len().min(room);
    while !run_id.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &run_id[..cut])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
