//! Answers from memory: publishing a snapshot, `decide`, `can_ask_now`, transfers, SDK starts and the next prompt.
//! Nothing here takes the store lock or does I/O.

use super::*;

impl Engine {
    /// The snapshot of `state` that follows the current one, with future stamps clamped.
    pub(super) fn next_snapshot(&self, state: &ConsentState) -> Arc<Snapshot> {
        let prev = self.snapshot.load();
        let mut snap = Snapshot::build(&self.index, state, &prev.os, prev.version + 1);
        snap.clamp_future(Some(&prev), self.now_ms());
        Arc::new(snap)
    }

    /// The decision for (purpose, data type) by handles: the reason code (0 = allowed). Reads the decision cells
    /// published together with the snapshot ([`crate::gate::cells`]), so it always agrees with `resolve` and the
    /// status of the same version.
    #[inline]
    pub fn decide_handles(&self, purpose: u32, data_type: u32) -> CoreResult<Reason> {
        // A data type in range and a cell at the index: the purpose is in range too (rows of `width` cells).
        if (data_type as usize) < self.width {
            if let Some(code) = self.cells.read(purpose as usize * self.width + data_type as usize) {
                return Ok(Reason::from_code(code).unwrap_or(Reason::NotDeclared));
            }
        }
        self.decide_slow(purpose, data_type)
    }

    /// [`Engine::decide_handles`] when the cells cannot answer: closed, a publish under way, or a handle out of range.
    #[cold]
    fn decide_slow(&self, purpose: u32, data_type: u32) -> CoreResult<Reason> {
        self.check_open()?;
        if purpose as usize >= self.purpose_count || data_type as usize >= self.width {
            return Err(CoreError::InvalidArgument(format!("handle out of range ({purpose}, {data_type})")));
        }
        let code = self.snapshot.load().code(purpose, data_type);
        Ok(Reason::from_code(code).unwrap_or(Reason::NotDeclared))
    }

    /// Publishes a new snapshot together with the decision cells ([`crate::gate::cells`]), after which every read
    /// answers from it. Called with `inner` locked (the only writer).
    pub(super) fn publish(&self, snap: Arc<Snapshot>) {
        let published = snap.clone();
        self.cells.publish(&published.table, || self.snapshot.store(snap));
    }

    /// The decision for (purpose, data type) by ids.
    pub fn decide(&self, purpose: &str, data_type: &str) -> CoreResult<Reason> {
        let p = self.index.handle(IdKind::Purpose, purpose)?;
        let d = self.index.handle(IdKind::DataType, data_type)?;
        self.decide_handles(p, d)
    }

    /// Whether asking now respects the cooldown for any purpose missing from the feature's next richer tier.
    /// Reads the clock only when a refusal or a declined policy makes the answer depend on time.
    pub fn can_ask_now(&self, snap: &Snapshot, feature: u32) -> bool {
        snap.can_ask(feature, self.index.pack.cooldown_ms(), || self.now_ms())
    }

    /// Whether data may be given to this third party now for this purpose: the purpose names it as a recipient
    /// and is allowed. Transfers are per purpose (PIPL Art. 23): a recipient serving a granted and a refused purpose
    /// receives data only for the granted one.
    pub fn may_transfer(&self, third_party: u32, purpose: u32) -> CoreResult<bool> {
        self.check_open()?;
        let info = self.purpose_info(purpose)?;
        Ok(info.recipients.contains(&third_party) && self.snapshot.load().allowed(purpose))
    }

    /// Whether the third-party SDK may be initialised now: the policy is agreed, and every purpose it serves (whose
    /// recipients include it) and every `init_requires` purpose is allowed — an SDK starts collecting when it
    /// initialises, so it may not start before the user agreed to everything it is there for.
    pub fn may_initialize(&self, third_party: u32) -> CoreResult<bool> {
        self.check_open()?;
        let served = self
            .index
            .served_by
            .get(third_party as usize)
            .ok_or_else(|| CoreError::InvalidArgument(format!("third-party handle {third_party} out of range")))?;
        let snap = self.snapshot.load();
        let tp = &self.index.manifest.third_parties[third_party as usize];
        let requires: CoreResult<Vec<u32>> = tp.init_requires.iter().map(|r| self.index.handle(IdKind::Purpose, r)).collect();
        Ok(snap.policy_agreed && requires?.iter().chain(served).all(|&p| snap.allowed(p)))
    }

    /// The next prompt the app should show for this trigger.
    pub fn next_prompt(&self, trigger: &Trigger) -> CoreResult<Option<Prompt>> {
        self.check_open()?;
        let in_range = match trigger {
            Trigger::AppStart => true,
            Trigger::Feature(f) => (*f as usize) < self.index.features.len(),
            Trigger::Settings(p) => (*p as usize) < self.index.purposes.len(),
        };
        if !in_range {
            return Err(CoreError::InvalidArgument(format!("trigger handle out of range: {trigger:?}")));
        }
        // From memory only: callable on a main thread.
        let snap = self.snapshot.load();
        Ok(next_prompt(&self.index, &snap, trigger, self.now_ms()))
    }
}
