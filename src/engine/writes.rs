//! Consent writes: who may do what (guardian rules, separate consent), the ledger events, and the one durable
//! write path (ledger first, then the snapshot, then listeners).

use super::*;

impl Engine {
    pub(super) fn check_source(source: &str) -> CoreResult<()> {
        if source.len() > MAX_SOURCE {
            return Err(CoreError::InvalidArgument(format!("source is longer than {MAX_SOURCE} bytes")));
        }
        Ok(())
    }

    pub(super) fn guardian_required(&self, actor: Actor) -> CoreResult<()> {
        if self.snapshot.load().guardian_only && actor != Actor::Guardian {
            return Err(CoreError::GuardianRequired { age: self.guardian_age() });
        }
        Ok(())
    }

    /// The guardian age to name in a `GuardianRequired` error (the pack's, else 14).
    pub(super) fn guardian_age(&self) -> u8 {
        self.index.pack.guardian_age.unwrap_or(14)
    }

    /// Appends events durably, in one transaction, then swaps the snapshot, then notifies. On error nothing changes.
    /// When the rows on disk turn out damaged (another writer's rows do not verify), the file is set aside first
    /// (ADR 0001) and the events are written to the fresh database, so the user's action is not lost. A grant made
    /// while the policy does not hold — judged on the state caught up with the file, not on this instance's
    /// snapshot — is recorded as made before agreement.
    pub(super) fn write(&self, events: Vec<NewEvent>) -> CoreResult<()> {
        self.check_open()?;
        let mut guard = lock(&self.inner);
        let mut recovered = None;
        if let Some((_, Some(event))) = self.follow_replaced_file(&mut guard)? {
            recovered = Some(Some(event));
        }
        let snapshot = loop {
            let Some(inner) = guard.as_mut() else { return Err(CoreError::Closed) };
            let index = &self.index;
            let stamp = |state: &ConsentState, e: &mut NewEvent| {
                if e.kind == EventKind::Granted && !crate::gate::policy_holds(index, state) {
                    e.detail = crate::store::BEFORE_POLICY.to_string();
                }
            };
            match inner.store.append(&inner.state, &events, stamp)? {
                Ok(state) => {
                    inner.state = state;
                    let snap = self.next_snapshot(&inner.state);
                    self.publish(snap.clone());
                    break snap;
                }
                Err(_) if recovered.is_some() => return Err(CoreError::Storage("the fresh database failed too".into())),
                Err(reason) => recovered = Some(self.recover_locked(&mut guard, reason).1),
            }
        };
        drop(guard);
        if let Some(event) = recovered {
            self.announce_recovery(event.as_ref(), &snapshot);
        } else {
            self.notify(&snapshot);
        }
        Ok(())
    }

    pub(super) fn event(&self, kind: EventKind, purpose: Option<u32>, actor: Actor, source: &str, detail: &str) -> NewEvent {
        new_event(&self.index, self.now_ms(), kind, purpose, actor, source, detail)
    }

    /// The user (or guardian, under the guardian age) agrees to the policy; `version` must be the manifest's.
    pub fn agree_to_policy(&self, version: &str, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        let current = &self.index.manifest.policy.version;
        if version != current {
            return Err(CoreError::InvalidArgument(format!(
                "policy version \"{}\" is not the current one (\"{current}\")",
                crate::error::clip(version)
            )));
        }
        self.guardian_required(actor)?;
        let mut event = self.event(EventKind::PolicyAgreed, None, actor, source, "");
        // What the agreement covers: a manifest whose necessary purposes differ makes it lapse.
        event.definition_hash = self.index.policy_coverage.clone();
        self.write(vec![event])
    }

    /// The guardian agrees to the app's children's personal-information rules (`version` must be the manifest's):
    /// a separate consent from the policy agreement, on which a child's necessary purposes ride.
    pub fn agree_to_children_rules(&self, version: &str, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        let Some(doc) = &self.index.manifest.children_rules else {
            return Err(CoreError::InvalidArgument("the manifest declares no children_rules".into()));
        };
        if version != doc.version {
            return Err(CoreError::InvalidArgument(format!(
                "children's rules version \"{}\" is not the current one (\"{}\")",
                crate::error::clip(version),
                doc.version
            )));
        }
        if actor != Actor::Guardian {
            return Err(CoreError::GuardianRequired { age: self.guardian_age() });
        }
        let mut event = self.event(EventKind::ChildrenRulesAgreed, None, actor, source, version);
        event.definition_hash = self.index.children_rules_coverage.clone().unwrap_or_default();
        self.write(vec![event])
    }

