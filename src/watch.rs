//! The cross-process watcher of a shared engine: another process (an app extension, a widget, a second runtime)
//! writing to the same database file is seen within about a second, without the app calling anything.
//!
//! Once a second the thread reads the store's `PRAGMA data_version` ([`Engine::refresh_if_changed`]) and refreshes
//! only when another connection committed. It holds the engine by a weak reference, upgraded for one check at a
//! time, so it never keeps an engine alive; it stops when its [`Watcher`] is stopped or dropped (the last handle's
//! close), or when the engine is gone or closed.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::CoreError;

/// How often a shared engine checks for other processes' commits: the bound promised to apps (docs/reliability.md).
pub const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// Stops the watcher thread when stopped or dropped: it wakes at once instead of sleeping out its period.
pub struct Watcher {
    stop: Mutex<Option<Sender<()>>>,
}

impl Watcher {
    /// Starts watching `engine` every `period` on a thread of its own. When no thread can be had, the engine works
    /// as before and other processes' changes are seen on `refresh()` (the foreground hook) and on the next write.
    pub fn start(engine: &Arc<Engine>, period: Duration) -> Watcher {
        let (tx, rx) = channel::<()>();
        let weak = Arc::downgrade(engine);
        let spawned = std::thread::Builder::new().name("consentkit-watch".into()).spawn(move || loop {
            match rx.recv_timeout(period) {
                Err(RecvTimeoutError::Timeout) => {}
                // Stopped, or the watcher was dropped.
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            let Some(engine) = weak.upgrade() else { return };
            match engine.refresh_if_changed() {
                Ok(_) => {}
                Err(CoreError::Closed) => return,
                Err(e) => log::warn!("checking the consent database for other processes' changes failed: {e}"),
            }
        });
        match spawned {
            Ok(_) => Watcher { stop: Mutex::new(Some(tx)) },
            Err(e) => {
                log::warn!("no thread to watch the consent database for other processes' changes ({e}); refresh() still picks them up");
                Watcher { stop: Mutex::new(None) }
            }
        }
    }

    /// Stops the thread (it exits at once, or after the check it is running).
    pub fn stop(&self) {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}
