//! The store through the engine: migrations from the first schema, recovery of damaged or tampered files (kept,
//! never deleted), durability, the access log, two instances on one file, and path errors.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::{IdKind, Reason};
use consentkit::store::{schema, ChainCheck, RecoveryReason, Store};
use consentkit::CoreError;
use rusqlite::Connection;

const T0: i64 = 1_767_225_600_000;

fn manifest() -> Vec<u8> {
    fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ride_hailing.json")).unwrap()
}

fn open(path: &Path) -> Result<Arc<Engine>, CoreError> {
    Engine::open(path, &manifest(), EngineOptions { clock: Arc::new(ManualClock::new(T0)), flush_every: 4096, device_key: None })
}

fn p(e: &Engine, id: &str) -> u32 {
    e.handle(IdKind::Purpose, id).unwrap()
}

fn agree_and_grant_ads(e: &Engine) {
    e.agree_to_policy("2026-11-01", Actor::User, "test").unwrap();
    e.grant(&[p(e, "ads")], Actor::User, "test").unwrap();
}

fn quarantined(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().contains(".quarantine-")).collect()
}

#[test]
fn missing_file_is_created_without_a_recovery_event() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(&dir.path().join("new.db")).unwrap();
    assert!(e.recovery().is_none());
    assert!(dir.path().join("new.db").exists());
}

#[test]
fn state_survives_reopen_and_grants_are_durable_before_return() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path).unwrap();
    agree_and_grant_ads(&e);
    // Another connection sees the committed rows while the instance is still open.
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    drop(e);
    let e = open(&path).unwrap();
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
}

#[test]
fn a_database_written_by_schema_1_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        // Build a version-1 database exactly as the first release wrote it: frozen SQL + a chained row.
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let tx = conn.transaction().unwrap();
        consentkit::store::ledger::append(
            &tx,
            &consentkit::store::NewEvent {
                at_ms: T0,
                kind: consentkit::store::EventKind::PolicyAgreed,
                purpose: String::new(),
                actor: "user".into(),
                source: "v1".into(),
                policy_version: "2026-11-01".into(),
                definition_hash: String::new(),
                detail: String::new(),
            },
        )
        .unwrap();
        tx.execute("INSERT INTO access_log (bucket_ms, purpose, data_type, recipient, count) VALUES (0, 'ride', 'destination', '', 3)", [])
            .unwrap();
        tx.commit().unwrap();
    }
    let e = open(&path).unwrap();
    assert!(e.recovery().is_none());
    // The agreement is kept as it was recorded; it named no coverage (the terms of the necessary purposes did not
    // exist then), so it does not cover today's necessary purposes: the user is asked again (docs/rules.md).
    assert!(!e.snapshot().policy_agreed, "an agreement that covers no known terms lapses");
    let prompt = e.next_prompt(&consentkit::prompt::Trigger::AppStart).unwrap().unwrap();
    assert_eq!(prompt.kind, consentkit::prompt::PromptKind::ReConsent);
    e.with_store(|s, state| {
        assert_eq!(state.policy_agreed, Some(("2026-11-01".to_string(), "user".to_string())), "the v1 agreement is kept");
        assert_eq!(schema::user_version(s.connection()).unwrap(), schema::SCHEMA_VERSION);
        let totals = s.access_totals()?;
        assert_eq!(totals[0].count, 3);
        Ok(())
    })
    .unwrap();
}

fn assert_recovered(path: &Path, expect: fn(&RecoveryReason) -> bool) {
    let original = fs::read(path).unwrap();
    let e = open(path).unwrap();
    let event = e.recovery().expect("a recovery event").clone();
    assert!(expect(&event.reason), "{:?}", event.reason);
    let kept = PathBuf::from(&event.quarantined_path);
    assert_eq!(fs::read(&kept).unwrap(), original, "the damaged file is kept byte for byte");
    assert!(!quarantined(path.parent().unwrap()).is_empty());
    // Safe default: nothing agreed, nothing granted, features on browse tiers.
    let snap = e.snapshot();
    assert!(!snap.policy_agreed);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::PolicyNotAgreed);
    // And the fresh database works.
    agree_and_grant_ads(&e);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
}

#[test]
fn garbage_file_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    fs::write(&path, b"this is not a database, but it is somebody's evidence".repeat(200)).unwrap();
    assert_recovered(&path, |r| matches!(r, RecoveryReason::Corrupt { .. }));
}

#[test]
fn schema_from_the_future_is_quarantined_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    {
        let e = open(&path).unwrap();
        agree_and_grant_ads(&e);
    }
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    assert_recovered(&path, |r| matches!(r, RecoveryReason::SchemaTooNew { found: 99, .. }));
}

#[test]
fn tampered_ledger_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    {
        let e = open(&path).unwrap();
        agree_and_grant_ads(&e);
        e.withdraw(p(&e, "ads"), Actor::User, "test").unwrap();
    }
    // Someone turns the withdrawal back into a grant.
    Connection::open(&path).unwrap().execute("UPDATE ledger SET kind = 'granted' WHERE seq = 3", []).unwrap();
    assert_recovered(&path, |r| matches!(r, RecoveryReason::BrokenChain { seq: 3, .. }));
}

