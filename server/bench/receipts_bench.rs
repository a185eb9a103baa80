//! `receipts-bench`: N simulated installs push signed receipts to the receiver concurrently; prints receipts/s
//! stored and the latency percentiles of one batch upload. Run through `server/bench.sh` (a throwaway PostgreSQL
//! with fsync on, the receiver in this process on loopback, everything bounded in count).
//!
//! Arguments: `--installs N` (default 64), `--batches B` per install (default 10), `--size K` receipts per batch
//! (default 50), `--pool P` receiver connections (default 16). Batches are signed before the clock starts: signing
//! is the device's cost, not the receiver's.

use std::time::{Duration, Instant};

use consentkit_receiver::client::Client;
use consentkit_receiver::wire::{self, Batch, Receipt};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One install's batches, in order, as request bodies.
fn install_batches(n: usize, batches: usize, size: usize, run: u128) -> Vec<String> {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(n as u64 + 1).to_be_bytes());
    seed[31] = 1;
    let key = SigningKey::from_slice(&seed).expect("a valid scalar");
    let install = format!("bench-{run:x}-{n}");
    let public = wire::to_hex(key.verifying_key().to_encoded_point(false).as_bytes());
    let mut previous = wire::GENESIS.to_string();
    let mut seq = 0i64;
    let events = ["granted", "withdrawn", "refused"];
    let purposes = ["ads", "location", "contacts", "analytics"];
    (0..batches)
        .map(|_| {
            let receipts: Vec<Receipt> = (0..size)
                .map(|_| {
                    seq += 1;
                    let mut r = Receipt {
                        sequence: seq,
                        event: events[seq as usize % 3].into(),
                        timestamp: String::new(),
                        timestamp_ms: 1_780_000_000_000 + seq * 1000,
                        purpose_id: purposes[seq as usize % 4].into(),
                        purpose_definition_hash: "ab".repeat(32),
                        notice_version: format!("v{}", 1 + seq / 200),
                        actor: "user".into(),
                        source: "settings".into(),
                        detail: String::new(),
                        ledger_hash: format!("{seq:064x}"),
                        previous_receipt_hash: previous.clone(),
                        receipt_hash: String::new(),
                        signature: String::new(),
                    };
                    let bytes = wire::signed_bytes(&install, &r);
                    r.receipt_hash = wire::hash_hex(&bytes);
                    let sig: Signature = key.sign(&bytes);
                    r.signature = wire::to_hex(sig.to_der().as_bytes());
                    previous = r.receipt_hash.clone();
                    r
                })
                .collect();
            let batch = Batch { format: wire::FORMAT.into(), install_id: install.clone(), algorithm: wire::ALGORITHM.into(), public_key: public.clone(), receipts };
            serde_json::to_string(&batch).expect("encode")
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let (installs, batches, size, pool_size) = (arg("--installs", 64), arg("--batches", 10), arg("--size", 50), arg("--pool", 16));
    let url = std::env::var("CK_DATABASE_URL").expect("CK_DATABASE_URL (server/bench.sh sets it)");
    let pool = consentkit_receiver::pool(&url, pool_size).expect("pool");
    consentkit_receiver::migrate::migrate(&pool).await.expect("migrate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let app = consentkit_receiver::router(pool, Default::default());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let prepared: Vec<Vec<String>> = (0..installs).map(|n| install_batches(n, batches, size, run)).collect();
    eprintln!("prepared {installs} installs x {batches} batches x {size} receipts");

    let started = Instant::now();
    let tasks: Vec<_> = prepared
        .into_iter()
        .map(|bodies| {
            let addr = addr.clone();
            tokio::spawn(async move {
                let mut c = Client::connect(&addr).await.expect("connect");
                let mut latencies = Vec::with_capacity(bodies.len());
                for body in bodies {
                    let t = Instant::now();
                    let a = c.post_json("/v1/receipts", &body).await.expect("post");
                    latencies.push(t.elapsed());
                    assert_eq!(a.status, 200, "{}", a.body);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("pusher"));
    }
    let took = started.elapsed().as_secs_f64();
    latencies.sort();
    let receipts = installs * batches * size;
    let rate = receipts as f64 / took;
    println!(
        "{{\"installs\": {installs}, \"batches_per_install\": {batches}, \"receipts_per_batch\": {size}, \"pool\": {pool_size}, \
         \"receipts\": {receipts}, \"seconds\": {took:.2}, \"receipts_per_s\": {rate:.0}, \"batch_p50_ms\": {:.1}, \
         \"batch_p99_ms\": {:.1}, \"batch_max_ms\": {:.1}}}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}
