//! The one door to SQLite: opening (pragmas, migrations, integrity and chain checks, quarantine), consent writes
//! (ledger row + state mirror in one durable transaction), and access-log batches. All SQL lives here.

pub mod access;
pub mod frequency;
pub mod inspect;
pub mod ledger;
pub mod receipts_outbox;
pub mod schema;
pub mod seal;
pub mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
use crate::integrity::{DeviceKey, KeyStatus};
pub use access::{AccessCount, AccessTotal, BUCKET_MS};
pub use ledger::{ChainCheck, EventKind, LedgerRow, NewEvent};
pub use state::{AgeBracket, ChildrenRulesAgreement, ConsentState, PurposeChoice, PurposeRecord, BEFORE_POLICY};

/// Why an existing database was set aside and a fresh one started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoveryReason {
    /// SQLite could not read it, or `PRAGMA quick_check` failed.
    Corrupt {
        /// What SQLite said.
        detail: String,
    },
    /// The ledger's hash chain does not verify.
    BrokenChain {
        /// First broken row.
        seq: i64,
        /// Why.
        detail: String,
    },
    /// Written by a newer ConsentKit whose schema this code does not know.
    SchemaTooNew {
        /// Version found.
        found: u32,
        /// Version this code knows.
        supported: u32,
    },
    /// The chain verifies but its head or checkpoint does not authenticate under the device key: the file was
    /// rewritten consistently (hashes recomputed) or its MACs removed.
    Unauthenticated {
        /// What did not check.
        detail: String,
    },
    /// The file is older than the head recorded outside it: restored from an older copy (a backup), or its tail
    /// truncated together with its recorded head.
    RolledBack {
        /// The head seq recorded outside the file.
        expected_seq: i64,
        /// The head seq the file has.
        found_seq: i64,
    },
    /// The file was keyed under a device key that is gone (app data restored to another device, key store wiped).
    /// Its chain verified in full, so its state is kept and re-keyed under the new key: nothing was set aside.
    KeyReplaced,
}

/// What happened at open: the app is told, never silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryEvent {
    /// Why.
    pub reason: RecoveryReason,
    /// Where the old file was moved (kept, never deleted: the user's record); empty when nothing was moved
    /// ([`RecoveryReason::KeyReplaced`]).
    pub quarantined_path: String,
    /// When, UTC ms.
    pub at_ms: i64,
}

/// An open consent database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The last ledger row this store verified (seq, hash): rows another writer adds are checked from here before
    /// they are applied, and our writes chain only onto it.
    head: (i64, String),
    /// Frequency slices seen stamped in the future of this store's time line, and when ([`frequency`]).
    future_seen: frequency::FutureSeen,
    /// The device key that authenticates the head and the checkpoint, and keeps the head outside the file.
    key: Arc<dyn DeviceKey>,
    /// The write-ahead log did not exist when this store opened (SQLite created it): its directory entry is synced
    /// after the first durable commit, before that commit returns ([`Store::sync_new_log`]).
    new_log: bool,
    /// The file this connection opened (device, inode), to notice when another process set it aside and started a
    /// fresh one at the path ([`Store::replaced`]). `None` where there is no such identity (`:memory:`, non-Unix).
    identity: Option<(u64, u64)>,
}

/// The (device, inode) of the file at `path`, if it exists (Unix: Android, iOS, Linux).
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().and_then(|m| identity_of(&m))
}

/// The (device, inode) a file's metadata names; `None` off Unix.
fn identity_of(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// How long a writer waits for another process's lock before the write fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn storage(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Storage(format!("{what}: {e}"))
}

impl Store {
    /// Opens (or creates) the database at `path`, authenticated under `key` (docs/adr/0007). A damaged, rewritten,
    /// rolled-back or too-new file is moved aside and a fresh database started; the returned event says so. A file
    /// keyed under a key that is gone is verified in full and re-keyed ([`RecoveryReason::KeyReplaced`]). Fails only
    /// when no database can be had at all (bad path, directory, read-only location, disk full) or the key cannot
    /// be used.
    ///
    /// The fast path trusts an authenticated checkpoint and verifies only the rows after it; nothing is left to
    /// audit afterwards.
    pub fn open(path: &Path, now_ms: i64, key: Arc<dyn DeviceKey>) -> CoreResult<OpenedStore> {
        Self::finish_open(Self::probe(path, key)?, now_ms)
    }

