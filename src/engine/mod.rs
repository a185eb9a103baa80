//! The engine: one open consent database, one manifest, the current snapshot. Writes go to SQLite first, then the
//! snapshot is swapped, then listeners are told. Reads take no lock and do no I/O.
//!
//! The rooms: this file (the engine, opening and its plain accessors), [`decisions`] (answers from memory),
//! [`collect`] (frequency limits and access counts), [`writes`] (consent writes), [`recovery`] (damage and other
//! writers), [`listeners`].

mod alongside;
mod collect;
mod decisions;
mod frameworks;
mod listeners;
mod permissions;
mod recovery;
mod writes;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use crate::clock::{Clock, EngineTime};
use crate::error::{CoreError, CoreResult};
use crate::gate::{AccessBuffer, FrequencyLimits, IdKind, Index, Reason, Snapshot};
use crate::manifest::Manifest;
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
    /// Everything a read answers from, decisions and resolutions alike.
    snapshot: ArcSwap<Snapshot>,
    /// The snapshot's decision codes for the per-event `decide`, published together with it.
    cells: crate::gate::DecisionCells,
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
        Self::open_with(db_path, manifest_json, options, "consentkit-open", || ())
    }

    /// [`Engine::open`], open's second thread (named `thread_name`) going on with `then` once the manifest is
    /// compiled: the shared engine's watcher loop ([`crate::watch::Watcher::pending`]), so an open starts one thread.
    ///
    /// Open's time is two halves that need nothing from each other: checking and compiling the manifest (pure
    /// computation), and the store's read-only half (SQLite, the key, the checkpoint). The manifest is done on the
    /// second thread while this thread reads the store, so an app start waits for the longer half only
    /// (bench/results.md, `first_answer_*`); when that thread has not started by the time the store is read, this
    /// thread compiles the manifest itself ([`alongside`]). A refused manifest wins: the probed store is dropped
    /// unfinished and nothing was written. Callbacks into the platform's key store stay on the caller's thread.
    pub fn open_with(
        db_path: &Path,
        manifest_json: &[u8],
        options: EngineOptions,
        thread_name: &str,
        then: impl FnOnce() + Send + 'static,
    ) -> CoreResult<Arc<Engine>> {
        let key = Self::device_key(db_path, &options);
        let manifest_json = manifest_json.to_vec();
        let compile = move || Manifest::load(&manifest_json).map(Index::build);
        let (compiled, probe) = alongside::alongside(thread_name, compile, || Store::probe(db_path, key), then);
        let index = compiled?;
        let time = EngineTime::start(&*options.clock);
        let opened = Store::finish_open(probe?, time.now_ms(&*options.clock))?;
        Ok(Self::assemble(Arc::new(index), opened, options, time))
    }

    /// Opens with an already compiled manifest (shared with the engine it came from: nothing is parsed or hashed
    /// again).
    pub fn open_compiled(db_path: &Path, index: Arc<Index>, options: EngineOptions) -> CoreResult<Arc<Engine>> {
        let time = EngineTime::start(&*options.clock);
        let now = time.now_ms(&*options.clock);
        let key = Self::device_key(db_path, &options);
        let opened = Store::open(db_path, now, key)?;
        Ok(Self::assemble(index, opened, options, time))
    }

    /// The options' device key, or the key file beside the database ([`crate::integrity::KeyFile`]).
    fn device_key(db_path: &Path, options: &EngineOptions) -> Arc<dyn crate::integrity::DeviceKey> {
        options.device_key.clone().unwrap_or_else(|| Arc::new(crate::integrity::KeyFile::for_database(db_path, None)))
    }

    /// The engine over an opened store: the first snapshot and decision cells, published before anyone can ask.
    fn assemble(index: Arc<Index>, opened: OpenedStore, options: EngineOptions, time: EngineTime) -> Arc<Engine> {
        let OpenedStore { mut store, mut state, recovery, child_recorded } = opened;
        let now = time.now_ms(&*options.clock);
        // The file set aside at open recorded a child.
        state = recovery::keep_child_bracket(&index, now, &mut store, state, child_recorded);
        let mut snapshot = Snapshot::build(&index, &state, &crate::gate::OsPermissions::new(index.permission_count), 1);
        snapshot.clamp_future(None, now);
        Arc::new(Engine {
            cells: crate::gate::DecisionCells::new(&snapshot.table),
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
        })
    }

    /// The compiled manifest.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The compiled manifest, to share with another engine of the same manifest ([`Engine::open_compiled`]).
    pub fn shared_index(&self) -> Arc<Index> {
        self.index.clone()
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

    fn purpose_info(&self, purpose: u32) -> CoreResult<&crate::gate::index::PurposeInfo> {
        self.index
            .purposes
            .get(purpose as usize)
            .ok_or_else(|| CoreError::InvalidArgument(format!("purpose handle {purpose} out of range")))
    }

    /// Runs `f` with the store.
    fn with_inner<T>(&self, f: impl FnOnce(&mut Inner) -> CoreResult<T>) -> CoreResult<T> {
        let mut guard = lock(&self.inner);
        match guard.as_mut() {
            Some(inner) => f(inner),
            None => Err(CoreError::Closed),
        }
    }

    /// Flushes and closes; every later call returns `Closed`.
    pub fn close(&self) -> CoreResult<()> {
        if self.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        let flushed = self.flush();
        self.closed.store(true, Ordering::Release);
        self.cells.close();
        if let Some(inner) = lock(&self.inner).take() {
            inner.store.close(&inner.state);
        }
        flushed
    }

    /// Runs `f` with the store (tooling: reports, ledger).
    pub fn with_store<T>(&self, f: impl FnOnce(&Store, &ConsentState) -> CoreResult<T>) -> CoreResult<T> {
        self.with_inner(|inner| f(&inner.store, &inner.state))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
