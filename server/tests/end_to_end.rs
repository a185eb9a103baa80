//! End to end: the device library (the real Rust engine) records a few grants and withdrawals, hands out signed
//! receipts in small batches, the app's upload goes to the receiver, PostgreSQL stores them, and the receiver's
//! answers match what the device itself says.

mod common;

use common::Receiver;
use consentkit::ffi::{Actor, ConsentKit, OpenOptions};

const MANIFEST: &str = include_str!("../../examples/ride_hailing.json");
const START: i64 = 1_780_000_000_000;
const HOUR: i64 = 3_600_000;

/// What the app does: upload batches until none is left, acknowledging each one the receiver stored.
async fn upload_all(kit: &ConsentKit, c: &mut consentkit_receiver::client::Client) -> usize {
    let mut sent = 0;
    loop {
        let batch = kit.pending_receipts(2).unwrap();
        if batch.count == 0 {
            return sent;
        }
        let answer = c.post_json("/v1/receipts", &batch.body).await.unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["chained_through"].as_i64(), Some(batch.up_to));
        kit.acknowledge_receipts(batch.up_to).unwrap();
        sent += batch.count as usize;
    }
}

#[tokio::test]
async fn device_receipts_reach_postgres_and_the_answers_match_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions { manual_clock_start_ms: Some(START), access_flush_every: None, integrity_dir: None };
    let kit = ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), opts).unwrap();
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    kit.grant("live_location".into(), Actor::User, "pickup_prompt".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers_prompt".into()).unwrap();
    kit.advance_clock(HOUR).unwrap();
    kit.withdraw("ads".into(), Actor::User, "settings".into()).unwrap();
    kit.advance_clock(HOUR).unwrap();
    kit.withdraw("live_location".into(), Actor::User, "settings".into()).unwrap();

    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    assert_eq!(upload_all(&kit, &mut c).await, 5);
    let install = kit.pending_receipts(1).unwrap().install_id;

    let at = |ms: i64| format!("/v1/installs/{install}/consent?at={ms}");
    let early = c.get(&at(START + HOUR / 2)).await.unwrap().json();
    assert_eq!(early["policy"]["status"], "agreed");
    assert_eq!(early["policy"]["notice_version"], "2026-11-01");
    assert_eq!(early["purposes"]["ads"]["status"], "granted");
    assert_eq!(early["purposes"]["ads"]["source"], "offers_prompt");
    assert_eq!(early["purposes"]["live_location"]["status"], "granted");
    let middle = c.get(&at(START + HOUR + 1)).await.unwrap().json();
    assert_eq!((middle["purposes"]["ads"]["status"].as_str(), middle["purposes"]["live_location"]["status"].as_str()), (Some("withdrawn"), Some("granted")));

    // Now: the receiver agrees with the device's own state, purpose by purpose.
    let now = c.get(&at(START + 3 * HOUR)).await.unwrap().json();
    for p in kit.status().unwrap().purposes.iter().filter(|p| p.id != "ride") {
        let on_server = now["purposes"][&p.id]["status"].as_str();
        assert_eq!(on_server == Some("granted"), p.allowed, "{}: device allowed={} server={on_server:?}", p.id, p.allowed);
    }
    // Purpose definition hashes are the device's.
    let ledger: serde_json::Value = serde_json::from_str(&kit.export_all_json().unwrap()).unwrap();
    let device_hash = ledger["ledger"].as_array().unwrap().iter().find(|r| r["purpose"] == "ads").unwrap()["definition_hash"].clone();
    assert_eq!(now["purposes"]["ads"]["purpose_definition_hash"], device_hash);

    let stats = c.get("/v1/purposes/ads/stats").await.unwrap().json();
    let row = stats["by_notice_version"].as_array().unwrap().iter().find(|r| r["notice_version"] == "2026-11-01").unwrap().clone();
    let counts = [&row["grants"], &row["refusals"], &row["withdrawals"], &row["installs"]].map(|v| v.as_i64());
    assert_eq!(counts, [Some(1), Some(0), Some(1), Some(1)], "{stats}");

    // A later consent goes out as the next batch and chains on.
    kit.grant("ads".into(), Actor::User, "offers_prompt".into()).unwrap();
    assert_eq!(upload_all(&kit, &mut c).await, 1);
    let after = c.get(&at(START + 3 * HOUR)).await.unwrap().json();
    assert_eq!(after["purposes"]["ads"]["status"], "granted");
    assert_eq!(after["chained_through"].as_i64(), Some(6));
}
