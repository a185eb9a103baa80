//! Checks a batch before it touches the database: its format, every field's shape, every signature under the
//! batch's public key, and the chain between consecutive receipts inside the batch. A batch that fails any check
//! is refused whole (nothing of it is stored).

use p256::ecdsa::{Signature, VerifyingKey};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};

use crate::error::ApiError;
use crate::wire::{self, Batch, Receipt};

/// The event kinds a receipt may carry (the device ledger's).
pub const EVENTS: [&str; 8] =
    ["policy_agreed", "policy_declined", "granted", "refused", "withdrawn", "age_set", "erased", "children_rules_agreed"];

/// Longest text field accepted (ids, sources, versions): far above what the device writes, a bound on abuse.
const MAX_FIELD: usize = 1024;

/// A verified receipt, ready to store.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The receipt as uploaded.
    pub receipt: Receipt,
    /// Its DER signature, decoded.
    pub signature: Vec<u8>,
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An install id: 8 to 64 characters of `[0-9A-Za-z-]` (the device sends a random UUID).
pub fn valid_install_id(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Checks `batch` (at most `max` receipts); returns the public key's bytes and the verified receipts in order.
pub fn verify_batch(batch: &Batch, max: usize) -> Result<(Vec<u8>, Vec<Verified>), ApiError> {
    if batch.format != wire::FORMAT {
        return Err(ApiError::bad("unsupported_format", format!("format must be \"{}\"", wire::FORMAT)));
    }
    if batch.algorithm != wire::ALGORITHM {
        return Err(ApiError::bad("unsupported_algorithm", format!("algorithm must be \"{}\"", wire::ALGORITHM)));
    }
    if !valid_install_id(&batch.install_id) {
        return Err(ApiError::bad("invalid_install_id", "install_id must be 8-64 characters of [0-9A-Za-z-]"));
    }
    if batch.receipts.is_empty() {
        return Err(ApiError::bad("empty_batch", "a batch carries at least one receipt"));
    }
    if batch.receipts.len() > max {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("{} receipts in one batch; at most {max}", batch.receipts.len()),
        ));
    }
    let public = wire::from_hex(&batch.public_key)
        .ok_or_else(|| ApiError::bad("invalid_public_key", "public_key is not hex"))?;
    VerifyingKey::from_sec1_bytes(&public)
        .map_err(|_| ApiError::bad("invalid_public_key", "public_key is not a SEC1 P-256 point"))?;
    let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &public);
    let mut out: Vec<Verified> = Vec::with_capacity(batch.receipts.len());
    for r in &batch.receipts {
        let at = |what: &str| format!("receipt {}: {what}", r.sequence);
        if r.sequence < 1 {
            return Err(ApiError::bad("invalid_receipt", at("sequence must be at least 1")));
        }
        if let Some(prev) = out.last() {
            if r.sequence <= prev.receipt.sequence {
                return Err(ApiError::bad("invalid_receipt", at("receipts must be in increasing sequence order")));
            }
        }
        if !EVENTS.contains(&r.event.as_str()) {
            return Err(ApiError::bad("invalid_receipt", at("unknown event")));
        }
        if !is_hash(&r.ledger_hash) || !is_hash(&r.previous_receipt_hash) || !is_hash(&r.receipt_hash) {
            return Err(ApiError::bad("invalid_receipt", at("hashes must be 64 lowercase hex digits")));
        }
        let texts = [&r.purpose_id, &r.purpose_definition_hash, &r.notice_version, &r.actor, &r.source, &r.detail];
        if texts.iter().any(|t| t.len() > MAX_FIELD) {
            return Err(ApiError::bad("invalid_receipt", at("a text field is longer than 1024 bytes")));
        }
        let bytes = wire::signed_bytes(&batch.install_id, r);
        if wire::hash_hex(&bytes) != r.receipt_hash {
            return Err(ApiError::bad("bad_receipt_hash", at("receipt_hash is not the SHA-256 of its signed bytes")));
        }
        let der = wire::from_hex(&r.signature).ok_or_else(|| ApiError::bad("bad_signature", at("signature is not hex")))?;
        Signature::from_der(&der).map_err(|_| ApiError::bad("bad_signature", at("signature is not DER ECDSA")))?;
        key.verify(&bytes, &der)
            .map_err(|_| ApiError::bad("bad_signature", at("signature does not verify under the batch's public key")))?;
        if let Some(prev) = out.last() {
            if r.sequence == prev.receipt.sequence + 1 && r.previous_receipt_hash != prev.receipt.receipt_hash {
                return Err(ApiError::bad("broken_chain", at("previous_receipt_hash is not the receipt before it")));
            }
        }
        out.push(Verified { receipt: r.clone(), signature: der });
    }
    Ok((public, out))
}
