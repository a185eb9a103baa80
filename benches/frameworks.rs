//! What the IAB / Google signals cost, next to a reference in the same run:
//!
//! | group | row | reference |
//! |---|---|---|
//! | `framework_signals` | `ConsentKit::framework_signals` (TC string, GPP string, Consent Mode, every in-app key) on examples/ride_hailing_global.json after a grant | `ConsentKit::status` (the state a facade fetches on every change anyway) |
//! | `tc_string` | `TcString::decode` of that TC string | `TcString::encode` of the same state |
//!
//! The facades compute the signals on every consent change, so `framework_signals` should stay in the range of
//! `status`. Run with `cargo bench --bench frameworks`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use consentkit::ffi::{Actor, ConsentKit, OpenOptions};
use consentkit::frameworks::tcf::TcString;

const MANIFEST: &str = include_str!("../examples/ride_hailing_global.json");

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2)).sample_size(30)
}

fn frameworks(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(dir.path().join("b.db").display().to_string(), MANIFEST.into(), options).expect("open");
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "bench".into()).expect("agree");
    kit.grant("ads".into(), Actor::User, "bench".into()).expect("grant");

    let mut g = c.benchmark_group("framework_signals");
    g.bench_function("consentkit", |b| b.iter(|| black_box(kit.framework_signals(None).expect("signals"))));
    g.bench_function("reference_status", |b| b.iter(|| black_box(kit.status().expect("status"))));
    g.finish();

    let text = kit.framework_signals(None).expect("signals").tc_string.expect("TC string");
    let tc = TcString::decode(&text).expect("decode");
    let mut g = c.benchmark_group("tc_string");
    g.bench_function("decode", |b| b.iter(|| black_box(TcString::decode(black_box(&text)).expect("decode"))));
    g.bench_function("reference_encode", |b| b.iter(|| black_box(tc.encode().expect("encode"))));
    g.finish();
}

criterion_group! { name = benches; config = config(); targets = frameworks }
criterion_main!(benches);
