//! The IAB / Google consent signals of the current state (see [`crate::frameworks::signals`]): read from the
//! snapshot and the state under the engine's lock, so both belong to the same version. Cheap (no I/O): the
//! facades call it on every change notification.

use super::*;
use crate::frameworks::signals::{compute, ConsentView, FrameworkSignals};
use crate::manifest::Jurisdiction;

/// The latest time the state records a change (a choice, a refusal, a declined policy), if any.
fn last_change_ms(state: &ConsentState) -> Option<i64> {
    let choices = state.purposes.values().map(|r| r.at_ms);
    let refusals = state.refusals.values().copied();
    choices.chain(refusals).chain(state.policy_declined_at).max()
}

impl Engine {
    /// The TC string, GPP string, Consent Mode map and in-app keys for the current state, under `jurisdiction` (the
    /// manifest's `frameworks.jurisdiction` when `None`, default `eu`).
    pub fn framework_signals(&self, jurisdiction: Option<Jurisdiction>) -> CoreResult<FrameworkSignals> {
        self.check_open()?;
        let (snap, changed) = self.with_store(|_, state| Ok((self.snapshot().clone(), last_change_ms(state))))?;
        let allowed = |id: &str| self.index.handle(IdKind::Purpose, id).is_ok_and(|h| snap.allowed(h));
        let view = ConsentView { policy_agreed: snap.policy_agreed, allowed: &allowed, updated_ms: changed.unwrap_or_else(|| self.now_ms()) };
        compute(&self.index.manifest, &view, jurisdiction)
            .map_err(|e| CoreError::InvalidArgument(format!("frameworks mapping cannot be encoded: {e}")))
    }
}
