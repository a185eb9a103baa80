//! Damage and other writers: the explicit full verification, setting a damaged file aside (ADR 0001) and telling
//! listeners, and picking up what other processes wrote (`refresh`, `refresh_if_changed`).

use super::*;

impl Engine {
    /// The full verification, as an explicit maintenance call (open does not need it): `quick_check`, the whole
    /// chain, the head's MAC and the head kept outside the file. Damage found is handled like damage at open: the
    /// file is set aside, the safe default served, listeners told. Runs on the caller's thread: call it off the main
    /// thread (a 10,000-row ledger takes tens of ms).
    pub fn verify_integrity(&self) -> CoreResult<IntegrityCheck> {
        self.check_open()?;
        let started = std::time::Instant::now();
        let mut guard = lock(&self.inner);
        let Some(inner) = guard.as_ref() else { return Err(CoreError::Closed) };
        match inner.store.verify_all()? {
            Ok(rows) => Ok(IntegrityCheck::Passed { rows, took_ms: started.elapsed().as_secs_f64() * 1e3 }),
            Err(reason) => {
                let (snap, event) = self.recover_locked(&mut guard, reason);
                drop(guard);
                self.announce_recovery(event.as_ref(), &snap);
                Ok(IntegrityCheck::Recovered)
            }
        }
    }

    /// Damage found (by the maintenance verification, or in rows another writer added): sets the file aside and switches to a fresh
    /// database on the safe default (ADR 0001), under the store lock, and publishes that state. The event is `None`
    /// when no fresh database could be had: then the safe default is served and writes fail with `Closed`.
    pub(super) fn recover_locked(&self, guard: &mut MutexGuard<'_, Option<Inner>>, reason: RecoveryReason) -> (Arc<Snapshot>, Option<RecoveryEvent>) {
        let path = guard.as_ref().map(|i| i.store.path().to_path_buf()).unwrap_or_default();
        let key = match guard.as_ref() {
            Some(inner) => inner.store.key(),
            None => return (self.snapshot.load_full(), None),
        };
        let was_child = guard.as_ref().is_some_and(|i| i.state.age == AgeBracket::Under14);
        guard.take(); // closes the connection before the file moves
        self.seen_data_version.store(i64::MIN, Ordering::Relaxed); // the next store is another connection
        let (state, event) = match Store::set_aside(&path, reason, self.now_ms(), key) {
            Ok((mut store, state, event)) => {
                // A recovery never lowers a child's protection: the under-14 bracket is carried to the fresh file.
                let state = if was_child { self.carry_child_bracket(&mut store, state) } else { state };
                **guard = Some(Inner { store, state: state.clone() });
                (state, Some(event))
            }
            Err(e) => {
                log::error!("damaged consent database could not be set aside: {e}");
                (ConsentState::default(), None)
            }
        };
        let snap = self.next_snapshot(&state);
        self.publish(snap.clone());
        *lock(&self.recovery) = event.clone();
        (snap, event)
    }

    /// Records the under-14 bracket in a fresh database (after a recovery); on failure the fresh state is served
    /// as it is and the failure logged.
    pub(super) fn carry_child_bracket(&self, store: &mut Store, state: ConsentState) -> ConsentState {
        let event = self.event(EventKind::AgeSet, None, Actor::User, "recovery", AgeBracket::Under14.as_str());
        match store.append(&state, &[event], |_, _| {}) {
            Ok(Ok(next)) => next,
            other => {
                log::error!("the under-14 bracket could not be carried to the fresh database: {other:?}");
                state
            }
        }
    }

    /// Tells listeners about a recovery (if there was one) and the state it left; called without the store lock.
    pub(super) fn announce_recovery(&self, event: Option<&RecoveryEvent>, snap: &Snapshot) {
        if let Some(event) = event {
            for l in self.listeners_now() {
                if catch_unwind(AssertUnwindSafe(|| l.on_recovery(event))).is_err() {
                    log::warn!("a consent listener panicked; ignored");
                }
            }
        }
        self.notify(snap);
    }

    /// Picks up changes written by another process on the same file.
    pub fn refresh(&self) -> CoreResult<()> {
        self.check_open()?;
        let mut guard = lock(&self.inner);
        let Some(inner) = guard.as_mut() else { return Err(CoreError::Closed) };
        match inner.store.refresh(&inner.state)? {
            Ok(state) if state == inner.state => Ok(()),
            Ok(state) => {
                inner.state = state;
                let snap = self.next_snapshot(&inner.state);
                self.publish(snap.clone());
                drop(guard);
                self.notify(&snap);
                Ok(())
            }
            Err(reason) => {
                let (snap, event) = self.recover_locked(&mut guard, reason);
                drop(guard);
                self.announce_recovery(event.as_ref(), &snap);
                Ok(())
            }
        }
    }

    /// [`Engine::refresh`], but only when the file changed since the last check (its `PRAGMA data_version` moved:
    /// another connection committed). An unchanged file costs one pragma, so this can be polled: the watcher of a
    /// shared engine calls it every second ([`crate::shared`]). Returns whether it refreshed.
    pub fn refresh_if_changed(&self) -> CoreResult<bool> {
        self.check_open()?;
        let moved = self.with_inner(|inner| {
            let version = inner.store.data_version()?;
            Ok(self.seen_data_version.swap(version, Ordering::Relaxed) != version)
        })?;
        if moved {
            self.refresh()?;
        }
        Ok(moved)
    }
}
