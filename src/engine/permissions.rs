//! The OS permission states the platform reports: a write that is not consent. It never touches the ledger or the
//! database; it swaps the snapshot (so `decide`, `resolve` and `collect` stay memory-only) and tells listeners.

use super::*;
use crate::gate::{PermissionState, Reported};
use crate::rules::PlatformTable;

impl Engine {
    /// Records the state of one OS permission (a platform-table id: `location`, `camera`, `tracking`, ...).
    /// `since_ms` is when the state began, if the platform knows it (a bridge that kept the time of a denial
    /// across a restart); otherwise the time of the first report of this state. The first report enables the
    /// permission layer: from then on a guarded data type whose permission was never reported is denied.
    pub fn set_permission_state(&self, permission: &str, state: PermissionState, since_ms: Option<i64>) -> CoreResult<()> {
        self.check_open()?;
        let handle = PlatformTable::get()
            .handle(permission)
            .ok_or_else(|| CoreError::UnknownId { kind: "permission", id: crate::error::clip(permission) })?;
        let now = self.now_ms();
        let guard = lock(&self.inner);
        let Some(inner) = guard.as_ref() else { return Err(CoreError::Closed) };
        let prev = self.snapshot.load_full();
        let mut os = prev.os.clone();
        let kept = os.states[handle as usize].filter(|r| r.state == state).map(|r| r.since_ms);
        let since = since_ms.map(|t| t.min(now)).or(kept).unwrap_or(now);
        os.enabled = true;
        os.states[handle as usize] = Some(Reported { state, since_ms: since });
        if os == prev.os {
            return Ok(());
        }
        let mut snap = Snapshot::build(&self.index, &inner.state, &os, prev.version + 1);
        snap.clamp_future(Some(&prev), now);
        let snap = Arc::new(snap);
        self.publish(snap.clone());
        drop(guard);
        self.notify(&snap);
        Ok(())
    }

    /// The permission (platform-table id) that makes (purpose, data type) denied with
    /// [`Reason::OsPermissionDenied`] or [`Reason::TrackingNotAuthorized`]; `None` for any other answer.
    pub fn blocking_permission(&self, purpose: u32, data_type: u32) -> CoreResult<Option<String>> {
        let reason = self.decide_handles(purpose, data_type)?;
        let table = PlatformTable::get();
        let handle = match reason {
            Reason::TrackingNotAuthorized => {
                let guard = self.index.guards[data_type as usize].map(|g| g.permission);
                guard.filter(|&g| Some(g) == self.index.tracking_permission).or(self.index.tracking_permission)
            }
            Reason::OsPermissionDenied => self.index.guards[data_type as usize].map(|g| g.permission),
            _ => None,
        };
        Ok(handle.and_then(|h| table.permissions.get(h as usize)).map(|p| p.id.clone()))
    }
}
