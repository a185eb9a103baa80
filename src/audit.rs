//! The integrity audit's status, shared by the engine and the thread that runs the audit after a fast open.
//!
//! Open serves the sealed state at once (see `store::seal`); the audit walks the whole ledger right after, on its
//! own thread. Everything that writes or reads the database through the engine waits here until the audit is over,
//! so no write lands in a file that is about to be set aside, and no report reads an unaudited ledger.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Where the audit of this open stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditStatus {
    /// Open walked the whole ledger itself (new file, older file without a seal, or recovery): nothing to audit.
    NotNeeded,
    /// Running on the audit thread.
    Running,
    /// The ledger verified and matched the state served at open.
    Passed {
        /// Rows verified.
        rows: u64,
        /// How long the audit took, ms.
        took_ms: f64,
    },
    /// The audit found damage or tampering: the file was set aside, the engine switched to a fresh database on the
    /// safe default, and listeners were told (`on_recovery`, then `on_change`).
    Recovered,
    /// The audit could not run or the file could not be set aside (the message says why); see the log.
    Failed(String),
}

impl AuditStatus {
    /// Whether the audit is still running.
    pub fn is_running(&self) -> bool {
        matches!(self, AuditStatus::Running)
    }
}

/// The status behind a lock, with a condition variable for waiters.
pub struct AuditGate {
    status: Mutex<AuditStatus>,
    done: Condvar,
}

impl AuditGate {
    /// A gate in the given state.
    pub fn new(status: AuditStatus) -> AuditGate {
        AuditGate { status: Mutex::new(status), done: Condvar::new() }
    }

    /// The status now, without waiting.
    pub fn status(&self) -> AuditStatus {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until the audit is over and returns how it ended.
    pub fn wait(&self) -> AuditStatus {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        while s.is_running() {
            s = match self.done.wait_timeout(s, Duration::from_millis(100)) {
                Ok((s, _)) => s,
                Err(e) => e.into_inner().0,
            };
        }
        s.clone()
    }

    /// Records the end of the audit and wakes the waiters.
    pub fn finish(&self, status: AuditStatus) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status;
        self.done.notify_all();
    }
}
