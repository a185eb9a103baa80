//! Recoveries and other processes, tried as an adversary or an unlucky device would (cases found by an adversarial
//! review, each a wrong "allowed" before its fix): a file set aside by another process, a child's bracket across a
//! recovery at open or by an engine behind another process's writes, and out-of-range handles on the Rust API.

use std::path::Path;
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions, IntegrityCheck};
use consentkit::gate::{IdKind, Reason};
use consentkit::store::AgeBracket;
use rusqlite::Connection;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const T0: i64 = 1_767_225_600_000;

fn open(path: &Path) -> Arc<Engine> {
    Engine::open(path, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(T0)), flush_every: 64, device_key: None }).unwrap()
}

fn h(e: &Engine, purpose: &str) -> u32 {
    e.handle(IdKind::Purpose, purpose).unwrap()
}

/// Edits the last ledger row as a naive editor would (its stored hash left alone): damage to whoever verifies it.
fn edit_last_row(path: &Path) {
    Connection::open(path)
        .unwrap()
        .execute("UPDATE ledger SET source = 'forged' WHERE seq = (SELECT MAX(seq) FROM ledger)", [])
        .unwrap();
}

/// What a lost bracket would allow: the child agreeing alone, and a necessary purpose allowed without a guardian.
fn assert_still_a_child(e: &Engine) {
    assert_eq!(e.snapshot().age, AgeBracket::Under14, "the child's bracket was lost by the recovery");
    let agreed = e.agree_to_policy("2026-11-01", Actor::User, "t");
    assert!(matches!(agreed, Err(consentkit::CoreError::GuardianRequired { .. })), "{agreed:?}");
    assert_ne!(e.decide("ride", "phone_number").unwrap(), Reason::Allowed, "child agreed alone");
}

/// Two engines (two processes) on one file, both having seen `ads` granted; then the first finds an old row edited
/// (only its full verification can: the row is before both heads) and sets the file aside.
fn granted_in_both_then_set_aside_by_the_first(path: &Path) -> (Arc<Engine>, Arc<Engine>) {
    let a = open(path);
    let b = open(path);
    a.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    a.grant(&[h(&a, "ads")], Actor::User, "t").unwrap();
    b.refresh().unwrap();
    assert_eq!(b.decide("ads", "device_id").unwrap(), Reason::Allowed, "sanity: b sees the grant");
    Connection::open(path).unwrap().execute("UPDATE ledger SET source = 'forged' WHERE seq = 1", []).unwrap();
    assert_eq!(a.verify_integrity().unwrap(), IntegrityCheck::Recovered);
    (a, b)
}

#[test]
fn a_second_process_follows_the_file_another_process_set_aside_and_sees_its_withdrawal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let (a, b) = granted_in_both_then_set_aside_by_the_first(&path);
    // The live file at `path` is now the fresh one: the user agrees again and withdraws ads there.
    a.agree_to_policy("2026-11-01", Actor::User, "after").unwrap();
    a.withdraw(h(&a, "ads"), Actor::User, "after").unwrap();
    assert_ne!(a.decide("ads", "device_id").unwrap(), Reason::Allowed);
    // A third open of the path sees the withdrawal.
    let c = open(&path);
    assert_eq!(c.decide("ads", "device_id").unwrap(), Reason::Withdrawn, "the file at the path says withdrawn");
    // The second process, after an explicit refresh.
    b.refresh().unwrap();
    assert_ne!(
        b.decide("ads", "device_id").unwrap(),
        Reason::Allowed,
        "b still answers from the file that was set aside (the quarantined inode), ignoring the withdrawal"
    );
    assert!(!b.may_transfer(b.handle(IdKind::ThirdParty, "adnet").unwrap(), h(&b, "ads")).unwrap());
    // And its own writes land in the live file, where every other process reads them.
    b.refuse(h(&b, "live_location"), Actor::User, "b").unwrap();
    drop(c);
    let d = open(&path);
    assert!(d.snapshot().refused_at[h(&d, "live_location") as usize].is_some(), "b's refusal is in the file at the path");
}

#[test]
fn a_write_by_a_second_process_follows_the_file_another_process_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let (a, b) = granted_in_both_then_set_aside_by_the_first(&path);
    // No refresh on b: its next write notices the moved file first, reopens the path and writes there.
    b.agree_to_policy("2026-11-01", Actor::User, "b").unwrap();
    assert_ne!(b.decide("ads", "device_id").unwrap(), Reason::Allowed, "the grant stayed in the file set aside");
    drop((a, b));
    let c = open(&path);
    assert_eq!(c.decide("ride", "phone_number").unwrap(), Reason::Allowed, "b's agreement is in the live file");
    assert_ne!(c.decide("ads", "device_id").unwrap(), Reason::Allowed);
}

/// docs/rules.md §4 and §10: the under-14 bracket survives a recovery from a damaged file. Damage found at open
/// (a bogus row after the checkpoint) must carry the child's bracket to the fresh file too; otherwise the child can
/// agree to the policy alone and its necessary purposes are allowed without a guardian.
#[test]
fn a_recovery_at_open_keeps_a_child_under_14() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let e = open(&path);
    e.set_age_bracket(AgeBracket::Under14, Actor::User, "t").unwrap();
    e.refuse(h(&e, "ads"), Actor::User, "t").unwrap();
    e.close().unwrap();
    edit_last_row(&path); // the checkpoint's own row: open's fast path refuses it, the full path finds the break
    let e = open(&path);
    assert!(e.recovery().is_some(), "sanity: the damaged file was set aside at open");
    assert_still_a_child(&e);
}

/// The same rule when the damage is found by a write of an engine that had not yet seen the bracket another
/// process recorded (a verified, authenticated row before the damaged one).
#[test]
fn a_recovery_by_an_engine_behind_another_process_keeps_the_child_it_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let a = open(&path);
    let b = open(&path);
    a.set_age_bracket(AgeBracket::Under14, Actor::User, "t").unwrap();
    a.refuse(h(&a, "ads"), Actor::User, "t").unwrap();
    edit_last_row(&path);
    // b has not refreshed; its write catches up, verifies a's bracket row, then finds the edited one.
    b.withdraw(h(&b, "live_location"), Actor::User, "t").unwrap();
    assert!(b.recovery().is_some(), "sanity: b set the damaged file aside");
    assert_still_a_child(&b);
}

/// A purpose handle out of range on the Rust API's refuse/withdraw is a typed error, not a panic.
#[test]
fn withdraw_and_refuse_with_an_out_of_range_handle_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(&dir.path().join("c.db"));
    for r in [
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| e.withdraw(9_999, Actor::User, "t"))),
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| e.refuse(9_999, Actor::User, "t"))),
    ] {
        assert!(matches!(r, Ok(Err(consentkit::CoreError::InvalidArgument(_)))), "panicked or wrong: {:?}", r.as_ref().map(|x| x.as_ref().err()));
    }
}
