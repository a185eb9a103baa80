//! Time sources for every rule that depends on time (cooldowns, frequency windows, ledger timestamps).
//!
//! A clock gives two readings: the wall clock (what the device says the date is; a user or the network can set it
//! forwards or backwards) and a monotonic reading (elapsed time that no clock setting moves). The engine combines
//! them ([`EngineTime`]) so that, within a process, a clock change neither lengthens nor shortens a cooldown, a
//! frequency window or anything else measured in elapsed time (docs/rules.md, "Time"). Injected so that tests and
//! scenarios can move time by 48 hours without waiting, and set the wall clock to simulate a jump.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use once_cell::sync::Lazy;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The wall clock, in UTC milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Milliseconds on a monotonic clock with an arbitrary origin: only differences mean something.
    fn monotonic_ms(&self) -> i64;
    /// Moves a manual clock forward (both readings); the system clock refuses (returns `false`).
    fn advance_ms(&self, _delta: i64) -> bool {
        false
    }
}

/// The device's wall clock and the process's monotonic clock.
#[derive(Debug, Default)]
pub struct SystemClock;

/// The origin of [`SystemClock::monotonic_ms`]: the first time the process asked.
static ORIGIN: Lazy<Instant> = Lazy::new(Instant::now);

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
    fn monotonic_ms(&self) -> i64 {
        ORIGIN.elapsed().as_millis() as i64
    }
}

/// A clock that only moves when told to: for tests, scenarios and the demo.
#[derive(Debug)]
pub struct ManualClock {
    wall: AtomicI64,
    mono: AtomicI64,
}

impl ManualClock {
    /// A manual clock whose wall reading starts at `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        Self { wall: AtomicI64::new(start_ms), mono: AtomicI64::new(0) }
    }

    /// Sets the wall reading only, as a user changing the device's date does (the monotonic reading stays).
    pub fn set_wall_ms(&self, wall_ms: i64) {
        self.wall.store(wall_ms, Ordering::Release);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.wall.load(Ordering::Acquire)
    }
    fn monotonic_ms(&self) -> i64 {
        self.mono.load(Ordering::Acquire)
    }
    fn advance_ms(&self, delta: i64) -> bool {
        self.wall.fetch_add(delta, Ordering::AcqRel);
        self.mono.fetch_add(delta, Ordering::AcqRel);
        true
    }
}

/// An engine's time: the wall clock read once at open, moved on by the monotonic clock. Every timestamp the
/// engine writes and every elapsed-time rule it applies uses it, so one process sees one consistent time line
/// whatever happens to the device's date; the next open picks up the corrected wall clock, and stamps that then
/// lie in its future are clamped (see the snapshot and the frequency windows).
#[derive(Debug, Clone, Copy)]
pub struct EngineTime {
    wall_at_start: i64,
    mono_at_start: i64,
}

impl EngineTime {
    /// Starts a time line at the clock's current reading.
    pub fn start(clock: &dyn Clock) -> Self {
        EngineTime { wall_at_start: clock.now_ms(), mono_at_start: clock.monotonic_ms() }
    }

    /// Now on this time line, UTC ms.
    pub fn now_ms(&self, clock: &dyn Clock) -> i64 {
        self.wall_at_start + (clock.monotonic_ms() - self.mono_at_start).max(0)
    }
}
