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
        // From memory, or from the file's own rows (another process may have recorded the bracket after this engine
        // last caught up): a recovery never lowers a child's protection.
        let was_child = guard.as_ref().is_some_and(|i| i.state.age == AgeBracket::Under14);
        guard.take(); // closes the connection before the file moves
        let was_child = was_child || crate::store::records_child(&path);
        self.seen_data_version.store(i64::MIN, Ordering::Relaxed); // the next store is another connection
        let (state, event) = match Store::set_aside(&path, reason, self.now_ms(), key) {
            Ok((mut store, state, event)) => {
                // A recovery never lowers a child's protection: the under-14 bracket is carried to the fresh file.
                let state = keep_child_bracket(&self.index, self.now_ms(), &mut store, state, was_child);
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

    /// Follows a file that another process set aside: this engine's connection still points at the moved file, so
    /// its writes would land there and the live file's changes would never show (a withdrawal made in the other
    /// process, say). Reopens the path instead ([`Store::open`]: the fresh file, verified as at any open) and
    /// publishes its state; `Some((snapshot, recovery at that open))` when it did. Called under the store lock
    /// before every write and refresh (one `stat`).
    pub(super) fn follow_replaced_file(
        &self,
        guard: &mut MutexGuard<'_, Option<Inner>>,
    ) -> CoreResult<Option<(Arc<Snapshot>, Option<RecoveryEvent>)>> {
        let Some(inner) = guard.as_ref() else { return Ok(None) };
        if !inner.store.replaced() {
            return Ok(None);
        }
        let (path, key) = (inner.store.path().to_path_buf(), inner.store.key());
        let was_child = inner.state.age == AgeBracket::Under14;
        log::warn!("the consent database was moved aside by another process; reopening {}", path.display());
        let crate::store::OpenedStore { mut store, mut state, recovery, child_recorded } = Store::open(&path, self.now_ms(), key)?;
        state = keep_child_bracket(&self.index, self.now_ms(), &mut store, state, was_child || child_recorded);
        **guard = Some(Inner { store, state: state.clone() }); // the moved file's connection closes here
        self.seen_data_version.store(i64::MIN, Ordering::Relaxed);
        let snap = self.next_snapshot(&state);
        self.publish(snap.clone());
        if recovery.is_some() {
            *lock(&self.recovery) = recovery.clone();
        }
        Ok(Some((snap, recovery)))
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
        if let Some((snap, event)) = self.follow_replaced_file(&mut guard)? {
            drop(guard);
            self.announce_recovery(event.as_ref(), &snap);
            return Ok(());
        }
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
            if inner.store.replaced() {
                return Ok(true);
            }
            let version = inner.store.data_version()?;
            Ok(self.seen_data_version.swap(version, Ordering::Relaxed) != version)
        })?;
        if moved {
            self.refresh()?;
        }
        Ok(moved)
    }
}

/// After a recovery (the engine's own, one at open, or following a file another process set aside): when the user
/// was a child (`was_child`) and the fresh `state` no longer says so, records the under-14 bracket in the fresh
/// database — a recovery never lowers a child's protection. On failure the fresh state is served as it is and the
/// failure logged. A function of the index, not of an engine: open calls it before there is one.
pub(super) fn keep_child_bracket(index: &Index, now_ms: i64, store: &mut Store, state: ConsentState, was_child: bool) -> ConsentState {
    if !was_child || state.age == AgeBracket::Under14 {
        return state;
    }
    let event = super::writes::new_event(index, now_ms, EventKind::AgeSet, None, Actor::User, "recovery", AgeBracket::Under14.as_str());
    match store.append(&state, &[event], |_, _| {}) {
        Ok(Ok(next)) => next,
        other => {
            log::error!("the under-14 bracket could not be carried to the fresh database: {other:?}");
            state
        }
    }
}
