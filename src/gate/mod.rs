//! The gate: the compiled manifest, the immutable decision snapshot, frequency limits and access counters.
//! Everything here is pure or lock-free on the read path; persistence is the engine's and the store's job.

pub mod access;
pub mod cells;
pub mod frequency;
pub mod index;
pub mod manifest_id;
pub mod mirror;
pub mod os;
pub mod snapshot;

pub use access::AccessBuffer;
pub use cells::DecisionCells;
pub use frequency::FrequencyLimits;
pub use index::{FeatureInfo, IdKind, Index, OsGuard, PurposeInfo, TierInfo};
pub use manifest_id::{ManifestId, ManifestIds};
pub use mirror::DecisionMirror;
pub use os::{OsNext, OsPermissions, PermissionState, Reported};
pub use snapshot::{policy_holds, Reason, Resolution, Snapshot};
