//! Time source for every rule that depends on time (cooldowns, frequency windows, ledger timestamps).
//!
//! Injected so that tests and scenarios can move time by 48 hours without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in UTC milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Now, in UTC milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Moves a manual clock forward; the system clock refuses (returns `false`).
    fn advance_ms(&self, _delta: i64) -> bool {
        false
    }
}

/// The device's wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

/// A clock that only moves when told to: for tests, scenarios and the demo.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    /// A manual clock starting at `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        Self { now: AtomicI64::new(start_ms) }
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::Acquire)
    }
    fn advance_ms(&self, delta: i64) -> bool {
        self.now.fetch_add(delta, Ordering::AcqRel);
        true
    }
}
