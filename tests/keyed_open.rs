//! Open from the keyed checkpoint (docs/adr/0007-keyed-integrity.md): the checkpoint and the chain head carry a MAC
//! under a device key the file does not contain, and the latest head is kept outside the file too. Open trusts an
//! authenticated checkpoint, verifies only the rows after it and leaves nothing running; a consistent rewrite, a
//! rollback to an older copy, a truncated tail and removed MACs are refused at open; a lost key is a typed recovery
//! that keeps the verified state; older edits are found by the explicit maintenance verification.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions, IntegrityCheck, Listener};
use consentkit::gate::{IdKind, Reason, Snapshot};
use consentkit::integrity::KeyFile;
use consentkit::store::{ledger, ChainCheck, ConsentState, RecoveryEvent, RecoveryReason, Store};
use rusqlite::{params, Connection};

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const T0: i64 = 1_767_225_600_000;

fn open(path: &Path) -> Arc<Engine> {
    Engine::open(path, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(T0)), flush_every: 64, device_key: None }).unwrap()
}

fn key(path: &Path) -> Arc<KeyFile> {
    Arc::new(KeyFile::for_database(path, None))
}

/// Writes the 43 rows of [`build`] through `e`, calling `before_last` just before the last one.
fn write_rows(e: &Engine, before_last: impl FnOnce()) {
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let ads = e.handle(IdKind::Purpose, "ads").unwrap();
    let live = e.handle(IdKind::Purpose, "live_location").unwrap();
    for i in 0..40 {
        if i % 2 == 0 {
            e.withdraw(live, Actor::User, "t").unwrap();
        } else {
            e.grant(&[live], Actor::User, "t").unwrap();
        }
    }
    e.grant(&[ads], Actor::User, "t").unwrap();
    before_last();
    e.refuse(live, Actor::User, "t").unwrap();
}

/// A closed database of 43 rows: policy agreed, 40 alternating withdrawals and grants of `live_location`, `ads`
/// granted, `live_location` refused. Checkpoints at rows 1 and 33 (every `SEAL_EVERY` = 32 rows), and at 43 by the
/// clean close.
fn build(dir: &Path) -> PathBuf {
    let path = dir.join("c.db");
    let e = open(&path);
    write_rows(&e, || {});
    e.close().unwrap();
    path
}

/// The same 43 rows left by an app that was killed, not closed: the last checkpoint is at row 33, and rows 34-43
/// are verified and replayed onto it at the next open.
fn build_killed(dir: &Path) -> PathBuf {
    let path = dir.join("c.db");
    let e = open(&path);
    write_rows(&e, || {});
    // No close, no drop: nothing runs at the end of a killed process.
    std::mem::forget(e);
    path
}

fn sealed_head(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT value FROM settings WHERE key = 'state_seal_head'", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_clean_close_brings_the_checkpoint_to_the_head_and_a_kill_leaves_it_where_it_was() {
    let closed = tempfile::tempdir().unwrap();
    let killed = tempfile::tempdir().unwrap();
    let (closed, killed) = (build(closed.path()), build_killed(killed.path()));
    assert!(sealed_head(&closed).starts_with("43:"), "closed: sealed at the head, {}", sealed_head(&closed));
    assert!(sealed_head(&killed).starts_with("33:"), "killed: the last periodic checkpoint, {}", sealed_head(&killed));
    // Both open from their checkpoint to the same state, the replay of every row.
    for path in [&closed, &killed] {
        let opened = Store::open(path, T0, key(path)).unwrap();
        assert!(opened.recovery.is_none());
        assert_eq!(opened.state, replay(path));
    }
}

fn replay(path: &Path) -> ConsentState {
    let conn = Connection::open(path).unwrap();
    ConsentState::replay(&ledger::rows_after(&conn, 0).unwrap())
}

fn quarantined(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".quarantine-1767225600000")).collect()
}

fn recovery_at_open(path: &Path) -> Option<RecoveryReason> {
    Store::open(path, T0, key(path)).unwrap().recovery.map(|r| r.reason)
}

#[test]
fn a_keyed_file_opens_from_its_checkpoint_and_the_maintenance_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let opened = Store::open(&path, T0, key(&path)).unwrap();
    assert!(opened.recovery.is_none());
    assert_eq!(opened.state, replay(&path));
    drop(opened);
    let e = open(&path);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    assert!(matches!(e.verify_integrity().unwrap(), IntegrityCheck::Passed { rows: 43, .. }));
    assert!(e.recovery().is_none());
    assert_eq!(e.with_store(|s, _| s.verify_chain(|_| {})).unwrap(), ChainCheck::Intact { rows: 43 });
}

