//! The receiver against a real PostgreSQL (server/test.sh): verification, held gaps, forks recorded as evidence,
//! idempotent duplicate batches, replay at a time, bad input answered with clear 4xx errors, and a receiver killed
//! mid-batch that loses and duplicates nothing.

mod common;

use common::{count, FakeDevice, Receiver};
use consentkit_receiver::wire;

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

#[tokio::test]
async fn a_duplicate_batch_is_idempotent() {
    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let d = FakeDevice::new("dup", 3);
    let body = d.batch(&d.chain(&[("policy_agreed", "", "v1"), ("granted", "ads", "v1")], T0));
    let first = c.post_json("/v1/receipts", &body).await.unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!((first.json()["stored"].as_i64(), first.json()["duplicates"].as_i64()), (Some(2), Some(0)));
    let again = c.post_json("/v1/receipts", &body).await.unwrap();
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!((again.json()["stored"].as_i64(), again.json()["duplicates"].as_i64()), (Some(0), Some(2)));
    assert_eq!(count("receipts", &d.install_id).await, 2);
}

#[tokio::test]
async fn a_gap_is_held_until_it_is_filled() {
    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let d = FakeDevice::new("gap", 4);
    let all = d.chain(
        &[("policy_agreed", "", "v1"), ("granted", "ads", "v1"), ("granted", "location", "v1"), ("withdrawn", "ads", "v1"), ("refused", "contacts", "v1")],
        T0,
    );
    assert_eq!(c.post_json("/v1/receipts", &d.batch(&all[0..2])).await.unwrap().status, 200);
    let ahead = c.post_json("/v1/receipts", &d.batch(&all[3..5])).await.unwrap();
    assert_eq!(ahead.status, 200, "{}", ahead.body);
    assert_eq!((ahead.json()["held"].as_i64(), ahead.json()["chained_through"].as_i64()), (Some(2), Some(2)));
    let view = c.get(&format!("/v1/installs/{}/consent?at={}", d.install_id, T0 + 60_000)).await.unwrap().json();
    assert_eq!((view["chained_through"].as_i64(), view["held"].as_i64()), (Some(2), Some(2)));
    assert_eq!(view["purposes"]["ads"]["status"], "granted", "held receipts are not replayed: {view}");
    let fill = c.post_json("/v1/receipts", &d.batch(&all[2..3])).await.unwrap();
    assert_eq!(fill.status, 200, "{}", fill.body);
    assert_eq!((fill.json()["stored"].as_i64(), fill.json()["chained_through"].as_i64()), (Some(3), Some(5)));
    assert_eq!((count("receipts", &d.install_id).await, count("held_receipts", &d.install_id).await), (5, 0));
    let view = c.get(&format!("/v1/installs/{}/consent?at={}", d.install_id, T0 + 60_000)).await.unwrap().json();
    assert_eq!(view["purposes"]["ads"]["status"], "withdrawn");
    assert_eq!(view["purposes"]["contacts"]["status"], "refused");
}

#[tokio::test]
async fn a_fork_is_refused_and_recorded_once_as_evidence() {
    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let d = FakeDevice::new("fork", 5);
    let all = d.chain(&[("policy_agreed", "", "v1"), ("granted", "ads", "v1"), ("granted", "location", "v1")], T0);
    assert_eq!(c.post_json("/v1/receipts", &d.batch(&all)).await.unwrap().status, 200);
    // A rolled-back device re-writes sequence 2 differently (the user "never withdrew").
    let other = d.receipt(2, T0 + 5_000, "refused", "ads", "v1", &all[0].receipt_hash);
    for _ in 0..2 {
        let forked = c.post_json("/v1/receipts", &d.batch(std::slice::from_ref(&other))).await.unwrap();
        assert_eq!(forked.status, 409, "{}", forked.body);
        assert_eq!(forked.json()["error"], "fork");
        assert_eq!(forked.json()["forks"][0]["sequence"], 2);
        assert_eq!(forked.json()["forks"][0]["kind"], "different_receipt");
    }
    assert_eq!(count("forks", &d.install_id).await, 1, "the evidence is recorded once, however often it is sent");
    // A receipt that does not chain to the stored one before it is a fork too.
    let broken = d.receipt(4, T0 + 9_000, "withdrawn", "ads", "v1", &"77".repeat(32));
    let answer = c.post_json("/v1/receipts", &d.batch(&[broken])).await.unwrap();
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.json()["forks"][0]["kind"], "chain_break");
    assert_eq!(count("receipts", &d.install_id).await, 3, "nothing of a forked batch is stored");
}

