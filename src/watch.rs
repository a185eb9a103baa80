//! The cross-process watcher of a shared engine: another process (an app extension, a widget, a second runtime)
//! writing to the same database file is seen within about a second, without the app calling anything.
//!
//! Once a second the thread reads the store's `PRAGMA data_version` ([`Engine::refresh_if_changed`]) and refreshes
//! only when another connection committed. It holds the engine by a weak reference, upgraded for one check at a
//! time, so it never keeps an engine alive; it stops when its [`Watcher`] is stopped or dropped (the last handle's
//! close), or when the engine is gone or closed.
//!
//! The watcher runs on open's second thread ([`Engine::open_checked_with`]): once that thread has compiled the
//! manifest (or found the caller did), it goes on waiting for [`Watcher::watch`] to give it the engine, so an open
//! starts one thread, not two, and the watcher's start costs the app start nothing. If the watcher is dropped first
//! (an open that failed), the loop ends.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::CoreError;

/// How often a shared engine checks for other processes' commits: the bound promised to apps (docs/reliability.md).
pub const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// The name of open's second thread when it goes on as a shared engine's watcher.
pub const WATCH_THREAD: &str = "consentkit-watch";

/// Stops the watcher thread when stopped or dropped: it wakes at once instead of sleeping out its period.
pub struct Watcher {
    /// Hands the engine to the waiting loop; dropping it ends the loop.
    to_thread: Mutex<Option<Sender<Weak<Engine>>>>,
}

impl Watcher {
    /// A watcher and the loop that watches an engine every `period` once [`Watcher::watch`] gives it one, for a
    /// thread to run (open's second thread). A loop that never runs (no thread to be had) leaves the engine working
    /// as before: other processes' changes are seen on `refresh()` (the foreground hook) and on the next write.
    pub fn pending(period: Duration) -> (Watcher, impl FnOnce() + Send + 'static) {
        let (tx, rx) = channel::<Weak<Engine>>();
        let watch_loop = move || {
            // The engine, or nothing when the open failed.
            let Ok(weak) = rx.recv() else { return };
            loop {
                match rx.recv_timeout(period) {
                    Err(RecvTimeoutError::Timeout) => {}
                    // Stopped (the sender dropped), or anything else sent: stop.
                    Ok(_) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let Some(engine) = weak.upgrade() else { return };
                match engine.refresh_if_changed() {
                    Ok(_) => {}
                    Err(CoreError::Closed) => return,
                    Err(e) => log::warn!("checking the consent database for other processes' changes failed: {e}"),
                }
            }
        };
        (Watcher { to_thread: Mutex::new(Some(tx)) }, watch_loop)
    }

    /// Starts watching `engine` (the loop from [`Watcher::pending`]).
    pub fn watch(&self, engine: &Arc<Engine>) {
        if let Some(tx) = self.to_thread.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            // A loop that is gone (or never ran) has nothing to watch.
            let _ = tx.send(Arc::downgrade(engine));
        }
    }

    /// Stops the thread (it exits at once, or after the check it is running).
    pub fn stop(&self) {
        self.to_thread.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}
