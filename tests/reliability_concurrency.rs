//! Concurrency: readers calling `decide` and `resolve` while a writer toggles a purpose never see the two disagree
//! within one published version; and two processes writing one database file — no lost write and no busy error
//! reaching the app.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[cfg(feature = "stress")]
use consentkit::clock::ManualClock;
#[cfg(feature = "stress")]
use consentkit::engine::{Engine, EngineOptions};
use consentkit::ffi::{Actor, ConsentKit, HandleKind, OpenOptions};

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");

/// What can tear is a read that spans two things the engine publishes: `decide` (the per-event answer) and
/// `resolve` (a feature's tier) must come from the same state. Each reader takes the snapshot's version, then
/// `decide`, `resolve` and `decide` again, then the version again; when both versions are equal nothing was published
/// in between, so the three answers must agree: `offers` is at its personalised tier (which requires `ads`) exactly
/// when `decide(ads, device_id)` is allowed. A design that publishes the decisions apart from the snapshot (decision
/// cells stored first, the snapshot swapped after) fails this: a reader between the two stores reads the new
/// decision twice and the old tier, under the old version.
#[test]
fn decide_and_resolve_agree_within_one_version_while_a_writer_toggles() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions { manual_clock_start_ms: Some(0), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), opts).unwrap();
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "t".into()).unwrap();
    let ads = kit.handle(HandleKind::Purpose, "ads".into()).unwrap();
    let device_id = kit.handle(HandleKind::DataType, "device_id".into()).unwrap();
    let personalised = Some(0); // the `offers` tier that requires `ads`
    let toggles = 300;
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (kit, done) = (kit.clone(), done.clone());
        std::thread::spawn(move || {
            for _ in 0..toggles {
                kit.grant("ads".into(), Actor::User, "w".into()).unwrap();
                kit.withdraw("ads".into(), Actor::User, "w".into()).unwrap();
            }
            done.store(true, Ordering::Release);
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (kit, done) = (kit.clone(), done.clone());
            std::thread::spawn(move || {
                let (mut allowed, mut denied, mut straddled) = (0u64, 0u64, 0u64);
                let mut last = 0;
                while !done.load(Ordering::Acquire) {
                    let before = kit.engine().snapshot().version;
                    let first = kit.decide_code(ads, device_id) == 0;
                    let tier = kit.resolve("offers").unwrap().tier_index;
                    let second = kit.decide_code(ads, device_id) == 0;
                    let after = kit.engine().snapshot().version;
                    assert!(before >= last && after >= before, "versions never go back ({last}, {before}, {after})");
                    last = after;
                    if before != after {
                        straddled += 1;
                        continue;
                    }
                    assert_eq!(first, second, "decide changed within version {before}");
                    assert_eq!(tier == personalised, first, "resolve ({tier:?}) disagrees with decide ({first}) in version {before}");
                    if first {
                        allowed += 1;
                    } else {
                        denied += 1;
                    }
                }
                (allowed, denied, straddled)
            })
        })
        .collect();
    let counts: Vec<(u64, u64, u64)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    writer.join().unwrap();
    eprintln!("{} writes; per reader (consistent reads allowed, denied; reads straddling a write): {counts:?}", 2 * toggles);
    let (allowed, denied) = counts.iter().fold((0, 0), |(a, d), c| (a + c.0, d + c.1));
    assert!(allowed > 0 && denied > 0, "the readers saw both states ({allowed} allowed, {denied} denied)");
    assert_eq!(kit.engine().snapshot().version, 2 + 2 * toggles as u64, "one version per write");
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
