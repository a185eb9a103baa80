//! The foreign observer: Kotlin/Swift code notified after each state change and on recovery.

use std::sync::Arc;

use super::types::{ConsentStatus, RecoveryInfo};
use crate::engine::{Engine, Listener};
use crate::gate::Snapshot;
use crate::store::RecoveryEvent;

/// An observer's failure. Ignored by the core (logged at debug level): a failing observer never breaks it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ObserverError {
    /// The observer threw.
    #[error("observer failed: {detail}")]
    Failed {
        /// What it said.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ObserverError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ObserverError::Failed { detail: e.reason }
    }
}

/// Receives consent state changes. Called on the thread that made the change, after the change is durable; keep
/// it quick (post to your own queue). It first receives the recovery event (if any) and the current state.
#[uniffi::export(with_foreign)]
pub trait ConsentObserver: Send + Sync {
    /// The consent state changed.
    fn on_change(&self, status: ConsentStatus) -> Result<(), ObserverError>;
    /// The database was damaged or tampered with and was set aside; ConsentKit runs on the safe default.
    fn on_recovery(&self, event: RecoveryInfo) -> Result<(), ObserverError>;
}

/// Adapts a foreign observer to the engine's listener.
pub(crate) struct ObserverBridge(pub Arc<dyn ConsentObserver>);

impl Listener for ObserverBridge {
    fn on_change(&self, engine: &Engine, snapshot: &Snapshot) {
        let status = super::status_of(engine, snapshot);
        if let Err(e) = self.0.on_change(status) {
            log::debug!("observer on_change failed: {e}");
        }
    }
    fn on_recovery(&self, event: &RecoveryEvent) {
        if let Err(e) = self.0.on_recovery(event.into()) {
            log::debug!("observer on_recovery failed: {e}");
        }
    }
}
