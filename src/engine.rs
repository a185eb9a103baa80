//! The engine: one open consent database, one manifest, the current snapshot. Writes go to SQLite first, then the
//! snapshot is swapped, then listeners are told. Reads take no lock and do no I/O.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use crate::clock::{Clock, EngineTime};
use crate::error::{CoreError, CoreResult};
use crate::gate::{AccessBuffer, FrequencyLimits, IdKind, Index, Reason, Snapshot};
use crate::manifest::Manifest;
use crate::valid::ValidManifest;
use crate::prompt::{next_prompt, Prompt, Trigger};
use crate::store::{AgeBracket, ConsentState, EventKind, NewEvent, OpenedStore, RecoveryEvent, RecoveryReason, Store};

/// How a maintenance verification ([`Engine::verify_integrity`]) ended.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegrityCheck {
    /// Everything verified.
    Passed {
        /// Ledger rows verified.
        rows: u64,
        /// How long it took, ms.
        took_ms: f64,
    },
    /// Damage was found: the file was set aside and a fresh database started on the safe default (listeners were
    /// told, [`Engine::recovery`] says why).
    Recovered,
}

/// How a grant was given: decides whether separate-consent purposes may be in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// One purpose, granted on its own prompt.
    One,
    /// An "agree to all" bundle (even of one purpose): no separate-consent purpose may be in it.
    Bundle,
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The user.
    User,
    /// The user's parent or guardian.
    Guardian,
}

impl Actor {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::User => "user",
            Actor::Guardian => "guardian",
        }
    }
}

/// Notified after every state change and on recovery. Implementations must be quick; failures are ignored.
pub trait Listener: Send + Sync {
    /// The snapshot changed (after the write is durable).
    fn on_change(&self, engine: &Engine, snapshot: &Snapshot);
    /// The database was recovered at open.
    fn on_recovery(&self, event: &RecoveryEvent);
}

/// Options for opening.
pub struct EngineOptions {
    /// The clock (system clock in production).
    pub clock: Arc<dyn Clock>,
    /// Access-log batch size: counts are written after this many collections.
    pub flush_every: u64,
    /// The device key that authenticates the database (docs/adr/0007); `None`: a key file next to the database
    /// ([`crate::integrity::KeyFile`]).
    pub device_key: Option<Arc<dyn crate::integrity::DeviceKey>>,
}

struct Inner {
    store: Store,
    state: ConsentState,
}

/// An open ConsentKit instance.
pub struct Engine {
    index: Arc<Index>,
    clock: Arc<dyn Clock>,
    /// This instance's time line: wall clock at open, moved on by the monotonic clock (docs/rules.md, "Time").
    time: EngineTime,
    inner: Mutex<Option<Inner>>,
    /// Everything a read answers from, decisions and resolutions alike, published in one atomic swap: `decide` and
    /// `resolve` never disagree, because no decision is kept anywhere else.
    snapshot: ArcSwap<Snapshot>,
    /// Row width of the snapshot's decision table (number of data types) and number of purposes (rows): fixed by the
    /// manifest, so handles are range-checked without loading the snapshot.
    width: usize,
    purpose_count: usize,
    access: AccessBuffer,
    limits: FrequencyLimits,
    /// Set when the database had to be recovered (at open, or when damage was found later).
    recovery: Mutex<Option<RecoveryEvent>>,
    listeners: Mutex<Vec<(u64, Arc<dyn Listener>)>>,
    next_listener: std::sync::atomic::AtomicU64,
    closed: AtomicBool,
    flush_every: u64,
    /// The store's `data_version` at the last [`Engine::refresh_if_changed`] (`i64::MIN`: not checked yet, or the
    /// store was replaced by a recovery, whose connection counts anew). Read and written under the `inner` lock.
    seen_data_version: AtomicI64,
}

