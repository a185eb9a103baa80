//! The UniFFI surface: a thin `ConsentKit` object over the engine, records, enums and one error enum. Each method
//! is a short delegation; domain logic lives in the plain-Rust modules.

mod device_key;
mod guard;
mod ids;
mod error;
mod frameworks;
mod logger;
mod observer;
mod receipts;
mod permissions;
mod types;

use std::path::Path;
use std::sync::Arc;

pub use device_key::{DeviceKeyError, DeviceKeyStore};
#[cfg(feature = "test-hooks")]
pub use guard::arm_test_panic;
pub use error::{ConsentError, DiagnosticSeverity, ManifestDiagnostic};
pub use frameworks::*;
pub use logger::{set_logger, ForeignLogger, LogLevel};
pub use observer::{ConsentObserver, ObserverError};
pub use receipts::{ReceiptBatch, ReceiptKeyStore};
pub use permissions::{os_permission_table, AndroidPermissionInfo, OsPermissionInfo, PermissionRequest, PermissionState};
pub use types::*;

use crate::clock::{Clock, ManualClock, SystemClock};
use crate::engine::{Engine, EngineOptions};
use device_key::DeviceKeyBridge;
use crate::gate::{IdKind, Reason, Snapshot};
use crate::prompt::Trigger;

/// Decision code returned by the handle-based calls for a handle out of range.
pub const CODE_INVALID_HANDLE: u8 = 250;
/// Decision code returned by the handle-based calls after `close()`.
pub const CODE_CLOSED: u8 = 251;
/// `decide_code`: the core failed internally (a bug, caught at the boundary); treat as denied and report it.
pub const CODE_INTERNAL: u8 = 252;

/// One open consent database for one manifest. Thread-safe: share one instance across the app. Every instance
/// opened on one file in a process is a handle on the same engine ([`crate::shared`]).
#[derive(uniffi::Object)]
pub struct ConsentKit {
    engine: crate::shared::Handle,
}

type Res<T> = Result<T, ConsentError>;

pub(crate) fn status_of(engine: &Engine, snap: &Snapshot) -> ConsentStatus {
    let index = engine.index();
    ConsentStatus {
        version: snap.version,
        policy_agreed: snap.policy_agreed,
        policy_version: index.manifest.policy.version.clone(),
        age: snap.age.into(),
        purposes: index
            .purposes
            .iter()
            .enumerate()
            .map(|(i, p)| PurposeStatus {
                id: p.id.to_string(),
                allowed: snap.purpose_reason[i] == Reason::Allowed,
                reason: DenyReason::from_reason(snap.purpose_reason[i]),
                separate_consent: !p.separate.is_empty(),
                needs_opt_in: p.needs_opt_in,
            })
            .collect(),
        features: (0..index.features.len() as u32).map(|f| resolved(engine, snap, f)).collect(),
        recovery: engine.recovery().as_ref().map(Into::into),
        decisions: decision_table(engine, snap),
    }
}

pub(crate) fn decision_table(engine: &Engine, snap: &Snapshot) -> DecisionTable {
    let m = crate::gate::DecisionMirror::build(engine.index(), snap, engine.now_ms());
    DecisionTable {
        format: 1,
        version: m.version,
        width: m.width,
        codes: m.codes,
        limited: m.limited,
        feature_tier: m.feature_tier,
        feature_missing: m.feature_missing,
        feature_can_ask: m.feature_can_ask,
        next_change_ms: m.next_change_ms,
    }
}

/// The feature's resolution in `snap` as the FFI record. Copies no string: the ids are the index's
/// [`crate::gate::ManifestId`]s and the missing purposes the snapshot's shared list (bench `resolve_5_tiers`).
fn resolved(engine: &Engine, snap: &Snapshot, f: u32) -> ResolvedTier {
    let feature = &engine.index().features[f as usize];
    let r = &snap.resolutions[f as usize];
    ResolvedTier {
        feature: feature.id.clone(),
        tier: r.tier.map(|t| feature.tiers[t as usize].id.clone()),
        tier_index: r.tier.map(u32::from),
        is_basic: r.tier.is_some_and(|t| t as usize + 1 == feature.tiers.len()),
        missing_purposes: r.missing_ids.clone(),
        can_ask_now: !r.missing.is_empty() && engine.can_ask_now(snap, f),
    }
}