#[derive(Default)]
struct Seen {
    recoveries: Mutex<Vec<RecoveryEvent>>,
    ads_after: Mutex<Vec<Reason>>,
}

impl Listener for Seen {
    fn on_change(&self, engine: &Engine, _: &Snapshot) {
        self.ads_after.lock().unwrap().push(engine.decide("ads", "device_id").unwrap());
    }
    fn on_recovery(&self, event: &RecoveryEvent) {
        self.recoveries.lock().unwrap().push(event.clone());
    }
}

#[test]
fn an_old_row_edited_is_found_by_the_maintenance_verification_which_sets_the_file_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    // Row 5 is before the checkpoint at row 33: the authenticated state does not depend on it, so open serves it.
    Connection::open(&path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 5", []).unwrap();
    let e = open(&path);
    assert!(e.recovery().is_none());
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    let seen = Arc::new(Seen::default());
    e.add_listener(seen.clone());
    assert_eq!(e.verify_integrity().unwrap(), IntegrityCheck::Recovered);
    let event = e.recovery().expect("recovery");
    assert!(matches!(event.reason, RecoveryReason::BrokenChain { seq: 5, .. }), "{event:?}");
    assert_eq!(quarantined(dir.path()).len(), 1, "the tampered file is kept beside");
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::PolicyNotAgreed, "safe default after recovery");
    assert_eq!(seen.recoveries.lock().unwrap().len(), 1);
    assert_eq!(seen.ads_after.lock().unwrap().last(), Some(&Reason::PolicyNotAgreed));
    e.agree_to_policy("2026-11-01", Actor::User, "after").unwrap();
    assert_eq!(e.with_store(|s, st| Ok((s.verify_chain(|_| {})?, st.last_seq))).unwrap(), (ChainCheck::Intact { rows: 1 }, 1));
    e.close().unwrap();
    assert!(recovery_at_open(&path).is_none(), "the fresh file and the head kept outside agree");
}

#[test]
fn a_checkpoint_edited_without_its_mac_is_ignored_and_the_state_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE settings SET value = replace(value, '\"age\":\"unknown\"', '\"age\":\"adult\"') WHERE key = 'state_snapshot'", [])
        .unwrap();
    let opened = Store::open(&path, T0, key(&path)).unwrap();
    assert!(opened.recovery.is_none(), "the chain and its head authenticate: the state is replayed from them");
    assert_eq!(opened.state, replay(&path));
    drop(opened);
    let e = open(&path);
    assert_eq!(e.decide("live_location", "location").unwrap(), Reason::Refused);
}

/// Rewrites row `seq`'s source and recomputes every hash from it to the end and the recorded head, as an attacker
/// with the file (but not the device key) can.
fn rewrite_consistently(path: &Path, seq: i64) {
    let conn = Connection::open(path).unwrap();
    conn.execute("UPDATE ledger SET source = 'rewritten' WHERE seq = ?1", [seq]).unwrap();
    let rows = ledger::rows_after(&conn, seq - 1).unwrap();
    let mut prev = conn.query_row("SELECT hash FROM ledger WHERE seq = ?1", [seq - 1], |r| r.get::<_, String>(0)).unwrap();
    for mut row in rows {
        row.prev_hash = prev;
        row.hash = ledger::row_hash(&row);
        conn.execute("UPDATE ledger SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", params![row.prev_hash, row.hash, row.seq]).unwrap();
        prev = row.hash.clone();
        conn.execute("UPDATE settings SET value = ?1 WHERE key = 'ledger_head'", [ledger::head_of(&row)]).unwrap();
    }
    conn.execute("DELETE FROM settings WHERE key IN ('state_snapshot', 'state_seal', 'state_seal_head')", []).unwrap();
    assert_eq!(ledger::verify_with_head(&conn, |_| {}).unwrap(), ChainCheck::Intact { rows: 43 }, "the chain alone is fooled");
}

#[test]
fn a_consistent_rewrite_with_recomputed_hashes_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    rewrite_consistently(&path, 5);
    assert!(matches!(recovery_at_open(&path), Some(RecoveryReason::Unauthenticated { .. })));
    assert_eq!(quarantined(dir.path()).len(), 1);
}

