//! In-memory access counters: `collect` increments an atomic, batches are written to the access log on a
//! threshold, on `flush()`, on an hour boundary and on close.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use super::index::Index;
use crate::store::{AccessCount, BUCKET_MS};

/// Counters for every (purpose, data type, recipient-or-app) the manifest allows.
pub struct AccessBuffer {
    /// Per (purpose, data type): first counter index, or u32::MAX when undeclared. `base[p * width + d]`.
    base: Vec<u32>,
    width: usize,
    counts: Vec<AtomicU64>,
    last_ms: Vec<AtomicI64>,
    /// (purpose, data type, recipient handle or None) per counter.
    keys: Vec<(u32, u32, Option<u32>)>,
    pending: AtomicU64,
    bucket: AtomicI64,
}

impl AccessBuffer {
    /// Counters laid out from the manifest.
    pub fn new(index: &Index) -> Self {
        let width = index.data_types.len();
        let mut base = vec![u32::MAX; index.purposes.len() * width];
        let mut keys = Vec::new();
        for (p, info) in index.purposes.iter().enumerate() {
            for &d in &info.data_types {
                base[p * width + d as usize] = keys.len() as u32;
                keys.push((p as u32, d, None));
                for &r in &info.recipients {
                    keys.push((p as u32, d, Some(r)));
                }
            }
        }
        AccessBuffer {
            base,
            width,
            counts: keys.iter().map(|_| AtomicU64::new(0)).collect(),
            last_ms: keys.iter().map(|_| AtomicI64::new(0)).collect(),
            keys,
            pending: AtomicU64::new(0),
            bucket: AtomicI64::new(i64::MIN),
        }
    }

    /// Counts `count` collections; `recipient_slot` is 0 for the app, 1 + position in the purpose's recipients otherwise.
    /// Returns (events pending since the last drain, whether the hour bucket changed and the old one must be drained
    /// first).
    #[inline]
    pub fn record(&self, purpose: u32, data_type: u32, recipient_slot: u32, count: u64, now_ms: i64) -> (u64, bool) {
        let bucket = now_ms - now_ms.rem_euclid(BUCKET_MS);
        let previous = self.bucket.load(Ordering::Relaxed);
        let rolled = previous != bucket && previous != i64::MIN;
        if previous != bucket {
            self.bucket.store(bucket, Ordering::Relaxed);
        }
        let i = (self.base[purpose as usize * self.width + data_type as usize] + recipient_slot) as usize;
        self.counts[i].fetch_add(count, Ordering::Relaxed);
        self.last_ms[i].fetch_max(now_ms, Ordering::Relaxed);
        (self.pending.fetch_add(count, Ordering::Relaxed) + count, rolled)
    }

    /// Whether (purpose, data type) is declared, so it has counters.
    pub fn has(&self, purpose: u32, data_type: u32) -> bool {
        self.base.get(purpose as usize * self.width + data_type as usize).is_some_and(|&b| b != u32::MAX)
    }

    /// Takes every pending count (resetting them) as rows for the access log.
    /// Rows are bucketed by the hour of their last collection (buffers are drained at every hour boundary).
    pub fn drain(&self, index: &Index) -> Vec<AccessCount> {
        self.pending.store(0, Ordering::Relaxed);
        let mut out = Vec::new();
        for (i, &(p, d, r)) in self.keys.iter().enumerate() {
            let n = self.counts[i].swap(0, Ordering::AcqRel);
            if n > 0 {
                let last = self.last_ms[i].load(Ordering::Relaxed);
                out.push(AccessCount {
                    bucket_ms: last - last.rem_euclid(BUCKET_MS),
                    purpose: index.purposes[p as usize].id.to_string(),
                    data_type: index.data_types[d as usize].clone(),
                    recipient: r.map(|r| index.third_parties[r as usize].clone()).unwrap_or_default(),
                    count: n,
                    last_ms: last,
                });
            }
        }
        out
    }

    /// Puts counts back after a failed write, so nothing is lost.
    pub fn restore(&self, index: &Index, counts: &[AccessCount]) {
        for c in counts {
            let p = index.purposes.iter().position(|x| x.id == c.purpose);
            let d = index.data_types.iter().position(|x| *x == c.data_type);
            if let (Some(p), Some(d)) = (p, d) {
                let slot = if c.recipient.is_empty() {
                    0
                } else {
                    index.purposes[p].recipients.iter().position(|&r| index.third_parties[r as usize] == c.recipient).map_or(0, |x| x + 1)
                };
                let i = (self.base[p * self.width + d] as usize) + slot;
                self.counts[i].fetch_add(c.count, Ordering::Relaxed);
                self.last_ms[i].fetch_max(c.last_ms, Ordering::Relaxed);
            }
        }
    }
}