    /// The user declines the policy: the app runs in browse mode.
    pub fn decline_policy(&self, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        self.write(vec![self.event(EventKind::PolicyDeclined, None, actor, source, "")])
    }

    /// Grants purposes: one purpose on its own prompt (any purpose), or several at once — a bundle, in which no
    /// purpose may need separate consent (see [`Engine::grant_all`]). A grant made while the current policy is not
    /// agreed is recorded but counts only once confirmed after agreement.
    pub fn grant(&self, purposes: &[u32], actor: Actor, source: &str) -> CoreResult<()> {
        let how = if purposes.len() == 1 { Grant::One } else { Grant::Bundle };
        self.grant_as(purposes, how, actor, source)
    }

    /// Grants from one "agree to all" action: refused if any purpose in it needs separate consent, even a bundle
    /// of one — separate consent is asked on its own (PIPL Art. 23, 29, 39).
    pub fn grant_all(&self, purposes: &[u32], actor: Actor, source: &str) -> CoreResult<()> {
        self.grant_as(purposes, Grant::Bundle, actor, source)
    }

    pub(super) fn grant_as(&self, purposes: &[u32], how: Grant, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        if purposes.is_empty() {
            return Err(CoreError::InvalidArgument("no purpose to grant".into()));
        }
        for &p in purposes {
            self.purpose_info(p)?;
        }
        if how == Grant::Bundle {
            // A child's personal information is all sensitive (PIPL Art. 28): every purpose is a separate consent.
            let child = self.snapshot.load().guardian_only;
            let separate: Vec<String> = purposes
                .iter()
                .map(|&p| &self.index.purposes[p as usize])
                .filter(|p| child || !p.separate.is_empty())
                .map(|p| p.id.to_string())
                .collect();
            if !separate.is_empty() {
                return Err(CoreError::SeparateConsentRequired { purposes: separate });
            }
        }
        self.guardian_required(actor)?;
        // Whether the policy holds is decided in the write, on the state caught up with the file.
        self.write(purposes.iter().map(|&p| self.event(EventKind::Granted, Some(p), actor, source, "")).collect())
    }

    /// The user refuses a prompt for a purpose: it is not proposed again during the cooldown.
    pub fn refuse(&self, purpose: u32, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        self.purpose_info(purpose)?;
        self.write(vec![self.event(EventKind::Refused, Some(purpose), actor, source, "")])
    }

    /// Withdraws consent for a purpose; effective before this returns.
    pub fn withdraw(&self, purpose: u32, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        self.purpose_info(purpose)?;
        self.write(vec![self.event(EventKind::Withdrawn, Some(purpose), actor, source, "")])
    }

    /// Sets the user's age bracket. Moving a child away from under 14 lowers the protection: only the guardian
    /// may (PIPL Art. 31), whatever the rule pack.
    pub fn set_age_bracket(&self, age: AgeBracket, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        if self.snapshot.load().age == AgeBracket::Under14 && age != AgeBracket::Under14 && actor != Actor::Guardian {
            return Err(CoreError::GuardianRequired { age: self.guardian_age() });
        }
        self.write(vec![self.event(EventKind::AgeSet, None, actor, source, age.as_str())])
    }

    /// Erases consent state and the access log at the user's request (the ledger keeps the record of what was
    /// consented and of the erasure itself). A child's under-14 bracket survives the erasure: erasing never lowers
    /// the protection.
    pub fn erase_all(&self, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        self.write(vec![self.event(EventKind::Erased, None, actor, source, "")])?;
        self.access.drain(&self.index);
        self.with_inner(|inner| inner.store.clear_access())
    }
}

/// A ledger event at `at_ms` under the manifest of `index` (its policy version, the purpose's definition hash).
/// `purpose` must be in range (callers check it first).
pub(super) fn new_event(
    index: &Index,
    at_ms: i64,
    kind: EventKind,
    purpose: Option<u32>,
    actor: Actor,
    source: &str,
    detail: &str,
) -> NewEvent {
    NewEvent {
        at_ms,
        kind,
        purpose: purpose.map(|p| index.purposes[p as usize].id.to_string()).unwrap_or_default(),
        actor: actor.as_str().to_string(),
        source: source.to_string(),
        policy_version: index.manifest.policy.version.clone(),
        definition_hash: purpose.map(|p| index.purposes[p as usize].definition_hash.clone()).unwrap_or_default(),
        detail: detail.to_string(),
    }
}