#[test]
fn a_rollback_to_an_older_copy_is_detected_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    // A backup holds the database with its write-ahead log (a closed engine leaves one frame in it).
    let files = |p: &Path| [p.to_path_buf(), PathBuf::from(format!("{}-wal", p.display()))];
    let backup = dir.path().join("backup");
    fs::create_dir(&backup).unwrap();
    for f in files(&path) {
        fs::copy(&f, backup.join(f.file_name().unwrap())).unwrap();
    }
    let e = open(&path);
    e.withdraw(e.handle(IdKind::Purpose, "ads").unwrap(), Actor::User, "settings").unwrap();
    e.close().unwrap();
    // An iOS backup restore puts the older files back (the key and the head kept outside are not in the backup).
    for f in files(&path) {
        fs::copy(backup.join(f.file_name().unwrap()), &f).unwrap();
    }
    assert_eq!(recovery_at_open(&path), Some(RecoveryReason::RolledBack { expected_seq: 44, found_seq: 43 }));

    // Only the database file put back, beside the newer log: SQLite reads a mix of both; that is never accepted.
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    fs::copy(&path, dir.path().join("backup.db")).unwrap();
    let e = open(&path);
    e.withdraw(e.handle(IdKind::Purpose, "ads").unwrap(), Actor::User, "settings").unwrap();
    e.close().unwrap();
    fs::copy(dir.path().join("backup.db"), &path).unwrap();
    assert!(recovery_at_open(&path).is_some(), "an older database file beside a newer log is set aside");
}

#[test]
fn a_truncated_tail_with_its_recorded_head_is_detected_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path);
    let saved = Mutex::new(None);
    write_rows(&e, || {
        let conn = Connection::open(&path).unwrap();
        let head: Vec<(String, String)> = conn
            .prepare("SELECT key, value FROM settings WHERE key IN ('ledger_head', 'ledger_head_mac')")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        *saved.lock().unwrap() = Some(head);
    });
    e.close().unwrap();
    // Remove the last row and put back the head (and its valid MAC) recorded before it.
    let conn = Connection::open(&path).unwrap();
    conn.execute("DELETE FROM ledger WHERE seq = 43", []).unwrap();
    for (k, v) in saved.lock().unwrap().take().unwrap() {
        conn.execute("UPDATE settings SET value = ?1 WHERE key = ?2", [v, k]).unwrap();
    }
    assert_eq!(ledger::verify_with_head(&conn, |_| {}).unwrap(), ChainCheck::Intact { rows: 42 }, "the file alone is fooled");
    drop(conn);
    assert_eq!(recovery_at_open(&path), Some(RecoveryReason::RolledBack { expected_seq: 43, found_seq: 42 }));
}

#[test]
fn a_file_whose_macs_were_removed_is_refused_while_its_head_is_kept_outside() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    rewrite_consistently(&path, 5);
    Connection::open(&path).unwrap().execute("DELETE FROM settings WHERE key = 'ledger_head_mac'", []).unwrap();
    assert!(matches!(recovery_at_open(&path), Some(RecoveryReason::Unauthenticated { .. })));
}

#[test]
fn a_database_whose_key_is_gone_is_verified_in_full_and_rekeyed_keeping_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    // Restored to another device: the file comes back, its key and outside head do not.
    fs::remove_file(dir.path().join("c.db.key")).unwrap();
    let _ = fs::remove_file(dir.path().join("c.db.head"));
    let e = open(&path);
    assert_eq!(e.recovery().map(|r| (r.reason, r.quarantined_path)), Some((RecoveryReason::KeyReplaced, String::new())));
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed, "the verified state is kept");
    assert!(quarantined(dir.path()).is_empty());
    e.close().unwrap();
    assert!(recovery_at_open(&path).is_none(), "re-keyed: the next open authenticates");
}

#[test]
fn a_rewritten_file_whose_key_is_gone_is_still_refused_if_its_chain_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    fs::remove_file(dir.path().join("c.db.key")).unwrap();
    Connection::open(&path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 5", []).unwrap();
    assert!(matches!(recovery_at_open(&path), Some(RecoveryReason::BrokenChain { seq: 5, .. })));
}

#[test]
fn a_row_after_the_checkpoint_edited_is_caught_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = build_killed(dir.path());
    // Row 40 is replayed onto the checkpoint (row 33) at open, so its hash is checked there: the fast path is refused
    // and the full path finds the break before open returns.
    Connection::open(&path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 40", []).unwrap();
    assert!(matches!(recovery_at_open(&path), Some(RecoveryReason::BrokenChain { seq: 40, .. })));
}

