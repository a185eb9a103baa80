//! One engine per database file per process (`ConsentKit::open`), and other processes' changes seen without a call:
//! handles on one file see each other's writes at once, close only themselves, and the last close lets go of the
//! file; a file open with one manifest refuses another; a second (not shared) engine's writes reach the shared one
//! on `refresh()` at once and within about a second without any call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use consentkit::clock::ManualClock;
use consentkit::engine::{Engine, EngineOptions};
use consentkit::ffi::*;

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const NEWS: &str = include_str!("../examples/news.json");
const START_MS: i64 = 1_767_225_600_000;

fn options() -> OpenOptions {
    OpenOptions { manual_clock_start_ms: Some(START_MS), access_flush_every: None, integrity_dir: None }
}

fn open_at(db: &std::path::Path) -> Arc<ConsentKit> {
    ConsentKit::open(db.display().to_string(), MANIFEST.into(), options()).unwrap()
}

fn agree(kit: &ConsentKit) {
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "t".into()).unwrap();
}

fn ads_allowed(kit: &ConsentKit) -> bool {
    kit.decide("ads".into(), "device_id".into()).unwrap() == Decision::Allowed
}

/// A second engine on the file, not shared: what another process would be.
fn other_process(db: &std::path::Path) -> Arc<Engine> {
    Engine::open(db, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(START_MS)), flush_every: 4096, device_key: None }).unwrap()
}

struct Seen(AtomicBool);

impl ConsentObserver for Seen {
    fn on_change(&self, status: ConsentStatus) -> Result<(), ObserverError> {
        self.0.store(status.policy_agreed, Ordering::SeqCst);
        Ok(())
    }
    fn on_recovery(&self, _: RecoveryInfo) -> Result<(), ObserverError> {
        Ok(())
    }
}

#[test]
fn two_handles_on_one_file_see_each_others_writes_without_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let app = open_at(&db);
    // Another spelling of the same file is the same file.
    let widget = ConsentKit::open(dir.path().join(".").join("c.db").display().to_string(), MANIFEST.into(), options()).unwrap();
    let seen = Arc::new(Seen(AtomicBool::new(false)));
    app.add_observer(seen.clone()).unwrap();
    agree(&widget);
    assert!(app.status().unwrap().policy_agreed, "a write through one handle is the other's state at once");
    assert!(seen.0.load(Ordering::SeqCst), "an observer added through one handle sees writes through the other");
    app.grant("ads".into(), Actor::User, "t".into()).unwrap();
    assert!(ads_allowed(&widget));
    widget.withdraw("ads".into(), Actor::User, "t".into()).unwrap();
    assert!(!ads_allowed(&app), "a withdrawal through one handle holds for the other before it returns");
    assert_eq!(app.status().unwrap().version, widget.status().unwrap().version);
}

#[test]
fn closing_one_handle_leaves_the_other_working() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let app = open_at(&db);
    let widget = open_at(&db);
    let seen = Arc::new(Seen(AtomicBool::new(false)));
    widget.add_observer(seen.clone()).unwrap();
    widget.close().unwrap();
    widget.close().unwrap();
    assert!(matches!(widget.status(), Err(ConsentError::Closed)));
    assert!(matches!(widget.grant("ads".into(), Actor::User, "t".into()), Err(ConsentError::Closed)));
    assert_eq!(widget.decide_code(0, 0), CODE_CLOSED);
    agree(&app);
    app.grant("ads".into(), Actor::User, "t".into()).unwrap();
    assert!(ads_allowed(&app));
    assert!(!seen.0.load(Ordering::SeqCst), "a closed handle's observers are removed");
    assert!(matches!(widget.decide("ads".into(), "device_id".into()), Err(ConsentError::Closed)));
}

#[test]
fn the_last_close_releases_the_file_and_the_next_open_reads_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let (a, b) = (open_at(&db), open_at(&db));
    agree(&a);
    a.close().unwrap();
    b.grant("ads".into(), Actor::User, "t".into()).unwrap();
    b.close().unwrap();
    assert!(matches!(b.status(), Err(ConsentError::Closed)));
    // Written while no engine of this process has the file: the next open must read it from disk.
    let other = other_process(&db);
    other.withdraw(other.handle(consentkit::gate::IdKind::Purpose, "ads").unwrap(), consentkit::engine::Actor::User, "t").unwrap();
    other.close().unwrap();
    let c = open_at(&db);
    assert!(c.status().unwrap().policy_agreed);
    assert!(!ads_allowed(&c), "the reopened engine read the other writer's withdrawal from the file");
    // Dropping the last handle without close releases the file too: another manifest may open it now.
    drop(c);
    ConsentKit::open(db.display().to_string(), NEWS.into(), options()).unwrap();
}

#[test]
fn another_manifest_or_other_options_for_an_open_file_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let kit = open_at(&db);
    match ConsentKit::open(db.display().to_string(), NEWS.into(), options()) {
        Err(ConsentError::InvalidArgument { detail }) => {
            assert!(detail.contains("c.db") && detail.contains("another manifest"), "{detail}")
        }
        other => panic!("expected InvalidArgument, got {:?}", other.map(|_| ())),
    }
    let system_clock = OpenOptions { manual_clock_start_ms: None, access_flush_every: None, integrity_dir: None };
    assert!(matches!(
        ConsentKit::open(db.display().to_string(), MANIFEST.into(), system_clock),
        Err(ConsentError::InvalidArgument { .. })
    ));
    // The same manifest with other whitespace is the same manifest.
    let reformatted = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(MANIFEST).unwrap()).unwrap();
    let again = ConsentKit::open(db.display().to_string(), reformatted, options()).unwrap();
    assert!(std::ptr::eq(again.engine(), kit.engine()), "one engine");
    // The refusals did not disturb the open engine.
    agree(&kit);
    assert!(again.status().unwrap().policy_agreed);
}

#[test]
fn threads_opening_one_file_at_once_get_one_engine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let start = Arc::new(Barrier::new(8));
    let kits: Vec<Arc<ConsentKit>> = (0..8)
        .map(|_| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                open_at(&db)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(kits.iter().all(|k| std::ptr::eq(k.engine(), kits[0].engine())));
    agree(&kits[3]);
    assert!(kits.iter().all(|k| k.status().unwrap().policy_agreed));
}

#[test]
fn another_processs_change_is_seen_at_once_on_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let kit = open_at(&db);
    let other = other_process(&db);
    other.agree_to_policy("2026-11-01", consentkit::engine::Actor::User, "other").unwrap();
    kit.refresh().unwrap();
    assert!(kit.status().unwrap().policy_agreed);
}

#[test]
fn another_processs_change_is_seen_within_about_a_second_without_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let kit = open_at(&db);
    let seen = Arc::new(Seen(AtomicBool::new(false)));
    kit.add_observer(seen.clone()).unwrap();
    let other = other_process(&db);
    let written = Instant::now();
    other.agree_to_policy("2026-11-01", consentkit::engine::Actor::User, "other").unwrap();
    // The watcher checks every second; 1.5 s plus slack for a loaded 2-core machine running other tests.
    let deadline = written + Duration::from_millis(2500);
    while !kit.status().unwrap().policy_agreed {
        assert!(Instant::now() < deadline, "not seen {:?} after the other process wrote", written.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(seen.0.load(Ordering::SeqCst), "observers are told of the other process's change");
    eprintln!("seen {:?} after the other process wrote", written.elapsed());
}