impl ConsentKit {
    fn open_with(
        db_path: String,
        manifest_json: String,
        options: OpenOptions,
        device_key: Option<Arc<dyn crate::integrity::DeviceKey>>,
    ) -> Res<Arc<Self>> {
        let clock: Arc<dyn Clock> = match options.manual_clock_start_ms {
            Some(start) => Arc::new(ManualClock::new(start)),
            None => Arc::new(SystemClock),
        };
        let path = Path::new(&db_path);
        let device_key = device_key.unwrap_or_else(|| {
            let dir = options.integrity_dir.as_deref().map(Path::new);
            Arc::new(crate::integrity::KeyFile::for_database(path, dir))
        });
        let flush_every = u64::from(options.access_flush_every.unwrap_or(4096));
        let opts = EngineOptions { clock, flush_every, device_key: Some(device_key) };
        let engine = crate::shared::open(path, manifest_json.as_bytes(), opts, &format!("{options:?}"))?;
        Ok(Arc::new(ConsentKit { engine }))
    }
}

#[uniffi::export]
impl ConsentKit {
    /// Opens (or creates) the consent database at `db_path` for the app's manifest (JSON text). A manifest with
    /// lint errors is refused with every diagnostic. A damaged or tampered database is set aside (never deleted)
    /// and a fresh one started on the safe default; `status().recovery` and observers say so.
    ///
    /// One engine per file per process: opening a file that is already open returns a new handle on the same engine
    /// (each handle sees the others' writes at once); another manifest or other options for an open file are
    /// refused with `InvalidArgument`. Changes written by another process are picked up within about a second.
    ///
    /// The database is authenticated with a key file and a head file in `options.integrity_dir` (default: the
    /// database's directory — keep it out of backups); apps pass their platform key store with `open_with_key`.
    #[uniffi::constructor]
    pub fn open(db_path: String, manifest_json: String, options: OpenOptions) -> Res<Arc<Self>> {
        guard::guard(|| {
            Self::open_with(db_path, manifest_json, options, None)
        })
    }

    /// [`ConsentKit::open`] with the platform's key store (Android Keystore, iOS Keychain) authenticating the
    /// database instead of a key file (docs/adr/0007-keyed-integrity.md).
    #[uniffi::constructor]
    pub fn open_with_key(
        db_path: String,
        manifest_json: String,
        options: OpenOptions,
        device_key: Arc<dyn DeviceKeyStore>,
    ) -> Res<Arc<Self>> {
        guard::guard(|| {
            Self::open_with(db_path, manifest_json, options, Some(Arc::new(DeviceKeyBridge(device_key))))
        })
    }

    /// The whole consent state: policy, age, every purpose and every feature's tier.
    pub fn status(&self) -> Res<ConsentStatus> {
        guard::guard(|| {
            self.engine.check_open()?;
            Ok(status_of(&self.engine, &self.engine.snapshot()))
        })
    }

