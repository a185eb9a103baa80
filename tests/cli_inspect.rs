//! `store::inspect` (the read-only door the CLI uses) and `consentkit ledger verify` on databases the demo cannot
//! make: a long ledger (progress callback, a break far down), an old schema (read as it is, never migrated), a
//! schema from the future (refused, untouched).
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use consentkit::store::inspect::{InspectError, Inspector, Integrity};
use consentkit::store::{ledger, schema, state, ChainCheck, EventKind, NewEvent};
use rusqlite::Connection;

fn ck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consentkit")).args(args).output().expect("run consentkit")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// A database at schema `version` with `rows` ledger events written in one transaction (fast: no per-row fsync).
fn database(dir: &Path, version: u32, rows: usize) -> PathBuf {
    let path = dir.join(format!("v{version}-{rows}.db"));
    let mut conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    let tx = conn.transaction().unwrap();
    if version == 1 {
        tx.execute_batch(schema::V1).unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
    } else {
        schema::migrate(&tx, 0).unwrap();
    }
    let mut last = None;
    for i in 0..rows {
        let kind = [EventKind::PolicyAgreed, EventKind::Granted, EventKind::Withdrawn][i % 3];
        let event = NewEvent {
            at_ms: 1_795_683_600_000 + i as i64 * 1000,
            kind,
            purpose: if kind == EventKind::PolicyAgreed { String::new() } else { "ads".into() },
            actor: "user".into(),
            source: format!("screen_{}", i % 7),
            policy_version: "2026-11-01".into(),
            definition_hash: if kind == EventKind::PolicyAgreed { String::new() } else { "sha256:00".into() },
            detail: String::new(),
        };
        last = Some(ledger::append(&tx, &event).unwrap());
    }
    if let Some(row) = last {
        state::set_setting(&tx, "ledger_head", &format!("{}:{}", row.seq, row.hash)).unwrap();
    }
    let access_columns = if version == 1 { "" } else { ", last_ms" };
    let access_values = if version == 1 { "" } else { ", 1795683600500" };
    tx.execute_batch(&format!(
        "INSERT INTO access_log (bucket_ms, purpose, data_type, recipient, count{access_columns}) \
         VALUES (1795683600000, 'ads', 'device_id', 'adnet', 7{access_values})"
    ))
    .unwrap();
    tx.commit().unwrap();
    drop(conn);
    path
}

#[test]
fn a_long_ledger_verifies_with_progress_and_a_break_far_down_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), 2, 10_000);
    let inspector = Inspector::open(&db).unwrap();
    assert_eq!(inspector.ledger_len().unwrap(), 10_000);
    let mut seen = Vec::new();
    let started = Instant::now();
    let check = inspector.verify_chain(|n| seen.push(n)).unwrap();
    eprintln!("verified 10,000 rows in {:?}", started.elapsed());
    assert_eq!(check, ChainCheck::Intact { rows: 10_000 });
    assert_eq!(seen, vec![4096, 8192, 10_000], "progress every 4096 rows and at the end");
    drop(inspector);

    let o = ck(&["ledger", "verify", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("10000 row(s) verified"));

    Connection::open(&db).unwrap().execute("UPDATE ledger SET at_ms = at_ms + 1 WHERE seq = 9000", []).unwrap();
    let o = ck(&["ledger", "verify", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("BROKEN at row 9000") && text(&o).contains("rows 1..8999 verify"), "{}", text(&o));
}

#[test]
fn an_old_schema_is_read_as_it_is_and_never_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), 1, 5);
    let inspector = Inspector::open(&db).unwrap();
    assert_eq!(inspector.schema_version(), 1);
    assert_eq!(inspector.integrity().unwrap(), Integrity::Ok);
    assert_eq!(inspector.verify_chain(|_| {}).unwrap(), ChainCheck::Intact { rows: 5 });
    let totals = inspector.access_totals().unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!((totals[0].count, totals[0].last_ms), (7, 0), "schema 1 has no last-collection time");
    let state = inspector.state().unwrap();
    assert_eq!(state.last_seq, 5);
    drop(inspector);
    let o = ck(&["ledger", "show", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("schema 1"));
    let version: u32 = Connection::open(&db).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 1, "inspection never migrates");
}

#[test]
fn a_schema_from_the_future_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), 2, 3);
    Connection::open(&db).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let before = std::fs::read(&db).unwrap();
    match Inspector::open(&db) {
        Err(InspectError::SchemaTooNew { found: 99, .. }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let o = ck(&["ledger", "verify", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("newer than this tool knows"));
    assert_eq!(std::fs::read(&db).unwrap(), before, "never rewritten");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "never quarantined");
}

#[test]
fn a_database_with_a_leftover_wal_is_read_through_it() {
    // A killed app leaves committed rows in the -wal file only: the inspector must see them.
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), 2, 3);
    let conn = Connection::open(&db).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    {
        let tx = rusqlite::Connection::unchecked_transaction(&conn).unwrap();
        let event = NewEvent {
            at_ms: 1_795_683_700_000,
            kind: EventKind::Withdrawn,
            purpose: "ads".into(),
            actor: "user".into(),
            source: "settings".into(),
            policy_version: "2026-11-01".into(),
            definition_hash: "sha256:00".into(),
            detail: String::new(),
        };
        let row = ledger::append(&tx, &event).unwrap();
        state::set_setting(&tx, "ledger_head", &format!("{}:{}", row.seq, row.hash)).unwrap();
        tx.commit().unwrap();
    }
    assert!(PathBuf::from(format!("{}-wal", db.display())).exists());
    // The writer is still open (like a running app): read now.
    let inspector = Inspector::open(&db).unwrap();
    assert_eq!(inspector.verify_chain(|_| {}).unwrap(), ChainCheck::Intact { rows: 4 });
    assert_eq!(inspector.ledger().unwrap().last().unwrap().source, "settings");
    drop(conn);
}