    /// The first, read-only half of [`Store::open`]: the key, the head recorded outside the file, and the fast path
    /// (an authenticated checkpoint) if the file has one. Writes nothing to the database, so the engine runs it
    /// while the manifest is checked on another thread, and drops it unfinished when the manifest is refused.
    pub fn probe(path: &Path, key: Arc<dyn DeviceKey>) -> CoreResult<Probe> {
        validate_path(path)?;
        let status = key.open()?;
        let outside = parse_head(key.load_head()?);
        let checkpoint = match Self::open_checkpoint(path, &key)? {
            Some((store, state)) => {
                let verdict = store.check_outside_head(outside.as_ref())?;
                Some((store, state, verdict))
            }
            None => None,
        };
        Ok(Probe { path: path.to_path_buf(), key, status, outside, checkpoint })
    }

    /// The second half of [`Store::open`]: accepts the probed checkpoint, or runs the full path, or sets the file
    /// aside. May write (the head outside the file, a re-key, a quarantine).
    pub fn finish_open(probe: Probe, now_ms: i64) -> CoreResult<OpenedStore> {
        let Probe { path, key, status, outside, checkpoint } = probe;
        let path = path.as_path();
        if let Some((store, state, verdict)) = checkpoint {
            return match verdict {
                None => {
                    // Only when it lags (a write whose outside copy was not stored): open writes nothing otherwise.
                    if outside.as_ref() != Some(&store.head) {
                        store.publish_head();
                    }
                    Ok(OpenedStore { store, state, recovery: None, child_recorded: false })
                }
                Some(reason) => {
                    drop(store);
                    Self::recover(path, reason, now_ms, key)
                }
            };
        }
        let (mut store, state) = match Self::try_open(path, &key)? {
            Opened::Good(store, state) => (*store, state),
            Opened::Damaged(reason) => return Self::recover(path, reason, now_ms, key),
        };
        let keyed = seal::is_keyed(&store.conn)?;
        let mut recovery = None;
        if keyed && !seal::head_authenticates(&store.conn, &*key)? {
            if status == KeyStatus::Existing {
                drop(store);
                let detail = "the recorded head's MAC does not check under the device key".to_string();
                return Self::recover(path, RecoveryReason::Unauthenticated { detail }, now_ms, key);
            }
            // The key is gone, the chain verified in full: keep the state, re-key it, and say so.
            log::warn!("consent database keyed under a device key that is gone; verified in full and re-keyed");
            recovery = Some(RecoveryEvent { reason: RecoveryReason::KeyReplaced, quarantined_path: String::new(), at_ms: now_ms });
        } else if !keyed && outside.as_ref().is_some_and(|(seq, _)| *seq > 0) {
            drop(store);
            let detail = "the file carries no MAC but a keyed head is recorded for it".to_string();
            return Self::recover(path, RecoveryReason::Unauthenticated { detail }, now_ms, key);
        }
        if status == KeyStatus::Existing {
            if let Some(reason) = store.check_outside_head(outside.as_ref())? {
                drop(store);
                return Self::recover(path, reason, now_ms, key);
            }
        }
        store.rekey(&state)?;
        Ok(OpenedStore { store, state, recovery, child_recorded: false })
    }

    /// The fast path of [`Store::open`]: an existing, current file whose checkpoint and head authenticate
    /// ([`seal`]), or `None` (then the full path runs). Changes nothing on disk.
    fn open_checkpoint(path: &Path, key: &Arc<dyn DeviceKey>) -> CoreResult<Option<(Store, ConsentState)>> {
        // Without the create flag, a missing file does not open: the full path creates it.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let new_log = !log_path(path).exists();
        let Ok(conn) = Connection::open_with_flags(path, flags) else { return Ok(None) };
        if conn.busy_timeout(BUSY_TIMEOUT).is_err() {
            return Ok(None);
        }
        // Open is latency-bound: the journal mode is not set again (WAL is persistent; the full path set it when the
        // file was created). `read_with_head` checks the schema version first.
        let Some((state, hash)) = seal::read_with_head(&conn, &**key, schema::SCHEMA_VERSION)? else { return Ok(None) };
        if configure_connection(&conn).is_err() {
            return Ok(None);
        }
        let head = (state.last_seq, hash);
        let identity = file_identity(path);
        let store = Store { conn, path: path.to_path_buf(), head, future_seen: Default::default(), key: key.clone(), new_log, identity };
        Ok(Some((store, state)))
    }

