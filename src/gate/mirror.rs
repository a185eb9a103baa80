//! The decision mirror: one compact table of every answer of a snapshot, which the Kotlin and Swift facades keep
//! so that `decide` and `resolve` need no foreign call (DESIGN.md §6). The core computes every entry; the facades
//! only read it. The FFI turns it into its record (`DecisionTable`).

use super::index::Index;
use super::snapshot::Snapshot;

/// Every answer of one snapshot, laid out for a facade's mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionMirror {
    /// The snapshot version it was computed from.
    pub version: u64,
    /// Number of data types: `codes[purpose * width + data_type]`.
    pub width: u32,
    /// Decision codes, purpose-major.
    pub codes: Vec<u8>,
    /// Per (purpose, data type): 1 when a frequency limit applies, so `collect` must ask the core.
    pub limited: Vec<u8>,
    /// Per feature: index of the resolved tier, or -1 when none is available.
    pub feature_tier: Vec<i32>,
    /// Per feature: purpose handles missing for the next richer tier.
    pub feature_missing: Vec<Vec<u32>>,
    /// Per feature: whether the app may ask for them now.
    pub feature_can_ask: Vec<bool>,
    /// When a cooldown next ends and changes an answer, UTC ms.
    pub next_change_ms: Option<i64>,
}

impl DecisionMirror {
    /// The mirror of `snap` at `now_ms`.
    pub fn build(index: &Index, snap: &Snapshot, now_ms: i64) -> DecisionMirror {
        let mut limited = vec![0u8; snap.table.len()];
        for (p, info) in index.purposes.iter().enumerate() {
            for l in &info.limits {
                limited[p * snap.width + l.data_type as usize] = 1;
            }
        }
        let cooldown = index.pack.cooldown_ms();
        DecisionMirror {
            version: snap.version,
            width: snap.width as u32,
            codes: snap.table.clone(),
            limited,
            feature_tier: snap.resolutions.iter().map(|r| r.tier.map_or(-1, i32::from)).collect(),
            feature_missing: snap.resolutions.iter().map(|r| r.missing.clone()).collect(),
            feature_can_ask: (0..snap.resolutions.len() as u32)
                .map(|f| !snap.resolutions[f as usize].missing.is_empty() && snap.can_ask(f, cooldown, || now_ms))
                .collect(),
            next_change_ms: snap.next_change_ms(now_ms, cooldown),
        }
    }
}
