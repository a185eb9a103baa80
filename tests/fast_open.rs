//! Fast open from the sealed state and the integrity audit right after it (ADR 0006): the sealed state is served only
//! when everything about it checks out, the audit walks the whole ledger afterwards, and damage it finds is handled
//! exactly like damage found at open — file set aside, safe default, listeners told — with no write lost to a file
//! that is about to be set aside.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use consentkit::audit::AuditStatus;
use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions, Listener};
use consentkit::gate::{IdKind, Reason, Snapshot};
use consentkit::store::{ledger, ChainCheck, ConsentState, RecoveryEvent, RecoveryReason, Store};
use rusqlite::Connection;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const T0: i64 = 1_767_225_600_000;

fn open(path: &Path) -> Arc<Engine> {
    Engine::open(path, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(T0)), flush_every: 64 }).unwrap()
}

/// A closed database of 43 rows: policy agreed, 40 alternating withdrawals and grants of `live_location`, `ads`
/// granted, `live_location` refused. Snapshots are sealed at rows 1 and 33 (every `SEAL_EVERY` = 32 rows).
fn build(dir: &Path) -> PathBuf {
    let path = dir.join("c.db");
    let e = open(&path);
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
    e.refuse(live, Actor::User, "t").unwrap();
    e.close().unwrap();
    path
}

fn replay(path: &Path) -> ConsentState {
    let conn = Connection::open(path).unwrap();
    ConsentState::replay(&ledger::rows_after(&conn, 0).unwrap())
}

fn quarantined(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".quarantine-1767225600000")).collect()
}

#[test]
fn a_sealed_file_opens_without_the_walk_and_passes_its_audit() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let opened = Store::open(&path, T0).unwrap();
    assert!(opened.audit_pending, "the sealed state was used");
    assert!(opened.recovery.is_none());
    assert_eq!(opened.state, replay(&path));
    assert_eq!(opened.store.audit(&opened.state).unwrap(), Ok(43));
    drop(opened);

    let e = open(&path);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    assert!(matches!(e.wait_for_audit(), AuditStatus::Passed { rows: 43, .. }));
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
fn an_old_row_edited_is_found_by_the_audit_which_sets_the_file_aside_and_keeps_later_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    // Edit row 5 (before the sealed snapshot at row 33): the seal, the rows after it and the head still check out.
    Connection::open(&path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 5", []).unwrap();
    let opened = Store::open(&path, T0).unwrap();
    assert!(opened.audit_pending);
    assert!(matches!(opened.store.audit(&opened.state).unwrap(), Err(RecoveryReason::BrokenChain { seq: 5, .. })));
    drop(opened);

    let e = open(&path);
    let seen = Arc::new(Seen::default());
    e.add_listener(seen.clone());
    // A write issued at once waits for the audit, then lands in the fresh database.
    e.agree_to_policy("2026-11-01", Actor::User, "after").unwrap();
    assert_eq!(e.wait_for_audit(), AuditStatus::Recovered);
    let event = e.recovery().expect("the audit's recovery");
    assert!(matches!(event.reason, RecoveryReason::BrokenChain { seq: 5, .. }), "{event:?}");
    assert_eq!(quarantined(dir.path()).len(), 1, "the tampered file is kept beside");
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::NotGranted, "safe default after recovery");
    assert_eq!(e.with_store(|s, st| Ok((s.verify_chain(|_| {})?, st.last_seq))).unwrap(), (ChainCheck::Intact { rows: 1 }, 1));
    assert_eq!(seen.recoveries.lock().unwrap().len(), 1);
    assert_eq!(seen.ads_after.lock().unwrap().last(), Some(&Reason::NotGranted));
    // The quarantined file still has its 43 rows, and not the write made after open.
    let old = Connection::open(&quarantined(dir.path())[0]).unwrap();
    let rows: i64 = old.query_row("SELECT COUNT(*) FROM ledger WHERE source = 'after'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn a_snapshot_edited_without_its_seal_is_ignored_and_resealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE settings SET value = replace(value, '\"age\":\"unknown\"', '\"age\":\"adult\"') WHERE key = 'state_snapshot'", [])
        .unwrap();
    let opened = Store::open(&path, T0).unwrap();
    assert!(!opened.audit_pending, "a seal that does not match sends open down the full path");
    assert_eq!(opened.state, replay(&path));
    drop(opened);
    assert!(Store::open(&path, T0).unwrap().audit_pending, "open sealed the verified state again");
    let e = open(&path);
    assert_eq!(e.decide("live_location", "location").unwrap(), Reason::Refused);
}

#[test]
fn a_forged_snapshot_with_a_recomputed_seal_is_caught_by_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let conn = Connection::open(&path).unwrap();
    let (head, snapshot): (String, String) = conn
        .query_row(
            "SELECT (SELECT value FROM settings WHERE key = 'state_seal_head'), (SELECT value FROM settings WHERE key = 'state_snapshot')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let forged = snapshot.replace("\"policy_agreed\":[\"2026-11-01\",\"user\"]", "\"policy_agreed\":null");
    assert_ne!(forged, snapshot);
    let seal = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(format!("replay-v2\n{head}\n{forged}").as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    conn.execute("UPDATE settings SET value = ?1 WHERE key = 'state_snapshot'", [&forged]).unwrap();
    conn.execute("UPDATE settings SET value = ?1 WHERE key = 'state_seal'", [&seal]).unwrap();
    drop(conn);
    let e = open(&path);
    assert_eq!(e.wait_for_audit(), AuditStatus::Recovered);
    assert!(matches!(e.recovery().map(|r| r.reason), Some(RecoveryReason::BrokenChain { .. })));
    assert_eq!(e.decide("live_location", "location").unwrap(), Reason::PolicyNotAgreed);
}

#[test]
fn a_file_without_a_seal_takes_the_full_path_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    Connection::open(&path).unwrap().execute("DELETE FROM settings WHERE key IN ('state_snapshot', 'state_seal')", []).unwrap();
    let e = open(&path);
    assert_eq!(e.audit_status(), AuditStatus::NotNeeded);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
    drop(e);
    let e = open(&path);
    assert!(matches!(e.wait_for_audit(), AuditStatus::Passed { rows: 43, .. }));
}

#[test]
fn a_row_after_the_sealed_snapshot_edited_is_caught_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    // Row 40 is replayed onto the snapshot at open, so its hash is checked there: the fast path is refused and the
    // full path finds the break before open returns.
    Connection::open(&path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 40", []).unwrap();
    let opened = Store::open(&path, T0).unwrap();
    assert!(!opened.audit_pending);
    assert!(matches!(opened.recovery.map(|r| r.reason), Some(RecoveryReason::BrokenChain { seq: 40, .. })));
}