    /// Whether the head recorded outside the file is one of this file's rows: `Some(reason)` when the file is older
    /// (rolled back, truncated) or differs there (a fork). A file ahead of it is fine (a write whose outside copy was
    /// not stored yet, or another process's). Only for open, where `self.head` is the file's head just read and
    /// verified; [`Store::verify_all`] reads the file's head itself.
    fn check_outside_head(&self, outside: Option<&(i64, String)>) -> CoreResult<Option<RecoveryReason>> {
        outside_head_verdict(&self.conn, &self.head, outside)
    }

    /// This store's head as it is recorded (`seq:hash`, as [`ledger::head_of`] gives for a row).
    fn head_text(&self) -> String {
        format!("{}:{}", self.head.0, self.head.1)
    }

    /// Stores this store's head outside the file (best effort: a failure leaves the outside copy behind, which the
    /// next open accepts).
    fn publish_head(&self) {
        let head = self.head_text();
        if let Err(e) = self.key.store_head(&head) {
            log::warn!("the chain head could not be stored outside the database: {e}");
        }
    }

    /// Authenticates what the full path verified: the head's MAC and a checkpoint under the device key, and the
    /// head outside the file.
    fn rekey(&mut self, state: &ConsentState) -> CoreResult<()> {
        if self.head.0 > 0 {
            let head = self.head_text();
            let key = self.key.clone();
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| storage("begin", e))?;
            seal::write_head(&tx, &*key, &head)?;
            seal::write(&tx, &*key, &head, state)?;
            tx.commit().map_err(|e| storage("commit", e))?;
        }
        self.publish_head();
        Ok(())
    }

    /// Sets the damaged file aside, starts fresh, and records the fresh head outside it.
    fn recover(path: &Path, reason: RecoveryReason, now_ms: i64, key: Arc<dyn DeviceKey>) -> CoreResult<OpenedStore> {
        let child_recorded = records_child(path);
        let (store, state, event) = Self::set_aside(path, reason, now_ms, key)?;
        Ok(OpenedStore { store, state, recovery: Some(event), child_recorded })
    }

    /// Moves the (closed) database at `path` aside and starts a fresh one, whose head is then the one recorded
    /// outside the file: the recovery path of open and of damage found later.
    pub fn set_aside(
        path: &Path,
        reason: RecoveryReason,
        now_ms: i64,
        key: Arc<dyn DeviceKey>,
    ) -> CoreResult<(Store, ConsentState, RecoveryEvent)> {
        let quarantined = quarantine(path, now_ms)?;
        log::warn!("consent database set aside ({reason:?}); starting fresh");
        match Self::try_open(path, &key)? {
            Opened::Good(store, state) => {
                store.publish_head();
                Ok((*store, state, RecoveryEvent { reason, quarantined_path: quarantined.display().to_string(), at_ms: now_ms }))
            }
            Opened::Damaged(again) => Err(CoreError::Storage(format!("fresh database unusable: {again:?}"))),
        }
    }

    /// Creates, migrates and checks (`quick_check`, the whole chain, unkeyed) and replays: the full path, which
    /// authenticates nothing itself ([`Store::open`] does that after).
    fn try_open(path: &Path, key: &Arc<dyn DeviceKey>) -> CoreResult<Opened> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let new_log = !log_path(path).exists();
        let conn = Connection::open_with_flags(path, flags).map_err(|e| storage("open", e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| storage("busy timeout", e))?;
        // A file that is not a database fails on the first read: that is damage, not a path problem.
        let version = match schema::user_version(&conn) {
            Ok(v) => v,
            Err(e) if is_corruption(&e) => return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail: e.to_string() })),
            Err(e) => return Err(storage("read schema version", e)),
        };
        if version > schema::SCHEMA_VERSION {
            return Ok(Opened::Damaged(RecoveryReason::SchemaTooNew { found: version, supported: schema::SCHEMA_VERSION }));
        }
        match configure(&conn) {
            Ok(()) => {}
            Err(e) if is_corruption(&e) => return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail: e.to_string() })),
            Err(e) => return Err(storage("configure", e)),
        }
        if version > 0 {
            match conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
                Ok(ok) if ok == "ok" => {}
                Ok(problem) => return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail: problem })),
                Err(e) if is_corruption(&e) => {
                    return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail: e.to_string() }))
                }
                Err(e) => return Err(storage("quick_check", e)),
            }
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            head: (0, ledger::GENESIS_HASH.to_string()),
            future_seen: Default::default(),
            key: key.clone(),
            new_log,
            identity: file_identity(path),
        };
        if version < schema::SCHEMA_VERSION {
            let migrated = store.conn.transaction_with_behavior(TransactionBehavior::Immediate).and_then(|tx| {
                // Re-read inside the lock: another process may have migrated meanwhile.
                let v = schema::user_version(&tx)?;
                schema::migrate(&tx, v)?;
                tx.commit()
            });
            match migrated {
                Ok(()) => {}
                Err(e) if is_corruption(&e) => {
                    return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail: e.to_string() }))
                }
                Err(e) => return Err(storage("migrate", e)),
            }
        }
        let mut state = ConsentState::default();
        let mut head = store.head.clone();
        match store.verify_chain_with(|_| {}, |row| {
            state.apply(row);
            head = (row.seq, row.hash.clone());
        }) {
            Ok(ChainCheck::Intact { .. }) => {}
            Ok(ChainCheck::Broken { seq, reason }) => {
                return Ok(Opened::Damaged(RecoveryReason::BrokenChain { seq, detail: reason }))
            }
            Err(CoreError::Storage(detail)) => return Ok(Opened::Damaged(RecoveryReason::Corrupt { detail })),
            Err(e) => return Err(e),
        }
        store.head = head;
        Ok(Opened::Good(Box::new(store), state))
    }

    /// The full verification, as an explicit maintenance call: `PRAGMA quick_check`, the whole hash chain with its
    /// recorded head, the head's MAC under the device key, and the head recorded outside the file. Open does not
    /// need it (it trusts an authenticated checkpoint); `Ok(Err(reason))` when the file must be set aside.
    pub fn verify_all(&self) -> CoreResult<Result<u64, RecoveryReason>> {
        // The head kept outside is read before the file: it is stored after each commit, so every row it names is
        // in the snapshot read below, and another process's write in between is never taken for a rollback.
        let outside = parse_head(self.key.load_head()?);
        let tx = self.conn.unchecked_transaction().map_err(|e| storage("begin verification", e))?;
        let damaged = |detail: String| Ok(Err(RecoveryReason::Corrupt { detail }));
        match tx.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
            Ok(ok) if ok == "ok" => {}
            Ok(problem) => return damaged(problem),
            Err(e) if is_corruption(&e) => return damaged(e.to_string()),
            Err(e) => return Err(storage("quick_check", e)),
        }
        let rows = match ledger::verify_with_head(&tx, |_| {}) {
            Ok(ChainCheck::Intact { rows }) => rows,
            Ok(ChainCheck::Broken { seq, reason }) => return Ok(Err(RecoveryReason::BrokenChain { seq, detail: reason })),
            Err(e) if is_corruption(&e) => return damaged(e.to_string()),
            Err(e) => return Err(storage("verify", e)),
        };
        if rows > 0 && !seal::head_authenticates(&tx, &*self.key)? {
            let detail = "the recorded head's MAC does not check under the device key".to_string();
            return Ok(Err(RecoveryReason::Unauthenticated { detail }));
        }
        // Against the file as it is now (its last row, just verified), never against this store's head in memory: a
        // live file truncated back to an older authenticated head, or written ahead by another process, differs.
        let file_head = ledger::last_row(&tx)
            .map_err(|e| storage("read ledger", e))?
            .map_or_else(|| (0, ledger::GENESIS_HASH.to_string()), |r| (r.seq, r.hash));
        if let Some(reason) = outside_head_verdict(&tx, &file_head, outside.as_ref())? {
            return Ok(Err(reason));
        }
        Ok(Ok(rows))
    }

    /// Whether the file at this store's path is no longer the one its connection opened: another process set it aside
    /// (moved it after finding damage) and started a fresh database there, or removed it. The connection still reads
    /// and writes the moved file, so the engine reopens the path ([`crate::engine::Engine::refresh`]). One `stat`.
    pub fn replaced(&self) -> bool {
        match self.identity {
            None => false,
            Some(opened) => match std::fs::metadata(&self.path) {
                Ok(m) => identity_of(&m) != Some(opened),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            },
        }
    }

    /// The device key this store authenticates with (kept when the store is replaced after damage).
    pub fn key(&self) -> Arc<dyn DeviceKey> {
        self.key.clone()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Verifies the hash chain and the recorded head (which catches a deleted last row).
    pub fn verify_chain(&self, progress: impl FnMut(u64)) -> CoreResult<ChainCheck> {
        self.verify_chain_with(progress, |_| {})
    }

    /// [`Store::verify_chain`], handing every verified row to `on_row` in order (open replays the state in the
    /// same pass instead of reading the ledger twice).
    pub fn verify_chain_with(&self, progress: impl FnMut(u64), on_row: impl FnMut(&LedgerRow)) -> CoreResult<ChainCheck> {
        ledger::verify_with_head_rows(&self.conn, progress, on_row).map_err(|e| storage("verify", e))
    }

    /// Ledger rows with `seq > after`.
    pub fn rows_after(&self, after: i64) -> CoreResult<Vec<LedgerRow>> {
        ledger::rows_after(&self.conn, after).map_err(|e| storage("read ledger", e))
    }

    /// Appends consent events durably, in one transaction, and returns the new state: first catches up with rows
    /// written by other processes (each verified from this store's head, [`catch_up`]), lets `stamp` complete each
    /// event from the caught-up state (fields that depend on it), then writes the ledger rows, the state mirror and
    /// the chain head in one `synchronous=FULL` transaction. Returns only after the commit; on error nothing changed.
    /// `Ok(Err(reason))`: the rows on disk do not chain from what this store verified — damage (ADR 0001): nothing
    /// was written, the caller sets the file aside.
    pub fn append(
        &mut self,
        known: &ConsentState,
        events: &[NewEvent],
        stamp: impl Fn(&ConsentState, &mut NewEvent),
    ) -> CoreResult<Result<ConsentState, RecoveryReason>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| storage("begin", e))?;
        let missed = match catch_up(&tx, &self.head, &*self.key)? {
            Ok(rows) => rows,
            Err(reason) => return Ok(Err(reason)),
        };
        let mut state = known.clone();
        for row in &missed {
            state.apply(row);
        }
        let mut last = None;
        for event in events {
            let mut event = event.clone();
            stamp(&state, &mut event);
            let row = ledger::append(&tx, &event).map_err(|e| storage("append", e))?;
            state.apply(&row);
            last = Some(row);
        }
        let Some(row) = last else { return Ok(Ok(state)) };
        // One purpose changed and nothing else was missed: update its mirror rows only.
        let one_purpose = missed.is_empty()
            && events.len() == 1
            && matches!(events[0].kind, EventKind::Granted | EventKind::Refused | EventKind::Withdrawn);
        if one_purpose {
            state::write_purpose_mirror(&tx, &state, &row.purpose).map_err(|e| storage("state", e))?;
        } else {
            state::write_mirror(&tx, &state).map_err(|e| storage("state", e))?;
        }
        let head = ledger::head_of(&row);
        seal::write_head(&tx, &*self.key, &head)?;
        seal::write_if_due(&tx, &*self.key, &row, &state)?;
        tx.commit().map_err(|e| storage("commit", e))?;
        self.sync_new_log();
        self.head = (row.seq, row.hash.clone());
        self.publish_head();
        Ok(Ok(state))
    }

    /// Rows written by other processes since `known`, verified from this store's head and applied.
    /// `Ok(Err(reason))` as for [`Store::append`].
    pub fn refresh(&mut self, known: &ConsentState) -> CoreResult<Result<ConsentState, RecoveryReason>> {
        // One read transaction: the rows and the recorded head they must end at come from one snapshot, so another
        // process's commit between the two reads is never taken for tampering.
        let tx = self.conn.unchecked_transaction().map_err(|e| storage("begin catch up", e))?;
        let missed = match catch_up(&tx, &self.head, &*self.key)? {
            Ok(rows) => rows,
            Err(reason) => return Ok(Err(reason)),
        };
        drop(tx);
        let mut state = known.clone();
        for row in &missed {
            state.apply(row);
        }
        if let Some(last) = missed.last() {
            self.head = (last.seq, last.hash.clone());
        }
        Ok(Ok(state))
    }

    /// Makes a write-ahead log that SQLite created during this session durable in its directory, once.
    ///
    /// SQLite is built without its own directory sync (`SQLITE_DISABLE_DIRSYNC`, `.cargo/config.toml`): it would
    /// sync the directory at the first commit of every connection, whether the log was new or not — the second of
    /// two syncs in a session's first consent write. The log is new only on a database's first open, or after a
    /// close by a connection that deletes it (SQLite's default); then this syncs the directory after the first
    /// durable commit, before the write returns. A failure is logged, as SQLite ignores its own.
    fn sync_new_log(&mut self) {
        if !std::mem::take(&mut self.new_log) {
            return;
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            log::warn!("syncing the consent database's directory {} failed: {e}", dir.display());
        }
    }

    /// Closes the connection and leaves the write-ahead log started for the next session's first consent write.
    ///
    /// SQLite's own close of a file's last connection checkpoints the log and deletes it; the next write then
    /// creates the log again and syncs its header and the directory before its frames: three syncs where a write
    /// in a running session makes one (bench/results.md, `first_write_10k`). Here the log is checkpointed as that
    /// close would, then one small write (the `clean_closes` counter in the settings) restarts it now, and
    /// the connection closes without a second checkpoint: the next open recovers those few frames, and its first
    /// write appends with one sync. An app killed without closing leaves its log as it was (the same one-sync
    /// first write). When another connection still reads the log, or anything here fails, the connection simply
    /// closes as SQLite closes it.
    ///
    /// In the same transaction the state checkpoint is brought up to this store's head when rows were written after
    /// it (`state` is the replay up to that head): the next open then verifies one row instead of up to
    /// [`seal::SEAL_EVERY`] (about 6 µs each on a cold start, bench `first_answer_*`).
    pub fn close(mut self, state: &ConsentState) {
        let primed = (|| -> CoreResult<()> {
            let (busy, log, done): (i64, i64, i64) = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|e| storage("checkpoint", e))?;
            if busy != 0 || log != done {
                return Ok(());
            }
            let head = self.head_text();
            let key = self.key.clone();
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| storage("begin", e))?;
            // Only forward: another engine on the file may have sealed further on.
            let sealed_seq = seal::sealed_head(&tx)?.as_deref().and_then(seal::head_seq);
            if self.head.0 > 0 && state.last_seq == self.head.0 && sealed_seq.map_or(true, |s| s < self.head.0) {
                seal::write(&tx, &*key, &head, state)?;
            }
            // A counter of clean closes: a row that always changes (SQLite writes nothing for a row written back
            // unchanged, and a log left with only checkpointed frames would be read again at the next open), on a
            // settings page, never page 1, so damage to the file's header stays visible to the next open instead
            // of being masked by a copy in the log.
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('clean_closes', '1') \
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )
            .map_err(|e| storage("clean close", e))?;
            tx.commit().map_err(|e| storage("commit", e))?;
            self.conn
                .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
                .map(|_| ())
                .map_err(|e| storage("close", e))
        })();
        if let Err(e) = primed {
            log::debug!("closing the consent database without starting its log for the next session: {e}");
        }
    }

    /// `PRAGMA data_version` of this store's connection: it moves when another connection (another process, or an
    /// engine of this process that is not shared) commits to the file, and never for this connection's own commits.
    /// One pragma, no read of the ledger: [`crate::engine::Engine::refresh_if_changed`] compares it between checks,
    /// so a watcher can poll every second and re-read rows only when someone else wrote.
    pub fn data_version(&self) -> CoreResult<i64> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| storage("data version", e))
    }

    /// Adds a batch of access counts in one transaction.
    pub fn add_access(&mut self, counts: &[AccessCount]) -> CoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        // Access counts are statistics, not the record of consent: commit them without an fsync (WAL + NORMAL keeps the
        // database consistent; a power cut may lose the last batches, an app crash loses nothing committed).
        // Consent writes (`append`) keep synchronous=FULL.
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| storage("synchronous", e))?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| storage("begin", e))?;
            access::add_counts(&tx, counts).map_err(|e| storage("access log", e))?;
            tx.commit().map_err(|e| storage("commit", e))
        })();
        let restored = self.conn.pragma_update(None, "synchronous", "FULL").map_err(|e| storage("synchronous", e));
        result.and(restored)
    }

    /// Counts one collection against the frequency limits `(max, window ms)` of (purpose, data type) if they all
    /// leave room ([`frequency::try_take`]); otherwise the ms until one would. Not fsynced: a power cut may forget
    /// the last counts (like the access log), an app crash forgets nothing committed.
    pub fn take_frequency(&mut self, purpose: &str, data_type: &str, limits: &[(u32, i64)], now_ms: i64) -> CoreResult<Result<(), i64>> {
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| storage("synchronous", e))?;
        let result = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| storage("begin", e))?;
            let taken = frequency::try_take(&tx, &mut self.future_seen, purpose, data_type, limits, now_ms)
                .map_err(|e| storage("frequency", e))?;
            tx.commit().map_err(|e| storage("commit", e))?;
            Ok(taken)
        })();
        let restored = self.conn.pragma_update(None, "synchronous", "FULL").map_err(|e| storage("synchronous", e));
        result.and_then(|r| restored.map(|_| r))
    }

    /// Totals of the access log.
    pub fn access_totals(&self) -> CoreResult<Vec<AccessTotal>> {
        access::totals(&self.conn).map_err(|e| storage("read access log", e))
    }

    /// Deletes the access log (erasure on the user's request); the ledger, the record of consent, is kept.
    pub fn clear_access(&mut self) -> CoreResult<()> {
        self.conn.execute("DELETE FROM access_log", []).map(|_| ()).map_err(|e| storage("erase", e))
    }

    /// Direct access for tooling and tests in this crate.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Parses a head recorded outside the file (`seq:hash`); anything else reads as none.
