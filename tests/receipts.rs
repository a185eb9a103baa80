//! Signed consent receipts on the device (docs/receipts.md): the batch a few consent writes produce verifies under
//! the install's public key and chains receipt to receipt; acknowledging moves the outbox on, idempotently; the
//! signed bytes match the test vector the receiver checks too (tests/receipts/vector.json).

use std::sync::Arc;

use consentkit::ffi::*;
use consentkit::receipts::format::{self, Batch, Receipt};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

const MANIFEST: &str = include_str!("../examples/ride_hailing.json");
const VECTOR: &str = include_str!("receipts/vector.json");

fn open_kit(dir: &tempfile::TempDir) -> Arc<ConsentKit> {
    let opts = OpenOptions { manual_clock_start_ms: Some(1_767_225_600_000), access_flush_every: None, integrity_dir: None };
    ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), opts).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Checks every signature and the chain from `previous`; returns the last receipt hash.
fn verify(batch: &Batch, previous: &str) -> String {
    let key = VerifyingKey::from_sec1_bytes(&unhex(&batch.public_key)).unwrap();
    let mut previous = previous.to_string();
    for r in &batch.receipts {
        let bytes = format::signed_bytes(&batch.install_id, r);
        let sig = Signature::from_der(&unhex(&r.signature)).unwrap();
        key.verify(&bytes, &sig).unwrap_or_else(|_| panic!("receipt {} does not verify", r.sequence));
        assert_eq!(r.previous_receipt_hash, previous, "receipt {} chains to the one before", r.sequence);
        assert_eq!(r.receipt_hash, format::receipt_hash(&batch.install_id, r));
        previous = r.receipt_hash.clone();
    }
    previous
}

fn consent_writes(kit: &ConsentKit) {
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers_prompt".into()).unwrap();
    kit.withdraw("ads".into(), Actor::User, "settings".into()).unwrap();
}

#[test]
fn a_batch_verifies_chains_and_is_handed_out_again_until_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let empty = kit.pending_receipts(10).unwrap();
    assert_eq!((empty.count, empty.up_to), (0, 0), "no consent yet, no receipts");
    consent_writes(&kit);

    let first = kit.pending_receipts(2).unwrap();
    assert_eq!((first.count, first.up_to), (2, 2));
    let batch: Batch = serde_json::from_str(&first.body).unwrap();
    assert_eq!(batch.format, "consentkit.receipts/1");
    assert_eq!(batch.install_id, first.install_id);
    assert_eq!(batch.receipts.iter().map(|r| r.event.as_str()).collect::<Vec<_>>(), ["policy_agreed", "granted"]);
    assert_eq!(batch.receipts[1].purpose_id, "ads");
    assert_eq!(batch.receipts[1].source, "offers_prompt");
    assert_eq!(batch.receipts[1].notice_version, "2026-11-01");
    assert!(!batch.receipts[1].purpose_definition_hash.is_empty());
    let through_two = verify(&batch, format::GENESIS);

    let again: Batch = serde_json::from_str(&kit.pending_receipts(2).unwrap().body).unwrap();
    let hashes = |b: &Batch| b.receipts.iter().map(|r| r.receipt_hash.clone()).collect::<Vec<_>>();
    assert_eq!(hashes(&again), hashes(&batch), "unacknowledged receipts come back unchanged");

    kit.acknowledge_receipts(first.up_to).unwrap();
    kit.acknowledge_receipts(first.up_to).unwrap();
    kit.acknowledge_receipts(1).unwrap();
    let next = kit.pending_receipts(10).unwrap();
    assert_eq!((next.count, next.up_to), (1, 3), "an older or repeated acknowledgement changes nothing");
    let next_batch: Batch = serde_json::from_str(&next.body).unwrap();
    assert_eq!(next_batch.receipts[0].event, "withdrawn");
    verify(&next_batch, &through_two);
    assert_eq!(next_batch.public_key, batch.public_key, "one key pair per install");
}