#[test]
fn deleting_the_last_row_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    {
        let e = open(&path).unwrap();
        agree_and_grant_ads(&e);
        e.withdraw(p(&e, "ads"), Actor::User, "test").unwrap();
    }
    Connection::open(&path).unwrap().execute("DELETE FROM ledger WHERE seq = 3", []).unwrap();
    assert_recovered(&path, |r| matches!(r, RecoveryReason::BrokenChain { .. }));
}

#[test]
fn unusable_paths_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(open(dir.path()), Err(CoreError::InvalidArgument(_))));
    assert!(matches!(open(Path::new("")), Err(CoreError::InvalidArgument(_))));
    assert!(matches!(open(&dir.path().join("no/such/dir/c.db")), Err(CoreError::Storage(_))));
}

#[test]
fn access_log_is_batched_and_flushed_on_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = Engine::open(&path, &manifest(), EngineOptions { clock: Arc::new(ManualClock::new(T0)), flush_every: 10, device_key: None }).unwrap();
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let (ride, dest) = (p(&e, "ride"), e.handle(IdKind::DataType, "destination").unwrap());
    for _ in 0..25 {
        assert!(e.collect(ride, dest, None).unwrap().is_ok());
    }
    let on_disk = |path: &Path| -> i64 {
        Connection::open(path).unwrap().query_row("SELECT COALESCE(SUM(count),0) FROM access_log", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(on_disk(&path), 20, "two batches of 10 written, 5 pending");
    e.close().unwrap();
    assert_eq!(on_disk(&path), 25, "close flushes the rest");
    assert!(matches!(e.decide("ride", "destination"), Err(CoreError::Closed)));
}

#[test]
fn two_instances_on_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let a = open(&path).unwrap();
    let b = open(&path).unwrap();
    a.agree_to_policy("2026-11-01", Actor::User, "a").unwrap();
    b.refresh().unwrap();
    assert!(b.snapshot().policy_agreed, "b sees a's agreement after refresh");
    b.grant(&[p(&b, "ads")], Actor::User, "b").unwrap();
    a.grant(&[p(&a, "live_location")], Actor::User, "a").unwrap();
    // a's write caught up with b's grant first.
    assert_eq!(a.decide("ads", "device_id").unwrap(), Reason::Allowed);
    let rows = a.with_store(|s, _| s.rows_after(0)).unwrap();
    assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    let check = a.with_store(|s, _| s.verify_chain(|_| {})).unwrap();
    assert_eq!(check, ChainCheck::Intact { rows: 3 });
}

#[test]
fn a_write_that_fails_changes_nothing_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path).unwrap();
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    // Hold the write lock from another connection: the grant cannot become durable.
    let blocker = Connection::open(&path).unwrap();
    blocker.busy_timeout(std::time::Duration::from_millis(1)).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let before = e.snapshot().version;
    let started = std::time::Instant::now();
    let r = e.with_store(|s, _| {
        s.connection().busy_timeout(std::time::Duration::from_millis(200)).unwrap();
        Ok(())
    });
    r.unwrap();
    let err = e.grant(&[p(&e, "ads")], Actor::User, "t").unwrap_err();
    assert!(matches!(err, CoreError::Storage(_)), "{err:?}");
    assert!(started.elapsed().as_secs() < 5);
    assert_eq!(e.snapshot().version, before);
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::NotGranted, "not granted in memory either");
    blocker.execute_batch("ROLLBACK").unwrap();
    e.grant(&[p(&e, "ads")], Actor::User, "t").unwrap();
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed);
}

#[test]
fn store_open_reports_nothing_for_a_fresh_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let key = std::sync::Arc::new(consentkit::integrity::KeyFile::for_database(&path, None));
    let opened = Store::open(&path, T0, key).unwrap();
    assert!(opened.recovery.is_none() && opened.state.last_seq == 0);
    assert_eq!(opened.store.verify_chain(|_| {}).unwrap(), ChainCheck::Intact { rows: 0 });
}

/// Another process's commit: a withdrawal written by an engine of its own (its own connection, the same device key),
/// which records the new chain head and its MAC with the row, as every ConsentKit writer does.
fn withdraw_ads_from_another_connection(path: &Path) {
    let other = open(path).unwrap();
    other.withdraw(other.handle(IdKind::Purpose, "ads").unwrap(), Actor::User, "other process").unwrap();
    other.close().unwrap();
}

#[test]
fn data_version_moves_only_for_other_connections_and_refresh_if_changed_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path).unwrap();
    let version = || e.with_store(|s, _| s.data_version()).unwrap();
    e.refresh_if_changed().unwrap(); // the first check records where the file stands
    assert!(!e.refresh_if_changed().unwrap(), "nothing changed: no refresh");
    let before = version();
    agree_and_grant_ads(&e);
    assert_eq!(version(), before, "our own commits do not move data_version");
    assert!(!e.refresh_if_changed().unwrap());
    withdraw_ads_from_another_connection(&path);
    assert_ne!(version(), before, "another connection's commit moves it");
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Allowed, "not seen before the check");
    assert!(e.refresh_if_changed().unwrap());
    assert_eq!(e.decide("ads", "device_id").unwrap(), Reason::Withdrawn, "seen after it");
    assert!(!e.refresh_if_changed().unwrap(), "once");
}