fn parse_head(text: Option<String>) -> Option<(i64, String)> {
    let text = text?;
    let (seq, hash) = text.split_once(':')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

/// [`Store::check_outside_head`] against `file_head`, the file's last row as the caller just read and verified it.
fn outside_head_verdict(
    conn: &Connection,
    file_head: &(i64, String),
    outside: Option<&(i64, String)>,
) -> CoreResult<Option<RecoveryReason>> {
    let Some((seq, hash)) = outside else { return Ok(None) };
    if *seq == 0 {
        return Ok(None);
    }
    if *seq > file_head.0 {
        return Ok(Some(RecoveryReason::RolledBack { expected_seq: *seq, found_seq: file_head.0 }));
    }
    // The usual case is the file's head, whose row the caller has just read: no second read.
    let on_disk: Option<String> = if *seq == file_head.0 {
        Some(file_head.1.clone())
    } else {
        conn.query_row("SELECT hash FROM ledger WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()
            .map_err(|e| storage("read ledger", e))?
    };
    if on_disk.as_ref() != Some(hash) {
        let detail = format!("row {seq} differs from the head recorded outside the file");
        return Ok(Some(RecoveryReason::Unauthenticated { detail }));
    }
    Ok(None)
}

/// The rows after `head` (this store's last verified row), each checked before anything is served from it or
/// chained onto it: the head row is still on disk with its hash, and every later row follows its predecessor (seq,
/// `prev_hash`), has a known kind and a hash that recomputes. Another writer's bogus row is damage, not state.
///
/// The hash chain alone is unkeyed: anyone who can write the file can append a row with a recomputed hash (a copy of
/// an old grant, say). So rows another writer added count only when they end at the recorded head and that head's
/// MAC checks under the device key — as every ConsentKit write leaves it, in the same transaction as its rows.
/// Otherwise the file is [`RecoveryReason::Unauthenticated`]: set aside, never served. Run inside one transaction
/// (rows and head from one snapshot).
fn catch_up(
    conn: &Connection,
    head: &(i64, String),
    key: &dyn DeviceKey,
) -> CoreResult<Result<Vec<LedgerRow>, RecoveryReason>> {
    let rows = match chain_after(conn, head).map_err(|e| storage("catch up", e))? {
        Ok(rows) => rows,
        Err(reason) => return Ok(Err(reason)),
    };
    if let Some(last) = rows.last() {
        if !seal::head_authenticates_as(conn, key, &ledger::head_of(last))? {
            let detail = format!(
                "rows {}-{} written by another writer do not end at a recorded head whose MAC checks under the device key",
                rows[0].seq, last.seq
            );
            return Ok(Err(RecoveryReason::Unauthenticated { detail }));
        }
    }
    Ok(Ok(rows))
}

/// The rows after `head`, checked as a chain from it ([`catch_up`] adds the key).
fn chain_after(conn: &Connection, head: &(i64, String)) -> rusqlite::Result<Result<Vec<LedgerRow>, RecoveryReason>> {
    let broken = |seq: i64, detail: String| Ok(Err(RecoveryReason::BrokenChain { seq, detail }));
    let (seq, hash) = head;
    if *seq > 0 {
        let on_disk: Option<String> = conn
            .prepare_cached("SELECT hash FROM ledger WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        if on_disk.as_ref() != Some(hash) {
            return broken(*seq, format!("row {seq}, verified earlier, was changed or removed by another writer"));
        }
    }
    let rows = ledger::rows_after(conn, *seq)?;
    let (mut prev_seq, mut prev_hash) = (*seq, hash.as_str());
    for row in &rows {
        match ledger::follows(prev_seq, prev_hash, row) {
            Ok(()) => {}
            Err(ledger::NotFollowing::Link) => {
                return broken(row.seq, format!("row {} written by another writer does not chain from row {prev_seq}", row.seq))
            }
            Err(ledger::NotFollowing::Hash) => {
                return broken(row.seq, format!("row {} written by another writer has a hash that does not verify", row.seq))
            }
        }
        (prev_seq, prev_hash) = (row.seq, row.hash.as_str());
    }
    Ok(Ok(rows))
}

/// What the read-only half of [`Store::open`] found ([`Store::probe`]); [`Store::finish_open`] completes it.
pub struct Probe {
    path: PathBuf,
    key: Arc<dyn DeviceKey>,
    status: KeyStatus,
    /// The head recorded outside the file.
    outside: Option<(i64, String)>,
    /// The fast path's store and state, with what the outside head says of it (`Some(reason)`: set it aside).
    checkpoint: Option<(Store, ConsentState, Option<RecoveryReason>)>,
}

/// Whether the ledger of the file at `path` (damaged, about to be set aside) records an under-14 user: read best
/// effort and unverified, so it is used only to keep a child's protection across a recovery (docs/rules.md §4),
/// never to allow anything. `false` when the rows cannot be read.
pub fn records_child(path: &Path) -> bool {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else { return false };
    ledger::rows_after(&conn, 0).is_ok_and(|rows| ConsentState::replay(&rows).age == AgeBracket::Under14)
}

/// What [`Store::open`] found.
pub struct OpenedStore {
    /// The open store.
    pub store: Store,
    /// The current state: replayed from the verified chain, or the authenticated checkpoint plus the rows after it.
    pub state: ConsentState,
    /// Set when the file had to be set aside (or was re-keyed).
    pub recovery: Option<RecoveryEvent>,
    /// The file set aside recorded an under-14 user ([`records_child`]): the engine carries the bracket over.
    pub child_recorded: bool,
}

enum Opened {
    /// The store and its verified state.
    Good(Box<Store>, ConsentState),
    Damaged(RecoveryReason),
}

/// The connection settings every open applies: WAL, durable commits, foreign keys, defensive mode.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    configure_connection(conn)
}

/// The per-connection settings (not stored in the file): durable commits, foreign keys, defensive mode.
fn configure_connection(conn: &Connection) -> rusqlite::Result<()> {
    // One batch: open is latency-bound.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    Ok(())
}

/// The write-ahead log beside the database at `path` (SQLite's `<name>-wal`).
fn log_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(e.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
}

fn validate_path(path: &Path) -> CoreResult<()> {
    let text = path.as_os_str();
    if text.is_empty() {
        return Err(CoreError::InvalidArgument("database path is empty".into()));
    }
    if text.len() > 4096 {
        return Err(CoreError::InvalidArgument("database path is longer than 4096 bytes".into()));
    }
    if path.is_dir() {
        return Err(CoreError::InvalidArgument(format!("database path {} is a directory", path.display())));
    }
    Ok(())
}

/// Moves the database and its WAL/SHM files aside as `<name>.quarantine-<ms>[-wal|-shm]`; never deletes them.
fn quarantine(path: &Path, now_ms: i64) -> CoreResult<PathBuf> {
    let mut n = 0;
    let target = loop {
        let suffix = if n == 0 { format!("quarantine-{now_ms}") } else { format!("quarantine-{now_ms}-{n}") };
        let candidate = path.with_file_name(format!(
            "{}.{suffix}",
            path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "consent.db".into())
        ));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    std::fs::rename(path, &target).map_err(|e| storage("quarantine", e))?;
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{ext}", target.display()));
        }
    }
    Ok(target)
}
