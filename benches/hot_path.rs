//! The in-process hot path against its floor, each row next to its reference in the same run:
//!
//! | group | row | reference |
//! |---|---|---|
//! | `decide_string` | `Engine::decide(&str, &str)` | one `HashMap<String, bool>` lookup of a combined key |
//! | `decide_handle` | `Engine::decide_handles(u32, u32)` | a bare array index + bit test |
//! | `resolve_5_tiers` | `ConsentKit::resolve(feature)` | `Engine::decide(&str, &str)` x the 4 purposes involved |
//! | `collect` | `Engine::collect` with the access log, batches flushed (also with the OS permission layer on: `consentkit_amortised_os_layer`) | `Engine::decide_handles` |
//! | `collect_limited` | `Engine::collect` of a frequency-limited type (counted in SQLite, no fsync) | a raw SQLite upsert in one transaction |
//!
//! Keys: every declared (purpose, data type) pair of the 40-purpose manifest, walked in the same fixed
//! pseudo-random order by a row and its reference; inputs and outputs go through `black_box`, and both sides end in
//! the same `bool` (allowed or not).
//! Run with `cargo bench --bench hot_path`; `bench/run.sh` turns the estimates into bench/results.md.

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

use consentkit::gate::{IdKind, Reason};

/// What a caller does with a decision: is it allowed? (Both sides of every row end in the same `bool`.
/// `black_box` on the whole `CoreResult<Reason>` instead would add a copy of an ~80-byte enum plus its drop glue
/// per call, ~13 ns here, which no real caller pays.)
#[inline(always)]
fn allowed(r: consentkit::error::CoreResult<Reason>) -> bool {
    matches!(r, Ok(Reason::Allowed))
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(40)
}

