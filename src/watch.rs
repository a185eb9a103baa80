//! The cross-process watcher of a shared engine: another process (an app extension, a widget, a second runtime)
//! writing to the same database file is seen within about a second, without the app calling anything.
//!
//! Once a second the thread reads the store's `PRAGMA data_version` ([`Engine::refresh_if_changed`]) and refreshes
//! only when another connection committed. It holds the engine by a weak reference, upgraded for one check at a
//! time, so it never keeps an engine alive; it stops when its [`Watcher`] is stopped or dropped (the last handle's
//! close), or when the engine is gone or closed.
//!
//! The watcher runs on open's second thread ([`Engine::open_with`]): once that thread has compiled the manifest (or
//! found the caller did), it goes on checking, once a period, for the engine [`Watcher::watch`] hands it, so an open
//! starts one thread, not two, and neither the watcher's start nor the hand-over wakes anything on the app start's
//! path. If the watcher is dropped first (an open that failed), the loop ends.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::CoreError;

/// How often a shared engine checks for other processes' commits: the bound promised to apps (docs/reliability.md).
pub const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// The name of open's second thread when it goes on as a shared engine's watcher.
pub const WATCH_THREAD: &str = "consentkit-watch";

/// Stops the watcher thread when stopped or dropped: it wakes at once instead of sleeping out its period.
pub struct Watcher {
    /// The engine to watch, once open has one. Read by the loop at each period's end, so handing it over wakes no
    /// thread (a wake-up cost the opening thread ~16 µs, on the path of an app start).
    engine: Arc<OnceLock<Weak<Engine>>>,
    /// Dropping it ends the loop.
    stop: Mutex<Option<Sender<()>>>,
}

impl Watcher {
    /// A watcher and the loop that watches an engine every `period` once [`Watcher::watch`] gives it one, for a
    /// thread to run (open's second thread). A loop that never runs (no thread to be had) leaves the engine working
    /// as before: other processes' changes are seen on `refresh()` (the foreground hook) and on the next write.
    pub fn pending(period: Duration) -> (Watcher, impl FnOnce() + Send + 'static) {
        let (tx, rx) = channel::<()>();
        let engine = Arc::new(OnceLock::<Weak<Engine>>::new());
        let watched = engine.clone();
        let watch_loop = move || loop {
            match rx.recv_timeout(period) {
                Err(RecvTimeoutError::Timeout) => {}
                // Stopped (the sender dropped: the last close, or an open that failed), or anything else sent: stop.
                Ok(_) | Err(RecvTimeoutError::Disconnected) => return,
            }
            // Not handed over yet: open is still finishing.
            let Some(weak) = watched.get() else { continue };
            let Some(engine) = weak.upgrade() else { return };
            match engine.refresh_if_changed() {
                Ok(_) => {}
                Err(CoreError::Closed) => return,
                Err(e) => log::warn!("checking the consent database for other processes' changes failed: {e}"),
            }
        };
        (Watcher { engine, stop: Mutex::new(Some(tx)) }, watch_loop)
    }

    /// Starts watching `engine` (the loop from [`Watcher::pending`]): the loop sees it at its next period's end.
    pub fn watch(&self, engine: &Arc<Engine>) {
        let _ = self.engine.set(Arc::downgrade(engine));
    }

    /// Stops the thread (it exits at once, or after the check it is running).
    pub fn stop(&self) {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}