    /// The user agrees to the privacy policy `version` (must be the manifest's). Under the guardian age, the
    /// actor must be the guardian. Durable before it returns.
    pub fn agree_to_policy(&self, version: String, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.agree_to_policy(&version, actor.into(), &source)?)
        })
    }

    /// The user declines the privacy policy: the app runs in browse mode; not asked again during the cooldown.
    pub fn decline_policy(&self, source: String) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.decline_policy(crate::engine::Actor::User, &source)?)
        })
    }

    /// May `data_type` be collected for `purpose` now? Reads the in-memory snapshot: no lock, no I/O.
    pub fn decide(&self, purpose: String, data_type: String) -> Res<Decision> {
        guard::guard(|| {
            Ok(self.engine.decide(&purpose, &data_type)?.into())
        })
    }

    /// The handle of an id (stable for a given manifest; also generated as constants by `consentkit codegen`).
    pub fn handle(&self, kind: HandleKind, id: String) -> Res<u32> {
        guard::guard(|| {
            Ok(self.engine.handle(kind.into(), &id)?)
        })
    }

    /// The ids behind every handle (fixed for this instance): facades build their lookup maps from it once.
    pub fn handles(&self) -> Res<HandleTable> {
        guard::guard(|| {
            let index = self.engine.index();
            Ok(HandleTable {
                purposes: index.purposes.iter().map(|p| p.id.to_string()).collect(),
                data_types: index.data_types.clone(),
                features: index.features.iter().map(|f| f.id.to_string()).collect(),
                tiers: index.features.iter().map(|f| f.tiers.iter().map(|t| t.id.to_string()).collect()).collect(),
                third_parties: index.third_parties.clone(),
            })
        })
    }

    /// The current decision mirror (also pushed to observers inside `ConsentStatus`). Call again at
    /// `next_change_ms`, when a cooldown ends.
    pub fn decision_table(&self) -> Res<DecisionTable> {
        guard::guard(|| {
            self.engine.check_open()?;
            Ok(decision_table(&self.engine, &self.engine.snapshot()))
        })
    }

    /// Collects by handles (the hot path for frequency-limited data types): returns the decision code in the low
    /// 8 bits (0 = allowed and counted; 8 = frequency limited; 9 = recipient not declared; others as
    /// `decide_code`) and, for a frequency limit, the ms to wait in the upper bits (`code | wait_ms << 8`).
    /// `recipient` is a third-party handle or `u32::MAX` for the app itself. A handle out of range is
    /// `InvalidArgument`, a closed instance `Closed` (typed errors, like every call that does more than read).
    pub fn collect_code(&self, purpose: u32, data_type: u32, recipient: u32) -> Res<u64> {
        guard::guard(|| {
            let r = (recipient != u32::MAX).then_some(recipient);
            if r.is_some_and(|r| r as usize >= self.engine.index().third_parties.len()) {
                return Err(ConsentError::InvalidArgument { detail: format!("third-party handle {recipient} out of range") });
            }
            Ok(match self.engine.collect(purpose, data_type, r)? {
                Ok(()) => 0,
                Err((reason, wait)) => u64::from(reason as u8) | (wait.unwrap_or(0).max(0) as u64) << 8,
            })
        })
    }

    /// Adds access counts collected by a facade without crossing the boundary per event (data types without a
    /// frequency limit, whose decision the facade read from its mirror). `counts` are
    /// `(purpose, data_type, recipient or u32::MAX)` handle triples, each with how many collections.
    pub fn record_access(&self, entries: Vec<AccessEntry>) -> Res<()> {
        guard::guard(|| {
            self.engine.check_open()?;
            for e in &entries {
                let r = (e.recipient != u32::MAX).then_some(e.recipient);
                self.engine.record_access(e.purpose, e.data_type, r, e.count)?;
            }
            Ok(())
        })
    }

    /// The full verification of the database, as an explicit maintenance call (open does not need it: it trusts
    /// the authenticated checkpoint): `quick_check`, every ledger row, the head's MAC, the head kept outside the
    /// file. Damage found sets the file aside like damage at open. Blocks for tens of ms on large ledgers: call it
    /// off the main thread, e.g. from a periodic background job.
    pub fn verify_integrity(&self) -> Res<IntegrityCheck> {
        guard::guard(|| {
            Ok(self.engine.verify_integrity()?.into())
        })
    }

    /// `decide` by handles, for the per-event hot path: returns a scalar code (0 allowed, 1 policy not agreed,
    /// 2 not granted, 3 refused, 4 withdrawn, 5 lapsed, 6 guardian required, 7 not declared; 250 invalid handle,
    /// 251 closed).
    pub fn decide_code(&self, purpose: u32, data_type: u32) -> u8 {
        guard::guard_scalar(CODE_INTERNAL, || match self.engine.decide_handles(purpose, data_type) {
            Ok(r) => r as u8,
            Err(crate::CoreError::Closed) => CODE_CLOSED,
            Err(_) => CODE_INVALID_HANDLE,
        })
    }

    /// The richest tier of `feature` the app may offer now, what is missing for the next richer tier, and
    /// whether it may ask for it now.
    pub fn resolve(&self, feature: &str) -> Res<ResolvedTier> {
        guard::guard(|| {
            let f = self.engine.handle(IdKind::Feature, feature)?;
            self.engine.check_open()?;
            Ok(resolved(&self.engine, &self.engine.snapshot(), f))
        })
    }

    /// Collects `data_type` for `purpose` (and for `recipient`, a third-party id, when it is shared): allowed only
    /// when the decision allows it, the recipient is declared for the purpose and the frequency limits leave room.
    /// Counted in the access log.
    pub fn collect(&self, purpose: String, data_type: String, recipient: Option<String>) -> Res<CollectOutcome> {
        guard::guard(|| {
            let p = self.engine.handle(IdKind::Purpose, &purpose)?;
            let d = self.engine.handle(IdKind::DataType, &data_type)?;
            let r = recipient.map(|r| self.engine.handle(IdKind::ThirdParty, &r)).transpose()?;
            Ok(match self.engine.collect(p, d, r)? {
                Ok(()) => CollectOutcome::Allowed,
                Err((reason, retry_after_ms)) => CollectOutcome::Denied {
                    reason: DenyReason::from_reason(reason).unwrap_or(DenyReason::NotDeclared),
                    retry_after_ms,
                },
            })
        })
    }

    /// May data be given to this third party now for this purpose (the purpose names it as a recipient and is
    /// allowed)? Transfers are per purpose: a recipient serving a granted and a refused purpose gets data only for
    /// the granted one.
    pub fn may_transfer(&self, recipient: String, purpose: String) -> Res<bool> {
        guard::guard(|| {
            let t = self.engine.handle(IdKind::ThirdParty, &recipient)?;
            let p = self.engine.handle(IdKind::Purpose, &purpose)?;
            Ok(self.engine.may_transfer(t, p)?)
        })
    }

    /// May this third-party SDK be initialised now (policy agreed, and every purpose it serves and every
    /// `init_requires` purpose allowed)?
    pub fn may_initialize(&self, third_party: String) -> Res<bool> {
        guard::guard(|| {
            let t = self.engine.handle(IdKind::ThirdParty, &third_party)?;
            Ok(self.engine.may_initialize(t)?)
        })
    }

    /// Grants one purpose. Durable before it returns; observers are told.
    pub fn grant(&self, purpose: String, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            let p = self.engine.handle(IdKind::Purpose, &purpose)?;
            Ok(self.engine.grant(&[p], actor.into(), &source)?)
        })
    }

    /// Grants purposes from one "agree to all" action; refused with `SeparateConsentRequired` if any of them needs
    /// separate consent — even a list of one: a separate consent is asked and granted on its own, with `grant`. For a
    /// child under 14 every purpose is a separate consent, so it is always refused.
    pub fn grant_all(&self, purposes: Vec<String>, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            let handles = purposes.iter().map(|p| self.engine.handle(IdKind::Purpose, p)).collect::<Result<Vec<_>, _>>()?;
            Ok(self.engine.grant_all(&handles, actor.into(), &source)?)
        })
    }

    /// The guardian agrees to the app's children's personal-information rules (`version` from the prompt's
    /// `childrenRules`): the separate consent a child's necessary processing rides on. `GuardianRequired` for any
    /// other actor; `InvalidArgument` for another version or a manifest without children's rules.
    pub fn agree_to_children_rules(&self, version: String, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.agree_to_children_rules(&version, actor.into(), &source)?)
        })
    }

    /// The user refused a prompt for `purpose`: not proposed again during the rule pack's cooldown (48 h in cn-2021).
    pub fn refuse(&self, purpose: String, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            let p = self.engine.handle(IdKind::Purpose, &purpose)?;
            Ok(self.engine.refuse(p, actor.into(), &source)?)
        })
    }

    /// Withdraws consent for `purpose`: one call, effective before it returns.
    pub fn withdraw(&self, purpose: String, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            let p = self.engine.handle(IdKind::Purpose, &purpose)?;
            Ok(self.engine.withdraw(p, actor.into(), &source)?)
        })
    }

    /// Sets the user's age bracket (under 14: only a guardian's consent counts; only the guardian may move a child
    /// out of under 14).
    pub fn set_age_bracket(&self, bracket: AgeBracket, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.set_age_bracket(bracket.into(), actor.into(), &source)?)
        })
    }

    /// What to ask next for this trigger, or `None` when nothing should be asked now.
    pub fn next_prompt(&self, trigger: PromptTrigger) -> Res<Option<Prompt>> {
        guard::guard(|| {
            let t = match trigger {
                PromptTrigger::AppStart => Trigger::AppStart,
                PromptTrigger::Feature { feature } => Trigger::Feature(self.engine.handle(IdKind::Feature, &feature)?),
                PromptTrigger::Settings { purpose } => Trigger::Settings(self.engine.handle(IdKind::Purpose, &purpose)?),
            };
            Ok(self.engine.next_prompt(&t)?.as_ref().map(Into::into))
        })
    }

    /// The app filing number and the MIIT filing-system link to display, if the manifest has one.
    pub fn filing(&self) -> Res<Option<Filing>> {
        guard::guard(|| {
            let index = self.engine.index();
            Ok(crate::report::filing(&index.manifest, index.pack).map(|f| Filing { number: f.number, url: f.url }))
        })
    }

    /// The personal-information collection list and the third-party sharing list, with the real counts and last
    /// collection times of the access log (pending counts are flushed first), as JSON for the app's transparency
    /// screen (the same document `consentkit lists --format json` prints).
    pub fn transparency_lists_json(&self) -> Res<String> {
        guard::guard(|| {
            Ok(serde_json::to_string(&self.lists()?).unwrap_or_default())
        })
    }

    /// The consent receipts (ISO/IEC TS 27560-style), one per consent given, with the ledger's verification, as JSON.
    pub fn receipts_json(&self) -> Res<String> {
        guard::guard(|| {
            let (receipts, _) = self.receipts_and_ledger()?;
            Ok(serde_json::to_string(&receipts).unwrap_or_default())
        })
    }

    /// Everything ConsentKit holds about the user (PIPL Art. 45 access and copy): current state, every ledger
    /// event, the receipts and the collection/sharing lists with counts, as one JSON document.
    pub fn export_all_json(&self) -> Res<String> {
        guard::guard(|| {
            let lists = self.lists()?;
            let (receipts, ledger) = self.receipts_and_ledger()?;
            let state = self.engine.with_store(|_, state| Ok(state.clone()))?;
            let doc = serde_json::json!({
                "schema": "consentkit/export/v1",
                "state": state,
                "ledger": ledger,
                "receipts": receipts,
                "lists": lists,
            });
            Ok(doc.to_string())
        })
    }

    /// Registers an observer; it is called at once with the recovery event (if any) and the current state, then
    /// after every change. Returns an id for `remove_observer`.
    pub fn add_observer(&self, observer: Arc<dyn ConsentObserver>) -> Res<u64> {
        guard::guard(|| {
            Ok(self.engine.add_listener(Arc::new(observer::ObserverBridge(observer))))
        })
    }

    /// Unregisters an observer.
    pub fn remove_observer(&self, id: u64) -> Res<()> {
        guard::guard(|| {
            self.engine.remove_listener(id);
            Ok(())
        })
    }

    /// Writes pending access-log counts now.
    pub fn flush(&self) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.flush()?)
        })
    }

    /// Picks up consent changes written by another process on the same database now. Apps call it when they come to
    /// the foreground; otherwise such changes are picked up within about a second.
    pub fn refresh(&self) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.refresh()?)
        })
    }

    /// Erases consent state and the access log at the user's request; the ledger keeps the record.
    pub fn erase_all(&self, actor: Actor, source: String) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.erase_all(actor.into(), &source)?)
        })
    }

    /// Moves a manual clock forward (instances opened with `manual_clock_start_ms` only).
    pub fn advance_clock(&self, ms: i64) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.advance_clock(ms)?)
        })
    }

    /// The current time as the core reads it, in UTC milliseconds since the Unix epoch: with `manual_clock_start_ms`
    /// the manual clock's reading (the start plus every `advance_clock`), so a demo or test can show and check the
    /// time its cooldowns and frequency windows are measured against; otherwise the device's time as the engine
    /// sees it (the wall clock read at open, moved on by the monotonic clock).
    pub fn now_ms(&self) -> Res<i64> {
        guard::guard(|| {
            self.engine.check_open()?;
            Ok(self.engine.now_ms())
        })
    }

    /// Closes this instance: every later call on it fails with `Closed` and its observers are removed. Other
    /// instances on the same file keep working; the last one's close flushes and closes the database.
    pub fn close(&self) -> Res<()> {
        guard::guard(|| {
            Ok(self.engine.close()?)
        })
    }
}