#[test]
fn acknowledging_past_the_ledger_or_asking_for_nothing_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    consent_writes(&kit);
    assert!(matches!(kit.acknowledge_receipts(4), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.acknowledge_receipts(-1), Err(ConsentError::InvalidArgument { .. })));
    assert!(matches!(kit.pending_receipts(0), Err(ConsentError::InvalidArgument { .. })));
    assert_eq!(kit.pending_receipts(10).unwrap().count, 3, "a refused acknowledgement lost nothing");
    kit.close().unwrap();
    assert!(matches!(kit.pending_receipts(10), Err(ConsentError::Closed)));
}

#[test]
fn acknowledging_without_fetching_first_chains_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    consent_writes(&kit);
    let all: Batch = serde_json::from_str(&kit.pending_receipts(10).unwrap().body).unwrap();
    kit.acknowledge_receipts(2).unwrap();
    let tail: Batch = serde_json::from_str(&kit.pending_receipts(10).unwrap().body).unwrap();
    assert_eq!(tail.receipts[0].previous_receipt_hash, all.receipts[1].receipt_hash);
}

#[test]
fn the_install_id_and_key_survive_reopen_and_the_install_id_is_random() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    consent_writes(&kit);
    let before = kit.pending_receipts(1).unwrap();
    kit.close().unwrap();
    drop(kit);
    let kit = open_kit(&dir);
    let after = kit.pending_receipts(1).unwrap();
    assert_eq!(before.body, after.body, "same install id, same key (deterministic ECDSA), same receipt");
    let other = tempfile::tempdir().unwrap();
    let kit2 = open_kit(&other);
    consent_writes(&kit2);
    let id2 = kit2.pending_receipts(1).unwrap().install_id;
    assert_ne!(id2, before.install_id);
    assert_eq!(id2.len(), 36);
    assert_eq!(&id2[14..15], "4", "a version-4 (random) UUID");
}

struct RawSigner(p256::ecdsa::SigningKey, bool);

impl ReceiptKeyStore for RawSigner {
    fn public_key(&self) -> Result<Vec<u8>, DeviceKeyError> {
        Ok(self.0.verifying_key().to_encoded_point(false).as_bytes().to_vec())
    }
    fn sign(&self, data: Vec<u8>) -> Result<Vec<u8>, DeviceKeyError> {
        use p256::ecdsa::signature::Signer;
        // `true`: a broken key store that signs something else.
        let sig: Signature = if self.1 { self.0.sign(b"other") } else { self.0.sign(&data) };
        Ok(sig.to_bytes().to_vec())
    }
}

#[test]
fn a_platform_key_store_signs_raw_signatures_are_normalised_and_a_broken_one_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    consent_writes(&kit);
    let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let good = kit.pending_receipts_with_key(10, Arc::new(RawSigner(key.clone(), false))).unwrap();
    let batch: Batch = serde_json::from_str(&good.body).unwrap();
    verify(&batch, format::GENESIS);
    assert_eq!(batch.public_key, consentkit::manifest::hex(key.verifying_key().to_encoded_point(false).as_bytes()));
    let broken = kit.pending_receipts_with_key(10, Arc::new(RawSigner(key, true)));
    assert!(matches!(broken, Err(ConsentError::Storage { .. })), "{broken:?}");
}

#[test]
fn the_signed_bytes_match_the_shared_test_vector() {
    let v: serde_json::Value = serde_json::from_str(VECTOR).unwrap();
    let install_id = v["install_id"].as_str().unwrap();
    let r: Receipt = serde_json::from_value(v["receipt"].clone()).unwrap();
    assert_eq!(String::from_utf8(format::signed_bytes(install_id, &r)).unwrap(), v["signed_bytes"].as_str().unwrap());
    assert_eq!(format::receipt_hash(install_id, &r), r.receipt_hash);
    let key = VerifyingKey::from_sec1_bytes(&unhex(v["public_key"].as_str().unwrap())).unwrap();
    let sig = Signature::from_der(&unhex(&r.signature)).unwrap();
    key.verify(&format::signed_bytes(install_id, &r), &sig).unwrap();
}