fn hot_path(c: &mut Criterion) {
    let dir = common::temp_dir();
    let manifest = common::manifest_40();
    let kit = common::typical(dir.path(), &manifest);
    let engine = kit.engine();
    let pairs = common::declared_pairs(&kit);
    let seq = common::sequence(&pairs, 0x5eed);
    let mask = common::SEQ - 1;

    // decide by string ids vs one HashMap<String, bool> lookup of a combined key (same keys, same order).
    let ids: Vec<(String, String)> = seq.iter().map(|(ids, _)| ids.clone()).collect();
    let combined: Vec<String> = ids.iter().map(|(p, d)| format!("{p}/{d}")).collect();
    let map: HashMap<String, bool> =
        ids.iter().map(|(p, d)| (format!("{p}/{d}"), engine.decide(p, d).expect("decide") == Reason::Allowed)).collect();
    let mut g = c.benchmark_group("decide_string");
    g.bench_function("consentkit", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = &ids[i & mask];
            i = i.wrapping_add(1);
            black_box(allowed(engine.decide(black_box(p), black_box(d))))
        })
    });
    g.bench_function("hashmap_reference", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let k = &combined[i & mask];
            i = i.wrapping_add(1);
            black_box(map.get(black_box(k.as_str())) == Some(&true))
        })
    });
    g.finish();

    // decide by handles vs a bare bitset: index + bit test.
    let handles: Vec<(u32, u32)> = seq.iter().map(|(_, h)| *h).collect();
    let width = engine.index().data_types.len();
    let mut bits = vec![0u64; (engine.index().purposes.len() * width).div_ceil(64)];
    for &(p, d) in &handles {
        if engine.decide_handles(p, d).expect("decide") == Reason::Allowed {
            let idx = p as usize * width + d as usize;
            bits[idx >> 6] |= 1 << (idx & 63);
        }
    }
    let mut g = c.benchmark_group("decide_handle");
    g.bench_function("consentkit", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = handles[i & mask];
            i = i.wrapping_add(1);
            black_box(allowed(engine.decide_handles(black_box(p), black_box(d))))
        })
    });
    g.bench_function("array_bit_reference", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = handles[i & mask];
            i = i.wrapping_add(1);
            let idx = black_box(p) as usize * width + black_box(d) as usize;
            black_box(bits[idx >> 6] >> (idx & 63) & 1 != 0)
        })
    });
    // Informative: the exported scalar entry point the generated bindings call (same work, code instead of enum).
    g.bench_function("decide_code", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = handles[i & mask];
            i = i.wrapping_add(1);
            black_box(kit.decide_code(black_box(p), black_box(d)) == 0)
        })
    });
    g.finish();

    // resolve(feature) with five tiers vs decide x the purposes those tiers involve.
    let feature = common::FIVE_TIER_FEATURE;
    let tier = kit.resolve(feature).expect("resolve");
    assert_eq!(tier.tier_index, Some(1), "the typical state resolves `trip` to its second tier");
    assert_eq!(tier.missing_purposes, ["purpose_03"], "and names the purpose its richest tier still needs");
    let involved: Vec<(String, String)> = common::FIVE_TIER_PURPOSES
        .iter()
        .map(|p| {
            let h = engine.handle(IdKind::Purpose, p).expect("purpose");
            let d = engine.index().purposes[h as usize].data_types[0];
            (p.to_string(), engine.index().data_types[d as usize].clone())
        })
        .collect();
    let mut g = c.benchmark_group("resolve_5_tiers");
    g.bench_function("consentkit", |b| {
        // The feature id is borrowed, as a Rust caller passes it; the returned record (its ids and the list of
        // missing purposes) is read and dropped inside the timed region, as a caller would.
        b.iter(|| {
            black_box(kit.resolve(black_box(feature)).map(|t| (t.tier_index, t.missing_purposes.len(), t.can_ask_now)).ok())
        })
    });
    g.bench_function("decide_x4_reference", |b| {
        b.iter(|| {
            for (p, d) in &involved {
                black_box(allowed(engine.decide(black_box(p), black_box(d))));
            }
        })
    });
    // Informative: what a handle-based resolve costs (the precomputed resolution in the snapshot).
    let fh = engine.handle(IdKind::Feature, common::FIVE_TIER_FEATURE).expect("feature");
    g.bench_function("snapshot_resolution_by_handle", |b| {
        b.iter(|| {
            let snap = engine.snapshot();
            black_box(snap.resolutions[black_box(fh) as usize].tier)
        })
    });
    g.finish();

    // collect with the access log, amortised: every batch flush (4096 collections -> one SQLite transaction)
    // and the final flush fall inside the timed loop. Allowed pairs without a frequency limit.
    let collectable: Vec<(u32, u32)> = pairs
        .iter()
        .map(|(_, h)| *h)
        .filter(|&(p, d)| {
            engine.decide_handles(p, d).expect("decide") == Reason::Allowed
                && !engine.index().purposes[p as usize].limits.iter().any(|l| l.data_type == d)
        })
        .collect();
    let cseq = common::sequence(&collectable, 0xc011ec7);
    let mut g = c.benchmark_group("collect");
    g.bench_function("consentkit_amortised", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for i in 0..iters as usize {
                let (p, d) = cseq[i & mask];
                let r = engine.collect(black_box(p), black_box(d), None).expect("collect");
                assert!(black_box(r).is_ok());
            }
            engine.flush().expect("flush");
            start.elapsed()
        })
    });
    g.bench_function("decide_handle_reference", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (p, d) = cseq[i & mask];
            i = i.wrapping_add(1);
            black_box(allowed(engine.decide_handles(black_box(p), black_box(d))))
        })
    });
    // The same collections with the OS permission layer on (every permission reported granted, docs/rules.md §11):
    // the states live in the snapshot, so collect stays memory-only and answers as before.
    for perm in consentkit::ffi::os_permission_table() {
        kit.set_permission_state(perm.id, consentkit::ffi::PermissionState::Granted, None).expect("permission state");
    }
    assert!(collectable.iter().all(|&(p, d)| engine.decide_handles(p, d).expect("decide") == Reason::Allowed));
    g.bench_function("consentkit_amortised_os_layer", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for i in 0..iters as usize {
                let (p, d) = cseq[i & mask];
                let r = engine.collect(black_box(p), black_box(d), None).expect("collect");
                assert!(black_box(r).is_ok());
            }
            engine.flush().expect("flush");
            start.elapsed()
        })
    });
    g.finish();
    kit.close().expect("close");

    // collect of a frequency-limited data type: counted in the database in one transaction (no fsync), so the limit
    // holds across reopen, instances and processes (docs/rules.md §7). The limit is generous: every call is allowed.
    let limited_dir = common::temp_dir();
    let mut ride: serde_json::Value = serde_json::from_str(include_str!("../examples/ride_hailing.json")).expect("example");
    ride["purposes"][1]["frequency"] = serde_json::json!([{ "data_type": "location", "max": 4_000_000_000u32, "per_seconds": 60 }]);
    let limited = common::open(&limited_dir.path().join("limited.db"), &ride.to_string());
    limited.agree_to_policy("2026-11-01".into(), consentkit::ffi::Actor::User, "bench".into()).expect("agree");
    limited.grant("live_location".into(), consentkit::ffi::Actor::User, "bench".into()).expect("grant");
    let engine = limited.engine();
    let (p, d) = (engine.handle(IdKind::Purpose, "live_location").expect("p"), engine.handle(IdKind::DataType, "location").expect("d"));
    let mut g = c.benchmark_group("collect_limited");
    g.bench_function("consentkit", |b| {
        b.iter(|| assert!(engine.collect(black_box(p), black_box(d), None).expect("collect").is_ok()))
    });
    let raw = rusqlite::Connection::open(limited_dir.path().join("raw.db")).expect("raw");
    raw.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE c (k INTEGER PRIMARY KEY, n INTEGER)")
        .expect("raw schema");
    g.bench_function("raw_sqlite_upsert_reference", |b| {
        b.iter(|| {
            raw.execute_batch("BEGIN IMMEDIATE; INSERT INTO c VALUES (1, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1; COMMIT")
                .expect("upsert")
        })
    });
    g.finish();
    limited.close().expect("close");
}

criterion_group! { name = benches; config = config(); targets = hot_path }
criterion_main!(benches);