impl ConsentKit {
    /// The collection and sharing lists with the access log's counts (pending counts flushed first).
    fn lists(&self) -> Res<crate::report::lists::Lists> {
        self.engine.flush()?;
        let index = self.engine.index();
        Ok(self.engine.with_store(|store, _| {
            let totals = store.access_totals()?;
            let db = store.path().display().to_string();
            Ok(crate::report::lists::Lists::build(&index.manifest, index.pack, Some((db.as_str(), totals.as_slice()))))
        })?)
    }

    /// The receipts and the ledger rows they were built from (one read of the ledger).
    fn receipts_and_ledger(&self) -> Res<(crate::report::receipts::Receipts, Vec<crate::store::LedgerRow>)> {
        let index = self.engine.index();
        Ok(self.engine.with_store(|store, _| {
            let chain = store.verify_chain(|_| {})?;
            let rows = store.rows_after(0)?;
            let db = store.path().display().to_string();
            let receipts = crate::report::receipts::receipts(&db, &rows, &chain, Some((&index.manifest, index.pack)));
            Ok((receipts, rows))
        })?)
    }

    /// The engine (for the CLI and Rust tests).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// Lints a manifest without opening anything: every diagnostic (errors and warnings), or a parse error.
#[uniffi::export]
pub fn lint_manifest(manifest_json: String) -> Res<Vec<ManifestDiagnostic>> {
    guard::guard(|| {
        let m = crate::manifest::parse_manifest(manifest_json.as_bytes()).map_err(crate::CoreError::from)?;
        Ok(crate::rules::lint(&m).iter().map(Into::into).collect())
    })
}

/// The core's version.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
