//! The cross-process watcher of a shared engine: another process (an app extension, a widget, a second runtime)
//! writing to the same database file is seen within about a second, without the app calling anything.
//!
//! Once a second the thread reads the store's `PRAGMA data_version` ([`Engine::refresh_if_changed`]) and refreshes
//! only when another connection committed. It holds the engine by a weak reference, upgraded for one check at a
//! time, so it never keeps an engine alive; it stops when its [`Watcher`] is stopped or dropped (the last handle's
//! close), or when the engine is gone or closed.
//!
//! The thread is started before the engine exists, by open's second thread while the caller's thread reads the
//! store ([`Engine::open_checked_with`]): starting a thread costs tens of microseconds that an app start would
//! otherwise wait for. It waits for [`Watcher::watch`], and exits if the watcher is dropped first (an open that
//! failed).

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::CoreError;

/// How often a shared engine checks for other processes' commits: the bound promised to apps (docs/reliability.md).
pub const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// Stops the watcher thread when stopped or dropped: it wakes at once instead of sleeping out its period.
pub struct Watcher {
    /// Hands the engine to the waiting thread; dropping it stops the thread.
    to_thread: Mutex<Option<Sender<Weak<Engine>>>>,
}

impl Watcher {
    /// Starts the thread that will watch an engine every `period` once [`Watcher::watch`] gives it one. When no
    /// thread can be had, the engine works as before and other processes' changes are seen on `refresh()` (the
    /// foreground hook) and on the next write.
    pub fn spawn(period: Duration) -> Watcher {
        let (tx, rx) = channel::<Weak<Engine>>();
        let spawned = std::thread::Builder::new().name("consentkit-watch".into()).spawn(move || {
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
        });
        match spawned {
            Ok(_) => Watcher { to_thread: Mutex::new(Some(tx)) },
            Err(e) => {
                log::warn!("no thread to watch the consent database for other processes' changes ({e}); refresh() still picks them up");
                Watcher { to_thread: Mutex::new(None) }
            }
        }
    }

    /// Starts watching `engine` (the thread was started by [`Watcher::spawn`]).
    pub fn watch(&self, engine: &Arc<Engine>) {
        if let Some(tx) = self.to_thread.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            // A thread that is gone already has nothing to watch.
            let _ = tx.send(Arc::downgrade(engine));
        }
    }

    /// Stops the thread (it exits at once, or after the check it is running).
    pub fn stop(&self) {
        self.to_thread.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}