#[test]
fn open_leaves_nothing_running_and_the_first_write_lands_in_the_opened_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let e = open(&path);
    // The first answers come from memory, and the first write chains onto the verified rows at once.
    let pickup = e.handle(IdKind::Feature, "pickup").unwrap();
    assert!(e.next_prompt(&consentkit::prompt::Trigger::Feature(pickup)).unwrap().is_none(), "live_location was refused");
    e.withdraw(e.handle(IdKind::Purpose, "ads").unwrap(), Actor::User, "t").unwrap();
    assert!(e.recovery().is_none());
    assert_eq!(e.with_store(|s, st| Ok((s.verify_chain(|_| {})?, st.last_seq))).unwrap(), (ChainCheck::Intact { rows: 44 }, 44));
    let threads = fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0);
    let named: Vec<String> = fs::read_dir("/proc/self/task")
        .map(|d| d.filter_map(|t| fs::read_to_string(t.ok()?.path().join("comm")).ok()).collect())
        .unwrap_or_default();
    // Open's own second thread ("consentkit-open") ends once it has compiled the manifest; other tests of this binary
    // run in parallel and have theirs, so it is not counted. Anything else of ours (an audit, a watcher: this engine
    // is not shared) would be.
    let ours = named.iter().map(|n| n.trim()).filter(|n| n.starts_with("consentkit") && *n != "consentkit-open");
    assert!(threads == 0 || ours.count() == 0, "no ConsentKit thread: {named:?}");
}


#[test]
fn a_clean_close_leaves_the_log_started_and_the_next_session_reads_and_writes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let log = PathBuf::from(format!("{}-wal", path.display()));
    // Checkpointed, then restarted with the counter's frames: counted on a copy (a plain connection checkpoints what it finds).
    let copy = tempfile::tempdir().unwrap();
    fs::copy(&path, copy.path().join("c.db")).unwrap();
    fs::copy(&log, copy.path().join("c.db-wal")).unwrap();
    let frames: (i64, i64, i64) = Connection::open(copy.path().join("c.db"))
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    // The settings page, and the first time also its key index's page.
    assert!(frames.0 == 0 && (1..=2).contains(&frames.1) && frames.1 == frames.2, "close leaves the log started: {frames:?}");
    let e = open(&path);
    assert!(e.recovery().is_none());
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    e.withdraw(e.handle(IdKind::Purpose, "ads").unwrap(), Actor::User, "t").unwrap();
    e.close().unwrap();
    let e = open(&path);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Withdrawn, "the write after the started log is kept");
    assert_eq!(e.with_store(|_, s| Ok(s.last_seq)).unwrap(), 44);
    e.close().unwrap();
    // Closed by a plain SQLite connection (which checkpoints and deletes the log): the next session creates it
    // again and its first write still lands.
    Connection::open(&path).unwrap().query_row("SELECT count(*) FROM ledger", [], |r| r.get::<_, i64>(0)).unwrap();
    assert!(!log.exists(), "plain SQLite deleted the log");
    let e = open(&path);
    e.grant(&[e.handle(IdKind::Purpose, "ads").unwrap()], Actor::User, "t").unwrap();
    e.close().unwrap();
    assert_eq!(open(&path).decide("ads", "device_id").unwrap(), Reason::Allowed);
}

/// The head and checkpoint settings of a file, as a plain SQLite connection sees them.
fn head_settings(conn: &Connection) -> Vec<(String, String)> {
    let mut s = conn
        .prepare(
            "SELECT key, value FROM settings WHERE key IN \
             ('ledger_head', 'ledger_head_mac', 'state_snapshot', 'state_seal_head', 'state_seal')",
        )
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn the_maintenance_check_finds_a_live_file_truncated_back_to_an_older_authenticated_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let ads = e.handle(IdKind::Purpose, "ads").unwrap();
    e.grant(&[ads], Actor::User, "t").unwrap(); // row 2
    let conn = Connection::open(&path).unwrap();
    let at_row_2 = head_settings(&conn);
    e.withdraw(ads, Actor::User, "t").unwrap(); // row 3, also recorded outside the file
    // While the app runs: the withdrawal removed, the head and MAC of row 2 (valid, they are the file's own) put back.
    conn.execute("DELETE FROM ledger WHERE seq = 3", []).unwrap();
    for (k, v) in &at_row_2 {
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)", params![k, v]).unwrap();
    }
    assert_eq!(e.verify_integrity().unwrap(), IntegrityCheck::Recovered, "compared with the file, not the engine's memory");
    assert!(matches!(e.recovery().map(|r| r.reason), Some(RecoveryReason::RolledBack { expected_seq: 3, found_seq: 2 })));
    assert_ne!(e.decide("ads", "device_id").unwrap(), Reason::Allowed, "the safe default, not the withdrawn grant");
}

