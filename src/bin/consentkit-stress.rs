//! Stress driver for the reliability tests (feature "stress"): a child process that writes consent events in a loop
//! and acknowledges each one on stdout only after the call returned (so a parent can SIGKILL it at any moment and
//! check that every acknowledged event survived).
//!
//! Usage: `consentkit-stress loop <db> <seed> [max_events]` — random grants/withdrawals/refusals, prints
//! `ack <seq> <kind> <purpose>` per durable event; exits after max_events (default: never).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use consentkit::clock::SystemClock;
use consentkit::engine::{Actor, Engine, EngineOptions};
use consentkit::gate::IdKind;

const MANIFEST: &str = include_str!("../../examples/ride_hailing.json");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 || args[1] != "loop" {
        eprintln!("usage: consentkit-stress loop <db> <seed> [max_events]");
        std::process::exit(2);
    }
    let seed: u64 = args[3].parse().unwrap_or(1);
    let max: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    let engine = match Engine::open(Path::new(&args[2]), MANIFEST.as_bytes(), EngineOptions { clock: Arc::new(SystemClock), flush_every: 64, device_key: None }) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("open failed: {e}");
            std::process::exit(3);
        }
    };
    if let Some(r) = engine.recovery() {
        eprintln!("unexpected recovery: {r:?}");
        std::process::exit(4);
    }
    let purposes: Vec<u32> = ["live_location", "ads"].iter().map(|p| engine.handle(IdKind::Purpose, p).unwrap_or(0)).collect();
    let ride = engine.handle(IdKind::Purpose, "ride").unwrap_or(0);
    let dest = engine.handle(IdKind::DataType, "destination").unwrap_or(0);
    let mut rng = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut out = std::io::stdout().lock();
    if !engine.snapshot().policy_agreed {
        if let Err(e) = engine.agree_to_policy(&engine.index().manifest.policy.version.clone(), Actor::User, "stress") {
            eprintln!("agree failed: {e}");
            std::process::exit(5);
        }
        let seq = engine.with_store(|_, s| Ok(s.last_seq)).unwrap_or(-1);
        let _ = writeln!(out, "ack {seq} policy_agreed -");
        let _ = out.flush();
    }
    for _ in 0..max {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let p = purposes[(rng % purposes.len() as u64) as usize];
        let (kind, result) = match (rng >> 8) % 3 {
            0 => ("granted", engine.grant(&[p], Actor::User, "stress")),
            1 => ("withdrawn", engine.withdraw(p, Actor::User, "stress")),
            _ => ("refused", engine.refuse(p, Actor::User, "stress")),
        };
        if let Err(e) = result {
            eprintln!("write failed: {e}");
            std::process::exit(6);
        }
        let seq = engine.with_store(|_, s| Ok(s.last_seq)).unwrap_or(-1);
        let _ = engine.collect(ride, dest, None);
        let id = &engine.index().purposes[p as usize].id;
        if writeln!(out, "ack {seq} {kind} {id}").and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}
