//! Random operation sequences against the public engine, each byte an operation; after every step the decisions
//! must agree with the snapshot invariants (a feature's tier agrees with its purposes), errors must be typed, and
//! a reopen must give back the same decisions.
#![no_main]
use std::sync::Arc;

use consentkit::clock::ManualClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::{IdKind, Reason};
use consentkit::store::AgeBracket;
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = include_str!("../../examples/ride_hailing.json");

fn open(path: &std::path::Path, clock: &Arc<ManualClock>) -> Arc<Engine> {
    Engine::open(path, MANIFEST.as_bytes(), EngineOptions { clock: clock.clone(), flush_every: 8, device_key: None }).expect("open")
}

fn decisions(e: &Engine) -> Vec<Reason> {
    let mut v = Vec::new();
    for p in 0..e.index().purposes.len() as u32 {
        for &d in &e.index().purposes[p as usize].data_types.clone() {
            v.push(e.decide_handles(p, d).expect("valid handles"));
        }
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.db");
    let clock = Arc::new(ManualClock::new(1_767_225_600_000));
    let mut e = open(&path, &clock);
    let purposes = e.index().purposes.len() as u8;
    for &b in data.iter().take(64) {
        let p = u32::from(b % purposes);
        let actor = if b & 0x80 != 0 { Actor::Guardian } else { Actor::User };
        let r = match (b >> 3) % 10 {
            0 => e.agree_to_policy("2026-11-01", actor, "f"),
            1 => e.decline_policy(actor, "f"),
            2 => e.grant(&[p], actor, "f"),
            3 => e.grant(&[0, p], actor, "f"),
            4 => e.refuse(p, actor, "f"),
            5 => e.withdraw(p, actor, "f"),
            6 => e.set_age_bracket(if b & 1 == 0 { AgeBracket::Under14 } else { AgeBracket::Adult }, actor, "f"),
            7 => e.advance_clock(i64::from(b) * 3_600_000),
            8 => {
                let ride = e.handle(IdKind::Purpose, "ride").unwrap();
                let dest = e.handle(IdKind::DataType, "destination").unwrap();
                e.collect(ride, dest, None).map(|_| ())
            }
            _ => {
                let before = decisions(&e);
                e.close().unwrap();
                e = open(&path, &clock);
                assert!(e.recovery().is_none());
                assert_eq!(before, decisions(&e), "reopen changed decisions");
                Ok(())
            }
        };
        if let Err(err) = r {
            assert!(!err.to_string().is_empty());
        }
        let snap = e.snapshot();
        for (f, feature) in e.index().features.iter().enumerate() {
            if let Some(t) = snap.resolutions[f].tier {
                for &req in &feature.tiers[t as usize].requires {
                    assert!(snap.allowed(req), "tier requires a purpose that is not allowed");
                }
            }
        }
    }
});