#[test]
fn the_maintenance_check_of_an_engine_behind_another_writer_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let a = open(&path);
    a.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let b = open(&path); // a second engine (another process) that has not seen what `a` writes next
    let ads = a.handle(IdKind::Purpose, "ads").unwrap();
    a.grant(&[ads], Actor::User, "t").unwrap();
    assert!(matches!(b.verify_integrity().unwrap(), IntegrityCheck::Passed { rows: 2, .. }), "{:?}", b.recovery());
    assert!(quarantined(dir.path()).is_empty(), "a good file is never set aside");
}

#[test]
fn an_engine_that_closes_behind_another_never_moves_the_checkpoint_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let a = open(&path);
    a.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let b = open(&path); // at row 1
    let live = a.handle(IdKind::Purpose, "live_location").unwrap();
    for i in 0..40 {
        if i % 2 == 0 {
            a.withdraw(live, Actor::User, "t").unwrap();
        } else {
            a.grant(&[live], Actor::User, "t").unwrap();
        }
    }
    a.close().unwrap();
    assert!(sealed_head(&path).starts_with("41:"), "{}", sealed_head(&path));
    b.close().unwrap();
    assert!(sealed_head(&path).starts_with("41:"), "moved back to {}", sealed_head(&path));
    let opened = Store::open(&path, T0, key(&path)).unwrap();
    assert!(opened.recovery.is_none());
    assert_eq!(opened.state, replay(&path));
}

/// What a writer without the key can do: append a copy of row `copy` (0-based) after the last row, chained and
/// hashed as ConsentKit would. Only the MAC'd head is beyond it.
fn append_forged_copy(path: &Path, copy: usize) {
    let conn = Connection::open(path).unwrap();
    let rows = ledger::rows_after(&conn, 0).unwrap();
    let last = rows.last().unwrap();
    let mut forged = rows[copy].clone();
    forged.seq = last.seq + 1;
    forged.at_ms = last.at_ms + 1;
    forged.prev_hash = last.hash.clone();
    forged.hash = ledger::row_hash(&forged);
    conn.execute(
        "INSERT INTO ledger (seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            forged.seq,
            forged.at_ms,
            forged.kind,
            forged.purpose,
            forged.actor,
            forged.source,
            forged.policy_version,
            forged.definition_hash,
            forged.detail,
            forged.prev_hash,
            forged.hash
        ],
    )
    .unwrap();
}

/// Policy agreed (row 1), `ads` granted (row 2) and withdrawn (row 3); then a copy of the grant appended as row 4 by a
/// writer without the key.
fn grant_withdraw_then_forged_grant(path: &Path) -> Arc<Engine> {
    let e = open(path);
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let ads = e.handle(IdKind::Purpose, "ads").unwrap();
    e.grant(&[ads], Actor::User, "t").unwrap();
    e.withdraw(ads, Actor::User, "t").unwrap();
    append_forged_copy(path, 1);
    e
}

#[test]
fn rows_appended_by_a_writer_without_the_key_are_never_served_even_with_recomputed_hashes() {
    // Seen on refresh (as the watcher or the foreground hook would): set aside, never an "allowed".
    let dir = tempfile::tempdir().unwrap();
    let e = grant_withdraw_then_forged_grant(&dir.path().join("c.db"));
    e.refresh().unwrap();
    assert_ne!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    assert!(matches!(e.recovery().map(|r| r.reason), Some(RecoveryReason::Unauthenticated { .. })), "{:?}", e.recovery());
    assert_eq!(quarantined(dir.path()).len(), 1);
    // Seen by a write, which catches up inside its transaction: nothing is chained onto the forged row.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = grant_withdraw_then_forged_grant(&path);
    let _ = e.grant(&[e.handle(IdKind::Purpose, "live_location").unwrap()], Actor::User, "t");
    assert_ne!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    assert!(matches!(e.recovery().map(|r| r.reason), Some(RecoveryReason::Unauthenticated { .. })), "{:?}", e.recovery());
    e.close().unwrap();
    drop(e);
    assert_ne!(open(&path).decide("ads", "device_id").unwrap(), Reason::Allowed, "after reopen too");
}
