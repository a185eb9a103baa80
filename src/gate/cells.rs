//! The decision cells: a copy of the snapshot's decision codes that the per-event `decide` reads with two plain
//! loads instead of an `ArcSwap` load (about 3 ns against 6-14 ns on the reference VM), published together with the
//! snapshot under a sequence counter so `decide` and `resolve` never disagree.
//!
//! The writer (one, under the engine's store lock) makes the counter odd, stores the changed cells, swaps the
//! snapshot, and makes the counter even again. A reader reads the counter, the cell, and the counter again: when
//! both readings are the same even number, the cell belongs to the snapshot published before that number — the one
//! a `resolve` that follows will see or a later one. Otherwise (a publish is under way) the reader answers from the
//! snapshot itself.

use std::sync::atomic::{fence, AtomicU64, AtomicU8, Ordering};

/// The cells and their sequence counter.
pub struct DecisionCells {
    seq: AtomicU64,
    cells: Box<[AtomicU8]>,
}

impl DecisionCells {
    /// Cells holding `codes`.
    pub fn new(codes: &[u8]) -> Self {
        DecisionCells { seq: AtomicU64::new(0), cells: codes.iter().map(|&c| AtomicU8::new(c)).collect() }
    }

    /// The code at `at`, or `None` while a publish is under way (then read the snapshot). `at` must be in range.
    #[inline]
    pub fn read(&self, at: usize) -> Option<u8> {
        let before = self.seq.load(Ordering::Acquire);
        if before & 1 == 1 {
            return None;
        }
        let code = self.cells[at].load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        (self.seq.load(Ordering::Relaxed) == before).then_some(code)
    }

    /// Publishes `codes` together with `swap` (the snapshot swap), which runs while the counter is odd. One writer
    /// at a time (the caller holds the store lock). Only cells whose code changed are stored.
    pub fn publish(&self, codes: &[u8], swap: impl FnOnce()) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (cell, &code) in self.cells.iter().zip(codes) {
            if cell.load(Ordering::Relaxed) != code {
                cell.store(code, Ordering::Relaxed);
            }
        }
        swap();
        self.seq.store(seq + 2, Ordering::Release);
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
}
