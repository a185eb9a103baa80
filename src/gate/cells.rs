//! The decision cells: a copy of the snapshot's decision codes that the per-event `decide` reads with two plain
//! loads instead of an `ArcSwap` load (about 3 ns against 6-14 ns on the reference VM), published together with the
//! snapshot under a sequence counter so `decide` and `resolve` never disagree.
//!
//! The writer (one, under the engine's store lock) makes the counter odd, stores the changed cells, swaps the
//! snapshot, and makes the counter even again. A reader reads the counter, the cell, and the counter again: when
//! both readings are the same even number, the cell belongs to the snapshot published before that number — the one
//! a `resolve` that follows will see or a later one. Otherwise (a publish is under way) the reader answers from the
//! snapshot itself.
//!
//! Closing the engine sets the counter's top bit for good ([`DecisionCells::close`]): every read from then on goes to
//! the slow path, where the engine answers `Closed`. So the per-event `decide` checks "open" and "no publish under way"
//! with the one counter load it makes anyway.

use std::sync::atomic::{fence, AtomicU64, AtomicU8, Ordering};

/// The cells and their sequence counter.
pub struct DecisionCells {
    seq: AtomicU64,
    cells: Box<[AtomicU8]>,
}

/// Set in the counter when the engine closed: reads go to the slow path for good.
const CLOSED: u64 = 1 << 63;
/// The counter's bits that send a read to the slow path: a publish under way (odd), or closed.
const SLOW: u64 = CLOSED | 1;

impl DecisionCells {
    /// Cells holding `codes`.
    pub fn new(codes: &[u8]) -> Self {
        DecisionCells { seq: AtomicU64::new(0), cells: codes.iter().map(|&c| AtomicU8::new(c)).collect() }
    }

    /// The code at `at`, or `None` while a publish is under way, after [`DecisionCells::close`], or when `at` is out
    /// of range (then the engine checks why and reads the snapshot).
    #[inline]
    pub fn read(&self, at: usize) -> Option<u8> {
        let cell = self.cells.get(at)?;
        let before = self.seq.load(Ordering::Acquire);
        if before & SLOW != 0 {
            return None;
        }
        let code = cell.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        (self.seq.load(Ordering::Relaxed) == before).then_some(code)
    }

    /// Publishes `codes` together with `swap` (the snapshot swap), which runs while the counter is odd. One writer
    /// at a time (the caller holds the store lock). Only cells whose code changed are stored.
    pub fn publish(&self, codes: &[u8], swap: impl FnOnce()) {
        // Read-modify-writes, so a concurrent `close` keeps its bit.
        self.seq.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (cell, &code) in self.cells.iter().zip(codes) {
            if cell.load(Ordering::Relaxed) != code {
                cell.store(code, Ordering::Relaxed);
            }
        }
        swap();
        self.seq.fetch_add(1, Ordering::Release);
    }

    /// Sends every later read to the slow path (the engine closed). A read already past its second counter load
    /// answers as a call made just before the close.
    pub fn close(&self) {
        self.seq.fetch_or(CLOSED, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_sees_the_published_codes_and_none_during_a_publish() {
        let cells = DecisionCells::new(&[0, 2]);
        assert_eq!(cells.read(1), Some(2));
        cells.publish(&[0, 0], || assert_eq!(cells.read(1), None, "mid-publish readers go to the snapshot"));
        assert_eq!(cells.read(1), Some(0));
    }

    #[test]
    fn after_close_every_read_goes_to_the_slow_path_even_across_a_publish() {
        let cells = DecisionCells::new(&[0, 2]);
        cells.close();
        assert_eq!(cells.read(0), None);
        cells.publish(&[0, 0], || cells.close());
        assert_eq!(cells.read(0), None, "a publish (even one racing the close) does not reopen the cells");
    }
}
