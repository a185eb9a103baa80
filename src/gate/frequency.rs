//! Frequency limits: at most `max` collections of a data type per window, per purpose — held across reopen,
//! across instances and across processes on one database, because the counts live in it
//! ([`crate::store::frequency`]). This module only knows which limits apply to a (purpose, data type).

use super::index::Index;

/// Every declared limit, by (purpose, data type).
pub struct FrequencyLimits {
    /// (purpose, data type, max, window ms), in manifest order.
    limits: Vec<(u32, u32, u32, i64)>,
}

impl FrequencyLimits {
    /// The manifest's limits.
    pub fn new(index: &Index) -> Self {
        let limits = index
            .purposes
            .iter()
            .enumerate()
            .flat_map(|(p, info)| info.limits.iter().map(move |l| (p as u32, l.data_type, l.max, l.window_ms)))
            .collect();
        FrequencyLimits { limits }
    }

    /// Whether the manifest has any limit (lets collect skip the scan).
    pub fn is_empty(&self) -> bool {
        self.limits.is_empty()
    }

    /// The (max, window ms) of every limit on (purpose, data type), one per window length (of two limits with the
    /// same window the stricter applies; they share their counts); empty when it is not limited.
    pub fn on(&self, purpose: u32, data_type: u32) -> Vec<(u32, i64)> {
        let mut out: Vec<(u32, i64)> = Vec::new();
        for l in self.limits.iter().filter(|l| l.0 == purpose && l.1 == data_type) {
            match out.iter_mut().find(|o| o.1 == l.3) {
                Some(o) => o.0 = o.0.min(l.2),
                None => out.push((l.2, l.3)),
            }
        }
        out
    }
}
