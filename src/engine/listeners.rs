//! Listeners: added, removed and told after each durable change (a panicking listener is contained).

use super::*;

impl Engine {
    /// Adds a listener; it immediately receives the recovery event (if any) and the current snapshot.
    pub fn add_listener(&self, listener: Arc<dyn Listener>) -> u64 {
        let id = self.next_listener.fetch_add(1, Ordering::Relaxed);
        if let Some(r) = self.recovery() {
            let _ = catch_unwind(AssertUnwindSafe(|| listener.on_recovery(&r)));
        }
        let snap = self.snapshot.load_full();
        let _ = catch_unwind(AssertUnwindSafe(|| listener.on_change(self, &snap)));
        lock(&self.listeners).push((id, listener));
        id
    }

    /// Removes a listener.
    pub fn remove_listener(&self, id: u64) {
        lock(&self.listeners).retain(|(i, _)| *i != id);
    }

    pub(super) fn listeners_now(&self) -> Vec<Arc<dyn Listener>> {
        lock(&self.listeners).iter().map(|(_, l)| l.clone()).collect()
    }

    pub(super) fn notify(&self, snap: &Snapshot) {
        for l in self.listeners_now() {
            if catch_unwind(AssertUnwindSafe(|| l.on_change(self, snap))).is_err() {
                log::warn!("a consent listener panicked; ignored");
            }
        }
    }
}
