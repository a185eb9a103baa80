//! Collections: the frequency limits (counted in the database) and the batched access counters.

use super::*;

impl Engine {
    /// Records one collection: allowed only if the decision allows it, the recipient is declared for the purpose and
    /// the frequency limits leave room. Returns `Err(reason, retry_after_ms)` in the `Ok` value when denied.
    pub fn collect(&self, purpose: u32, data_type: u32, recipient: Option<u32>) -> CoreResult<Result<(), (Reason, Option<i64>)>> {
        let reason = self.decide_handles(purpose, data_type)?;
        if reason != Reason::Allowed {
            return Ok(Err((reason, None)));
        }
        let Some(slot) = self.recipient_slot(purpose, recipient) else {
            return Ok(Err((Reason::RecipientNotDeclared, None)));
        };
        let now = self.now_ms();
        let limits = if self.limits.is_empty() { Vec::new() } else { self.limits.on(purpose, data_type) };
        if !limits.is_empty() {
            // Counted in the database, so the limit holds across reopen, instances and processes.
            let (p, d) = (&self.index.purposes[purpose as usize].id, &self.index.data_types[data_type as usize]);
            if let Err(wait) = self.with_inner(|inner| inner.store.take_frequency(p, d, &limits, now))? {
                return Ok(Err((Reason::FrequencyLimited, Some(wait))));
            }
        }
        self.count_access(purpose, data_type, slot, 1, now);
        Ok(Ok(()))
    }

    pub(super) fn recipient_slot(&self, purpose: u32, recipient: Option<u32>) -> Option<u32> {
        match recipient {
            None => Some(0),
            Some(r) => self.index.purposes[purpose as usize].recipients.iter().position(|&x| x == r).map(|i| i as u32 + 1),
        }
    }

    pub(super) fn count_access(&self, purpose: u32, data_type: u32, slot: u32, count: u64, now: i64) {
        let (pending, rolled) = self.access.record(purpose, data_type, slot, count, now);
        if rolled || pending >= self.flush_every {
            // Counts stay in memory if the write fails; the next flush retries them.
            if let Err(e) = self.flush() {
                log::warn!("access log flush failed: {e}");
            }
        }
    }

    /// Adds `count` collections that a facade allowed from its decision mirror (no frequency limit applies).
    pub fn record_access(&self, purpose: u32, data_type: u32, recipient: Option<u32>, count: u64) -> CoreResult<()> {
        self.check_open()?;
        if purpose as usize >= self.index.purposes.len() || !self.access.has(purpose, data_type) {
            return Err(CoreError::InvalidArgument(format!("no access counter for handles ({purpose}, {data_type})")));
        }
        let slot = self
            .recipient_slot(purpose, recipient)
            .ok_or_else(|| CoreError::InvalidArgument("recipient not declared for this purpose".into()))?;
        self.count_access(purpose, data_type, slot, count, self.now_ms());
        Ok(())
    }

    /// Writes pending access counts.
    pub fn flush(&self) -> CoreResult<()> {
        self.with_inner(|inner| {
            let counts = self.access.drain(&self.index);
            inner.store.add_access(&counts).inspect_err(|_| self.access.restore(&self.index, &counts))
        })
    }
}