/// Longest `source` label accepted.
const MAX_SOURCE: usize = 256;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Engine {
    /// Opens the database at `db_path` for the manifest; refuses a manifest with lint errors (all diagnostics).
    ///
    /// Open trusts the file's authenticated checkpoint and verifies only the rows after it (docs/adr/0007): when it
    /// returns, the state is verified and nothing runs in the background.
    pub fn open(db_path: &Path, manifest_json: &[u8], options: EngineOptions) -> CoreResult<Arc<Engine>> {
        let valid = Manifest::load(manifest_json)?;
        Self::open_valid(db_path, valid, options)
    }

    /// Opens with an already validated manifest.
    pub fn open_valid(db_path: &Path, valid: ValidManifest, options: EngineOptions) -> CoreResult<Arc<Engine>> {
        let index = Arc::new(Index::build(valid));
        let time = EngineTime::start(&*options.clock);
        let now = time.now_ms(&*options.clock);
        let key = options
            .device_key
            .unwrap_or_else(|| Arc::new(crate::integrity::KeyFile::for_database(db_path, None)));
        let OpenedStore { store, state, recovery } = Store::open(db_path, now, key)?;
        let mut snapshot = Snapshot::build(&index, &state, 1);
        snapshot.clamp_future(None, now);
        let engine = Arc::new(Engine {
            width: snapshot.width,
            purpose_count: snapshot.purpose_reason.len(),
            access: AccessBuffer::new(&index),
            limits: FrequencyLimits::new(&index),
            index,
            clock: options.clock,
            time,
            inner: Mutex::new(Some(Inner { store, state })),
            snapshot: ArcSwap::from_pointee(snapshot),
            recovery: Mutex::new(recovery),
            listeners: Mutex::new(Vec::new()),
            next_listener: 1.into(),
            closed: AtomicBool::new(false),
            flush_every: options.flush_every.max(1),
            seen_data_version: AtomicI64::new(i64::MIN),
        });
        Ok(engine)
    }

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
    fn recover_locked(&self, guard: &mut MutexGuard<'_, Option<Inner>>, reason: RecoveryReason) -> (Arc<Snapshot>, Option<RecoveryEvent>) {
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
    fn carry_child_bracket(&self, store: &mut Store, state: ConsentState) -> ConsentState {
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
    fn announce_recovery(&self, event: Option<&RecoveryEvent>, snap: &Snapshot) {
        if let Some(event) = event {
            for l in self.listeners_now() {
                if catch_unwind(AssertUnwindSafe(|| l.on_recovery(event))).is_err() {
                    log::warn!("a consent listener panicked; ignored");
                }
            }
        }
        self.notify(snap);
    }

    /// The compiled manifest.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The current snapshot (lock-free).
    #[inline]
    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.snapshot.load()
    }

    /// Whether the database had to be recovered (at open, or when damage was found later).
    pub fn recovery(&self) -> Option<RecoveryEvent> {
        lock(&self.recovery).clone()
    }

    /// Now, on this instance's time line (the injected clock's wall reading at open plus monotonic time since).
    pub fn now_ms(&self) -> i64 {
        self.time.now_ms(&*self.clock)
    }

    /// The snapshot of `state` that follows the current one, with future stamps clamped.
    fn next_snapshot(&self, state: &ConsentState) -> Arc<Snapshot> {
        let prev = self.snapshot.load();
        let mut snap = Snapshot::build(&self.index, state, prev.version + 1);
        snap.clamp_future(Some(&prev), self.now_ms());
        Arc::new(snap)
    }

    /// Moves a manual clock; refused with the system clock.
    pub fn advance_clock(&self, delta_ms: i64) -> CoreResult<()> {
        self.check_open()?;
        if delta_ms < 0 {
            return Err(CoreError::InvalidArgument("time only moves forward".into()));
        }
        if self.clock.advance_ms(delta_ms) {
            Ok(())
        } else {
            Err(CoreError::ClockNotManual)
        }
    }

    /// `Closed` after `close()`.
    #[inline]
    pub fn check_open(&self) -> CoreResult<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(CoreError::Closed)
        } else {
            Ok(())
        }
    }

    /// The handle of an id.
    pub fn handle(&self, kind: IdKind, id: &str) -> CoreResult<u32> {
        self.index.handle(kind, id)
    }

    /// The decision for (purpose, data type) by handles: the reason code (0 = allowed). Reads the current
    /// snapshot's table (one `ArcSwap` load), so it always agrees with `resolve` and the status of the same version.
    #[inline]
    pub fn decide_handles(&self, purpose: u32, data_type: u32) -> CoreResult<Reason> {
        self.check_open()?;
        if purpose as usize >= self.purpose_count || data_type as usize >= self.width {
            return Err(CoreError::InvalidArgument(format!("handle out of range ({purpose}, {data_type})")));
        }
        let code = self.snapshot.load().code(purpose, data_type);
        Ok(Reason::from_code(code).unwrap_or(Reason::NotDeclared))
    }

    /// Publishes a new snapshot: one atomic swap, after which every read answers from it. Called with `inner` locked.
    fn publish(&self, snap: Arc<Snapshot>) {
        self.snapshot.store(snap);
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
        let cooldown = self.index.pack.cooldown_ms();
        let mut now = None;
        let mut now = || *now.get_or_insert_with(|| self.now_ms());
        if !snap.policy_agreed {
            return snap.policy_declined_at.is_none() || snap.may_ask_policy(now(), cooldown);
        }
        snap.resolutions[feature as usize]
            .missing
            .iter()
            .any(|&p| snap.refused_at[p as usize].is_none() || snap.may_ask(p, now(), cooldown))
    }

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

    fn recipient_slot(&self, purpose: u32, recipient: Option<u32>) -> Option<u32> {
        match recipient {
            None => Some(0),
            Some(r) => self.index.purposes[purpose as usize].recipients.iter().position(|&x| x == r).map(|i| i as u32 + 1),
        }
    }

    fn count_access(&self, purpose: u32, data_type: u32, slot: u32, count: u64, now: i64) {
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

    fn purpose_info(&self, purpose: u32) -> CoreResult<&crate::gate::index::PurposeInfo> {
        self.index
            .purposes
            .get(purpose as usize)
            .ok_or_else(|| CoreError::InvalidArgument(format!("purpose handle {purpose} out of range")))
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

    /// Runs `f` with the store.
    fn with_inner<T>(&self, f: impl FnOnce(&mut Inner) -> CoreResult<T>) -> CoreResult<T> {
        let mut guard = lock(&self.inner);
        match guard.as_mut() {
            Some(inner) => f(inner),
            None => Err(CoreError::Closed),
        }
    }

    fn check_source(source: &str) -> CoreResult<()> {
        if source.len() > MAX_SOURCE {
            return Err(CoreError::InvalidArgument(format!("source is longer than {MAX_SOURCE} bytes")));
        }
        Ok(())
    }

    fn guardian_required(&self, actor: Actor) -> CoreResult<()> {
        let snap = self.snapshot.load();
        match self.index.pack.guardian_age {
            Some(age) if snap.age == AgeBracket::Under14 && actor != Actor::Guardian => Err(CoreError::GuardianRequired { age }),
            _ => Ok(()),
        }
    }

    /// The guardian age to name in a `GuardianRequired` error (the pack's, else 14).
    fn guardian_age(&self) -> u8 {
        self.index.pack.guardian_age.unwrap_or(14)
    }

    /// Appends events durably, in one transaction, then swaps the snapshot, then notifies. On error nothing changes.
    /// When the rows on disk turn out damaged (another writer's rows do not verify), the file is set aside first
    /// (ADR 0001) and the events are written to the fresh database, so the user's action is not lost. A grant made
    /// while the policy does not hold — judged on the state caught up with the file, not on this instance's
    /// snapshot — is recorded as made before agreement.
    fn write(&self, events: Vec<NewEvent>) -> CoreResult<()> {
        self.check_open()?;
        let mut guard = lock(&self.inner);
        let mut recovered = None;
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


    fn event(&self, kind: EventKind, purpose: Option<u32>, actor: Actor, source: &str, detail: &str) -> NewEvent {
        NewEvent {
            at_ms: self.now_ms(),
            kind,
            purpose: purpose.map(|p| self.index.purposes[p as usize].id.clone()).unwrap_or_default(),
            actor: actor.as_str().to_string(),
            source: source.to_string(),
            policy_version: self.index.manifest.policy.version.clone(),
            definition_hash: purpose.map(|p| self.index.purposes[p as usize].definition_hash.clone()).unwrap_or_default(),
            detail: detail.to_string(),
        }
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

    fn grant_as(&self, purposes: &[u32], how: Grant, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        if purposes.is_empty() {
            return Err(CoreError::InvalidArgument("no purpose to grant".into()));
        }
        for &p in purposes {
            self.purpose_info(p)?;
        }
        if how == Grant::Bundle {
            // A child's personal information is all sensitive (PIPL Art. 28): every purpose is a separate consent.
            let child = self.snapshot.load().age == AgeBracket::Under14 && self.index.pack.guardian_age.is_some();
            let separate: Vec<String> = purposes
                .iter()
                .map(|&p| &self.index.purposes[p as usize])
                .filter(|p| child || !p.separate.is_empty())
                .map(|p| p.id.clone())
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
        self.write(vec![self.event(EventKind::Refused, Some(purpose), actor, source, "")])
    }

    /// Withdraws consent for a purpose; effective before this returns.
    pub fn withdraw(&self, purpose: u32, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
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

    /// Erases consent state and the access log at the user's request (the ledger keeps the proof of what was
    /// consented and of the erasure itself). A child's under-14 bracket survives the erasure: erasing never lowers
    /// the protection.
    pub fn erase_all(&self, actor: Actor, source: &str) -> CoreResult<()> {
        Self::check_source(source)?;
        self.write(vec![self.event(EventKind::Erased, None, actor, source, "")])?;
        self.access.drain(&self.index);
        self.with_inner(|inner| inner.store.clear_access())
    }

    /// Writes pending access counts.
    pub fn flush(&self) -> CoreResult<()> {
        self.with_inner(|inner| {
            let counts = self.access.drain(&self.index);
            inner.store.add_access(&counts).inspect_err(|_| self.access.restore(&self.index, &counts))
        })
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

    /// Flushes and closes; every later call returns `Closed`.
    pub fn close(&self) -> CoreResult<()> {
        if self.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        let flushed = self.flush();
        self.closed.store(true, Ordering::Release);
        lock(&self.inner).take();
        flushed
    }

    /// Runs `f` with the store (tooling: reports, ledger).
    pub fn with_store<T>(&self, f: impl FnOnce(&Store, &ConsentState) -> CoreResult<T>) -> CoreResult<T> {
        self.with_inner(|inner| f(&inner.store, &inner.state))
    }

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

    fn listeners_now(&self) -> Vec<Arc<dyn Listener>> {
        lock(&self.listeners).iter().map(|(_, l)| l.clone()).collect()
    }

    fn notify(&self, snap: &Snapshot) {
        for l in self.listeners_now() {
            if catch_unwind(AssertUnwindSafe(|| l.on_change(self, snap))).is_err() {
                log::warn!("a consent listener panicked; ignored");
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
