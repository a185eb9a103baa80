//! Concurrency: 8 reader threads x 1M decide/resolve while a writer grants and withdraws — no panic and no torn
//! read (within one snapshot a feature's tier always agrees with its purposes' decisions); and two processes
//! writing one database file — no lost write and no busy error reaching the app.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::{IdKind, Reason};

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");

#[test]
fn readers_never_see_a_torn_snapshot_while_a_writer_runs() {
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(
        Engine::open(&dir.path().join("c.db"), MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(0)), flush_every: 4096, device_key: None })
            .unwrap(),
    );
    e.agree_to_policy("2026-11-01", Actor::User, "t").unwrap();
    let ads = e.handle(IdKind::Purpose, "ads").unwrap();
    let live = e.handle(IdKind::Purpose, "live_location").unwrap();
    let device_id = e.handle(IdKind::DataType, "device_id").unwrap();
    let offers = e.handle(IdKind::Feature, "offers").unwrap() as usize;
    let pickup = e.handle(IdKind::Feature, "pickup").unwrap() as usize;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (e, stop) = (e.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut writes = 0u64;
            while !stop.load(Ordering::Relaxed) {
                e.grant(&[ads], Actor::User, "w").unwrap();
                e.grant(&[live], Actor::User, "w").unwrap();
                e.withdraw(ads, Actor::User, "w").unwrap();
                e.withdraw(live, Actor::User, "w").unwrap();
                writes += 4;
            }
            writes
        })
    };
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let e = e.clone();
            std::thread::spawn(move || {
                let mut versions_seen = 0u64;
                let mut last = 0;
                for _ in 0..1_000_000 {
                    let snap = e.snapshot();
                    let ads_ok = snap.code(ads, device_id) == Reason::Allowed as u8;
                    assert_eq!(ads_ok, snap.allowed(ads));
                    let offers_tier = snap.resolutions[offers].tier;
                    assert_eq!(offers_tier == Some(0), ads_ok, "offers tier agrees with ads in the same snapshot");
                    assert_eq!(snap.resolutions[pickup].tier == Some(0), snap.allowed(live));
                    assert!(snap.version >= last, "versions never go back");
                    if snap.version != last {
                        versions_seen += 1;
                        last = snap.version;
                    }
                    assert!(e.decide_handles(ads, device_id).is_ok());
                }
                versions_seen
            })
        })
        .collect();
    let seen: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    eprintln!("8 readers x 1M reads; {writes} writes meanwhile; {seen} snapshot changes observed");
    assert!(writes > 0);
}

#[cfg(feature = "stress")]
#[test]
fn two_processes_writing_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    // Create it first so both children open an existing file.
    drop(Engine::open(&db, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(0)), flush_every: 64, device_key: None }).unwrap());
    let n = 150;
    let children: Vec<_> = (0..2)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_consentkit-stress"))
                .args(["loop", db.to_str().unwrap(), &(i + 11).to_string(), &n.to_string()])
                .output_spawn()
        })
        .collect();
    let mut acks = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a writer failed (busy error reached it?): {}", String::from_utf8_lossy(&out.stderr));
        acks += String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("ack ")).count();
    }
    let e = Engine::open(&db, MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(ManualClock::new(0)), flush_every: 64, device_key: None }).unwrap();
    assert!(e.recovery().is_none());
    let rows = e.with_store(|s, _| s.rows_after(0)).unwrap();
    assert_eq!(rows.len(), acks, "every acknowledged write of both processes is in the ledger");
    assert_eq!(e.with_store(|s, _| s.verify_chain(|_| {})).unwrap(), consentkit::store::ChainCheck::Intact { rows: acks as u64 });
}

#[cfg(feature = "stress")]
trait SpawnPiped {
    fn output_spawn(&mut self) -> std::process::Child;
}
#[cfg(feature = "stress")]
impl SpawnPiped for std::process::Command {
    fn output_spawn(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
    }
}