#[tokio::test]
async fn consent_is_replayed_at_a_time() {
    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let d = FakeDevice::new("replay", 6);
    let all = d.chain(
        &[("policy_agreed", "", "v1"), ("granted", "ads", "v1"), ("withdrawn", "ads", "v1"), ("policy_agreed", "", "v2"), ("erased", "", "v2")],
        T0,
    );
    assert_eq!(c.post_json("/v1/receipts", &d.batch(&all)).await.unwrap().status, 200);
    let at = |t: &str| format!("/v1/installs/{}/consent?at={t}", d.install_id);
    let before = c.get(&at("2025-12-31T23:59:59Z")).await.unwrap().json();
    assert_eq!((before["replayed"].as_i64(), before["policy"].is_null()), (Some(0), true));
    let granted = c.get(&at("2026-01-01T00:00:01Z")).await.unwrap().json();
    assert_eq!(granted["purposes"]["ads"]["status"], "granted");
    assert_eq!(granted["policy"]["notice_version"], "v1");
    let withdrawn = c.get(&at(&(T0 + 3_500).to_string())).await.unwrap().json();
    assert_eq!(withdrawn["purposes"]["ads"]["status"], "withdrawn");
    assert_eq!(withdrawn["policy"]["notice_version"], "v2");
    let erased = c.get(&at("2026-01-02T00:00:00Z")).await.unwrap().json();
    assert!(erased["policy"].is_null() && erased["purposes"].as_object().unwrap().is_empty(), "{erased}");
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_stores_nothing() {
    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let d = FakeDevice::new("bad", 7);
    let chain = d.chain(&[("policy_agreed", "", "v1"), ("granted", "ads", "v1")], T0);
    let check = |status: u16, code: &str, a: consentkit_receiver::client::Answer| {
        assert_eq!(a.status, status, "{}", a.body);
        assert_eq!(a.json()["error"], code, "{}", a.body);
        assert!(!a.json()["detail"].as_str().unwrap_or("").is_empty(), "every error says what is wrong: {}", a.body);
    };
    check(400, "malformed_json", c.post_json("/v1/receipts", "{\"format\": ").await.unwrap());
    check(422, "invalid_batch", c.post_json("/v1/receipts", "{\"format\": 1}").await.unwrap());
    check(415, "not_json", c.request("POST", "/v1/receipts", Some("text/plain"), d.batch(&chain).as_bytes()).await.unwrap());
    // The server may close a connection whose body it did not read: a new one.
    let mut c = rx.client().await;

    let mut tampered = chain.clone();
    tampered[1].event = "refused".into();
    check(400, "bad_receipt_hash", c.post_json("/v1/receipts", &d.batch(&tampered)).await.unwrap());
    let mut forged = chain.clone();
    forged[1].signature = chain[0].signature.clone();
    check(400, "bad_signature", c.post_json("/v1/receipts", &d.batch(&forged)).await.unwrap());
    let impostor = FakeDevice { key: FakeDevice::new("x", 8).key, install_id: d.install_id.clone() };
    let mut wrong_key = chain.clone();
    wrong_key[0].signature = impostor.chain(&[("policy_agreed", "", "v1")], T0)[0].signature.clone();
    check(400, "bad_signature", c.post_json("/v1/receipts", &d.batch(&wrong_key)).await.unwrap());

    let many: Vec<_> = (0..501).map(|i| d.receipt(i + 1, T0, "granted", "ads", "v1", wire::GENESIS)).collect();
    check(413, "batch_too_large", c.post_json("/v1/receipts", &d.batch(&many)).await.unwrap());
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let answer = c.post_json("/v1/receipts", &huge).await;
    if let Ok(a) = answer {
        check(413, "body_too_large", a);
    } // (the server may also close the connection on a body over the limit)
    let mut c = rx.client().await;

    let late = d.receipt(5, T0, "granted", "ads", "v1", &"11".repeat(32));
    check(404, "unknown_install", c.post_json("/v1/receipts", &d.batch(&[late])).await.unwrap());
    check(404, "unknown_install", c.get(&format!("/v1/installs/{}/consent", d.install_id)).await.unwrap());
    check(400, "invalid_install_id", c.get("/v1/installs/x/consent").await.unwrap());
    assert_eq!(count("receipts", &d.install_id).await, 0, "nothing of a refused batch is stored");

    assert_eq!(c.post_json("/v1/receipts", &d.batch(&chain)).await.unwrap().status, 200);
    check(400, "invalid_time", c.get(&format!("/v1/installs/{}/consent?at=yesterday", d.install_id)).await.unwrap());
    let next = impostor.receipt(3, T0, "granted", "ads", "v1", &chain[1].receipt_hash);
    check(403, "key_mismatch", c.post_json("/v1/receipts", &impostor.batch(&[next])).await.unwrap());
}

#[tokio::test]
async fn a_receiver_killed_mid_batch_loses_and_duplicates_nothing() {
    let d = FakeDevice::new("kill", 9);
    let events: Vec<(&str, &str, &str)> = (0..50).map(|i| if i % 2 == 0 { ("granted", "ads", "v1") } else { ("withdrawn", "ads", "v1") }).collect();
    let chain = d.chain(&events, T0);
    let body = d.batch(&chain);

    let mut slow = Receiver::start(3_000);
    let addr = slow.addr.clone();
    let sending = tokio::spawn({
        let body = body.clone();
        async move {
            let mut c = consentkit_receiver::client::Client::connect(&addr).await.unwrap();
            c.post_json("/v1/receipts", &body).await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    slow.kill();
    let lost = sending.await.unwrap();
    assert!(lost.is_err(), "the upload saw the receiver die, so the app keeps its receipts: {lost:?}");
    assert_eq!(count("receipts", &d.install_id).await, 0, "a half-stored batch is rolled back");
    assert_eq!(count("installs", &d.install_id).await, 0);

    let rx = Receiver::start(0);
    let mut c = rx.client().await;
    let retry = c.post_json("/v1/receipts", &body).await.unwrap();
    assert_eq!((retry.status, retry.json()["stored"].as_i64()), (200, Some(50)), "{}", retry.body);
    let again = c.post_json("/v1/receipts", &body).await.unwrap();
    assert_eq!(again.json()["duplicates"].as_i64(), Some(50));
    assert_eq!(count("receipts", &d.install_id).await, 50);
}

#[test]
fn the_signed_bytes_match_the_device_test_vector() {
    let v: serde_json::Value = serde_json::from_str(include_str!("../../tests/receipts/vector.json")).unwrap();
    let install = v["install_id"].as_str().unwrap();
    let r: wire::Receipt = serde_json::from_value(v["receipt"].clone()).unwrap();
    let bytes = wire::signed_bytes(install, &r);
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), v["signed_bytes"].as_str().unwrap());
    assert_eq!(wire::hash_hex(&bytes), r.receipt_hash);
    let batch = wire::Batch {
        format: wire::FORMAT.into(),
        install_id: install.into(),
        algorithm: wire::ALGORITHM.into(),
        public_key: v["public_key"].as_str().unwrap().into(),
        receipts: vec![r],
    };
    consentkit_receiver::verify::verify_batch(&batch, 10).expect("the device's signature verifies here");
}
