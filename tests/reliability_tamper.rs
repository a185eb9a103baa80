//! Tamper detection: one ledger row edited, deleted, reordered or inserted through plain SQL, at random, N >= 1000
//! times; `verify` must detect every case, and `open` must never rebuild state from a broken chain.

use std::path::Path;
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::IdKind;
use consentkit::store::{ChainCheck, RecoveryReason};
use proptest::prelude::*;
use rusqlite::Connection;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const ROWS: i64 = 24;

fn build_ledger(path: &Path) {
    let e = Engine::open(path, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(1_767_225_600_000)), flush_every: 64, device_key: None })
        .unwrap();
    e.agree_to_policy("2026-11-01", Actor::User, "setup").unwrap();
    let ads = e.handle(IdKind::Purpose, "ads").unwrap();
    let live = e.handle(IdKind::Purpose, "live_location").unwrap();
    for i in 1..ROWS {
        let p = if i % 2 == 0 { ads } else { live };
        match i % 3 {
            0 => e.grant(&[p], Actor::User, "setup").unwrap(),
            1 => e.withdraw(p, Actor::User, "setup").unwrap(),
            _ => e.refuse(p, Actor::User, "setup").unwrap(),
        }
        e.advance_clock(1000).unwrap();
    }
    e.close().unwrap();
}

static TEMPLATE: once_cell::sync::Lazy<(tempfile::TempDir, std::path::PathBuf)> = once_cell::sync::Lazy::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.db");
    build_ledger(&path);
    (dir, path)
});

const COLUMNS: [&str; 9] = ["at_ms", "kind", "purpose", "actor", "source", "policy_version", "definition_hash", "detail", "prev_hash"];

#[derive(Debug, Clone)]
enum Tamper {
    Edit { seq: i64, column: usize, value: String },
    Delete { seq: i64 },
    Reorder { a: i64, b: i64 },
    Insert { after: i64, copy_of: i64 },
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (1..=ROWS, 0..COLUMNS.len(), "[a-z0-9_]{1,12}").prop_map(|(seq, column, value)| Tamper::Edit { seq, column, value }),
        (1..=ROWS).prop_map(|seq| Tamper::Delete { seq }),
        (1..=ROWS, 1..=ROWS).prop_filter("distinct rows", |(a, b)| a != b).prop_map(|(a, b)| Tamper::Reorder { a, b }),
        (0..=ROWS, 1..=ROWS).prop_map(|(after, copy_of)| Tamper::Insert { after, copy_of }),
    ]
}

/// Applies the tamper with plain SQL; returns false when it would not change the table (nothing to detect).
fn apply(conn: &Connection, t: &Tamper) -> bool {
    match t {
        Tamper::Edit { seq, column, value } => {
            let col = COLUMNS[*column];
            let current: String = conn.query_row(&format!("SELECT CAST({col} AS TEXT) FROM ledger WHERE seq = ?1"), [seq], |r| r.get(0)).unwrap();
            let value = if col == "at_ms" { (current.parse::<i64>().unwrap() + 1).to_string() } else { value.clone() };
            if value == current {
                return false;
            }
            conn.execute(&format!("UPDATE ledger SET {col} = ?1 WHERE seq = ?2"), rusqlite::params![value, seq]).unwrap();
        }
        Tamper::Delete { seq } => {
            conn.execute("DELETE FROM ledger WHERE seq = ?1", [seq]).unwrap();
        }
        Tamper::Reorder { a, b } => {
            // Swap two rows' positions in the sequence.
            conn.execute_batch(&format!(
                "UPDATE ledger SET seq = -1 WHERE seq = {a}; UPDATE ledger SET seq = {a} WHERE seq = {b}; UPDATE ledger SET seq = {b} WHERE seq = -1;"
            ))
            .unwrap();
        }
        Tamper::Insert { after, copy_of } => {
            // Make room, then insert a copy of an existing row (with its original hashes) at the gap.
            conn.execute_batch(&format!(
                "UPDATE ledger SET seq = -seq - 1 WHERE seq > {after}; UPDATE ledger SET seq = -seq WHERE seq < 0;
                 INSERT INTO ledger (seq, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, prev_hash, hash)
                   SELECT {after} + 1, at_ms, kind, purpose, actor, source, policy_version, definition_hash, detail, prev_hash, hash
                   FROM ledger WHERE seq = (CASE WHEN {copy_of} > {after} THEN {copy_of} + 1 ELSE {copy_of} END);"
            ))
            .unwrap();
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1200, .. ProptestConfig::default() })]
    #[test]
    fn every_single_row_tamper_is_detected(t in tamper()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        std::fs::copy(&TEMPLATE.1, &path).unwrap();
        let conn = Connection::open(&path).unwrap();
        if !apply(&conn, &t) {
            return Ok(());
        }
        let check = consentkit::store::ledger::verify_with_head(&conn, |_| {}).unwrap();
        prop_assert!(matches!(check, ChainCheck::Broken { .. }), "undetected: {:?}", t);
        drop(conn);
        // open never rebuilds state from it: it quarantines and starts on the safe default.
        let e = Engine::open(&path, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(0)), flush_every: 64, device_key: None }).unwrap();
        let recovered_from_broken_chain = matches!(e.recovery().map(|r| r.reason), Some(RecoveryReason::BrokenChain { .. }));
        prop_assert!(recovered_from_broken_chain, "open did not quarantine: {:?}", t);
        prop_assert!(!e.snapshot().policy_agreed);
    }
}

#[test]
fn the_untampered_template_verifies() {
    let conn = Connection::open(&TEMPLATE.1).unwrap();
    assert_eq!(consentkit::store::ledger::verify(&conn, |_| {}).unwrap(), ChainCheck::Intact { rows: ROWS as u64 });
}
