//! Shared fixtures of the benchmarks: the 40-purpose manifest (with a 5-tier feature), an opened instance in a
//! typical state, the key sequences every row and its reference walk through, and temp dirs on the repo's disk.
//!
//! Also compiled into the peer-comparison crate (`bench/peers`) with `#[path]`, so both measure the same manifest.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use consentkit::ffi::{Actor, ConsentKit, OpenOptions};
use serde_json::{json, Value};

/// Number of purposes of the benchmark manifest.
pub const PURPOSES: usize = 40;
/// The feature with five tiers, and the purposes its tiers involve (distinct).
pub const FIVE_TIER_FEATURE: &str = "trip";
pub const FIVE_TIER_PURPOSES: [&str; 4] = ["ride", "live_location", "purpose_02", "purpose_03"];

/// Non-sensitive vocabulary types the consent purposes collect (cycled).
/// (`advertising_id` is not among them: only a tracking purpose may collect it, lint CK031.)
const PLAIN: [&str; 22] = [
    "account_id", "name", "address", "contact_phone", "email", "nickname", "avatar", "photos", "device_id",
    "passenger_type", "usage_history", "search_history", "purchase_history", "crash_diagnostics", "gender", "age",
    "trip_info", "travel_time", "vehicle_info", "camera", "microphone", "contact_list",
];
/// Sensitive vocabulary types (every 7th consent purpose collects one: separate consent).
const SENSITIVE: [&str; 3] = ["face_image", "biometrics", "id_number"];
/// Third parties: id, region.
const PARTNERS: [(&str, &str); 4] = [("analytics", "CN"), ("adnet", "SG"), ("maps_sdk", "CN"), ("pay_sdk", "CN")];

/// A ride-hailing manifest (cn-2021) with 40 purposes: the two necessary ones of `examples/ride_hailing.json` and 38
/// consent purposes collecting 2-4 data types each, some shared with third parties, some sensitive, some tracking;
/// feature `trip` has five tiers, and eight more features have two.
pub fn manifest_40() -> String {
    let mut purposes = vec![
        json!({ "id": "ride", "description": "Book a ride: match you with a driver, run the trip and take payment",
                "basis": "necessary", "data_types": ["phone_number", "departure", "destination", "payment_info"],
                "recipients": [], "storage_region": "CN", "retention_days": 365 }),
        json!({ "id": "live_location", "description": "Use your live location for pickup and the trip's route",
                "basis": "necessary", "data_types": ["location", "trajectory"], "recipients": [],
                "storage_region": "CN", "retention_days": 30,
                "frequency": [ { "data_type": "location", "max": 12, "per_seconds": 60 } ] }),
    ];
    let mut partner_purposes: Vec<Vec<String>> = vec![Vec::new(); PARTNERS.len()];
    for i in 2..PURPOSES {
        let id = format!("purpose_{i:02}");
        let n = 2 + i % 3;
        let mut types: Vec<&str> = (0..n).map(|k| PLAIN[(i * 3 + k) % PLAIN.len()]).collect();
        types.dedup();
        if i % 7 == 0 {
            types.push(SENSITIVE[(i / 7) % SENSITIVE.len()]);
        }
        let recipients: Vec<&str> = if i % 5 == 0 {
            let k = (i / 5) % PARTNERS.len();
            partner_purposes[k].push(id.clone());
            vec![PARTNERS[k].0]
        } else {
            vec![]
        };
        purposes.push(json!({
            "id": id, "description": format!("Optional purpose number {i}"), "basis": "consent",
            "tracking": i % 9 == 0, "data_types": types, "recipients": recipients,
            "storage_region": "CN", "retention_days": 30 + i,
        }));
    }
    let third_parties: Vec<Value> = PARTNERS
        .iter()
        .zip(&partner_purposes)
        .map(|((id, region), ps)| {
            json!({ "id": id, "name": format!("Example {id}"), "region": region, "contact": format!("privacy@{id}.example"),
                    "init_requires": ps })
        })
        .collect();
    let mut features = vec![json!({ "id": FIVE_TIER_FEATURE, "tiers": [
        { "id": "shared_live_trip", "requires": ["ride", "live_location", "purpose_02", "purpose_03"] },
        { "id": "live_trip", "requires": ["ride", "live_location", "purpose_02"] },
        { "id": "tracked_pickup", "requires": ["ride", "live_location"] },
        { "id": "typed_address", "requires": ["ride"] },
        { "id": "browse_fares", "requires": [] } ] })];
    for k in 0..8 {
        features.push(json!({ "id": format!("feature_{k}"), "tiers": [
            { "id": "rich", "requires": [format!("purpose_{:02}", 4 + k * 4)] },
            { "id": "basic", "requires": [] } ] }));
    }
    let m = json!({
        "schema": "consentkit/manifest/v1",
        "app": { "id": "com.example.ride.bench", "name": "Bench Ride", "category": "ride_hailing", "region": "CN",
                 "filing_number": "沪ICP备12345678号-3A", "age_gate": true },
        "policy": { "version": "2026-11-01", "url": "https://ride.example.com/privacy" },
        "rule_pack": "cn-2021",
        "purposes": purposes,
        "third_parties": third_parties,
        "features": features,
    });
    serde_json::to_string_pretty(&m).expect("manifest serialises")
}

/// Purposes granted in the typical state: the necessary ones need no grant (live_location needs one: sensitive),
/// and every even consent purpose is granted; the odd ones are not (so decisions mix allowed and denied).
pub fn granted_purposes() -> Vec<String> {
    let mut v = vec!["live_location".to_string()];
    v.extend((2..PURPOSES).filter(|i| i % 2 == 0).map(|i| format!("purpose_{i:02}")));
    v
}

/// A directory for databases on the same disk as the repository (cargo's target/tmp), removed on drop.
pub fn temp_dir() -> tempfile::TempDir {
    let base = std::env::var_os("CK_BENCH_TMP")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target/tmp"));
    std::fs::create_dir_all(&base).expect("bench temp base");
    tempfile::Builder::new().prefix("ck-bench-").tempdir_in(base).expect("temp dir")
}

/// Opens `db` with the manifest on the system clock and the default batch size (4096).
pub fn open(db: &Path, manifest: &str) -> Arc<ConsentKit> {
    ConsentKit::open(db.display().to_string(), manifest.to_string(), OpenOptions { manual_clock_start_ms: None, access_flush_every: None, integrity_dir: None })
        .expect("open")
}

/// Opens a fresh database in the typical state: policy agreed, `granted_purposes()` granted one per call.
pub fn typical(dir: &Path, manifest: &str) -> Arc<ConsentKit> {
    let kit = open(&dir.join("consent.db"), manifest);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "bench".into()).expect("agree");
    for p in granted_purposes() {
        kit.grant(p, Actor::User, "bench".into()).expect("grant");
    }
    kit
}

/// Every declared (purpose, data type) pair of the instance: ids and handles.
pub fn declared_pairs(kit: &ConsentKit) -> Vec<((String, String), (u32, u32))> {
    let index = kit.engine().index();
    let mut out = Vec::new();
    for (p, info) in index.purposes.iter().enumerate() {
        for &d in &info.data_types {
            out.push(((info.id.to_string(), index.data_types[d as usize].clone()), (p as u32, d)));
        }
    }
    out
}

/// Length of the key sequences (a power of two: the loops index with `i & (SEQ - 1)`).
pub const SEQ: usize = 4096;

/// A fixed pseudo-random walk over `items` (same seed for a row and its reference).
pub fn sequence<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut x = seed | 1;
    (0..SEQ)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            items[(x % items.len() as u64) as usize].clone()
        })
        .collect()
}
