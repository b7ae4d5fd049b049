//! Resuming an upload after a crash: where the contiguous stored prefix of a run ends.
//! Chunks are stored in any order (several are in flight); a resumed run can skip only
//! what lies before the first chunk not known to be stored, so that is what progress
//! and errors report as `resumeFrom`. With the same `runId` and chunking, the chunks
//! after it get the same ranges and idempotency keys again: those stored out of order
//! are answered from the server's idempotency record, not stored twice.

use crate::prelude::*;
/// A point in the source: after the first `events` events, `bytes` into it (byte
/// sources), on line `line` (1-based; NDJSON line numbers stay right after a resume).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumePoint {
    pub events: usize,
    pub bytes: u64,
    pub line: u64,
}

impl Default for ResumePoint {
    fn default() -> Self {
        ResumePoint { events: 0, bytes: 0, line: 1 }
    }
}

/// The end of the contiguous stored prefix, as chunks (numbered from 0 in this run)
/// are stored.
#[derive(Debug, Clone)]
pub struct StoredPrefix {
    at: ResumePoint,
    next_chunk: usize,
    /// Stored chunks past a gap: (chunk number, where it ends). A list, not a map:
    /// std's BTreeMap costs 5 KB of wasm (README "Size").
    ahead: Vec<(usize, ResumePoint)>,
}

impl StoredPrefix {
    /// `start`: where this run began (a given `resumeFrom`, or the source's start).
    #[inline]
    pub fn new(start: ResumePoint) -> StoredPrefix {
        StoredPrefix { at: start, next_chunk: 0, ahead: Vec::new() }
    }

    /// Chunk `chunk`, which ends at `end`, is stored. A chunk that fails is never
    /// reported: the prefix stops before it.
    #[inline]
    pub fn stored(&mut self, chunk: usize, end: ResumePoint) {
        if chunk != self.next_chunk {
            if chunk > self.next_chunk {
                self.ahead.push((chunk, end));
            }
            return;
        }
        // The gap closes: take the chunks stored after it, in order (the list is
        // searched only here, so a gap that never closes costs nothing).
        self.at = end;
        self.next_chunk += 1;
        while let Some(i) = self.ahead.iter().position(|&(c, _)| c == self.next_chunk) {
            self.at = self.ahead.swap_remove(i).1;
            self.next_chunk += 1;
        }
    }

    /// Where a resumed run would start now.
    #[inline]
    pub fn at(&self) -> ResumePoint {
        self.at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(events: usize) -> ResumePoint {
        ResumePoint { events, bytes: events as u64 * 10, line: events as u64 + 1 }
    }

    #[test]
    fn the_prefix_grows_only_over_stored_chunks_in_order() {
        let mut p = StoredPrefix::new(end(5));
        assert_eq!(p.at(), end(5));
        p.stored(1, end(20));
        assert_eq!(p.at(), end(5), "chunk 0 is not stored yet");
        p.stored(0, end(10));
        assert_eq!(p.at(), end(20));
        p.stored(3, end(40));
        assert_eq!(p.at(), end(20), "chunk 2 failed or is in flight");
        p.stored(2, end(30));
        assert_eq!(p.at(), end(40));
        p.stored(1, end(20));
        assert_eq!(p.at(), end(40), "a chunk told twice changes nothing");
        for c in (5..100).rev() {
            p.stored(c, end(c * 10 + 10));
        }
        assert_eq!(p.at(), end(40));
        p.stored(4, end(50));
        assert_eq!(p.at(), end(1000));
    }
}
