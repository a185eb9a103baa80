//! The receipt wire format, version 1, as the receiver reads it (docs/receipts.md). The device library writes it
//! (`src/receipts/format.rs` at the repository root); the two are kept byte-compatible by the shared test vector
//! `tests/receipts/vector.json`, which both test suites check — the receiver does not link the device library.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The only `format` accepted.
pub const FORMAT: &str = "consentkit.receipts/1";
/// The only `algorithm` accepted.
pub const ALGORITHM: &str = "ES256";
/// `previous_receipt_hash` of an install's first receipt.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A batch as uploaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// [`FORMAT`].
    pub format: String,
    /// The install's random id.
    pub install_id: String,
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// SEC1 uncompressed P-256 point, hex.
    pub public_key: String,
    /// The receipts, in increasing sequence order.
    pub receipts: Vec<Receipt>,
}

/// One receipt as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The device ledger row's sequence (1-based, gap-free per install).
    pub sequence: i64,
    /// One of [`crate::verify::EVENTS`].
    pub event: String,
    /// For people only; `timestamp_ms` is the signed time.
    pub timestamp: String,
    /// When, UTC ms (signed).
    pub timestamp_ms: i64,
    /// The purpose ('' for policy, age and erasure events).
    pub purpose_id: String,
    /// SHA-256 of the purpose definition shown.
    pub purpose_definition_hash: String,
    /// The privacy policy version in force.
    pub notice_version: String,
    /// `user` or `guardian`.
    pub actor: String,
    /// The screen or prompt.
    pub source: String,
    /// Extra value (age bracket, children's rules version).
    pub detail: String,
    /// The device ledger row's hash.
    pub ledger_hash: String,
    /// The previous receipt's hash ([`GENESIS`] for sequence 1).
    pub previous_receipt_hash: String,
    /// SHA-256 of [`signed_bytes`], hex.
    pub receipt_hash: String,
    /// DER ECDSA signature, hex.
    pub signature: String,
}

/// The bytes a receipt's signature and hash cover: a compact JSON array of the format, the install id and the
/// receipt's fields in a fixed order (docs/receipts.md, "Signed bytes").
pub fn signed_bytes(install_id: &str, r: &Receipt) -> Vec<u8> {
    let value = serde_json::json!([
        FORMAT,
        install_id,
        r.sequence,
        r.timestamp_ms,
        r.event,
        r.purpose_id,
        r.purpose_definition_hash,
        r.notice_version,
        r.actor,
        r.source,
        r.detail,
        r.ledger_hash,
        r.previous_receipt_hash
    ]);
    value.to_string().into_bytes()
}

/// SHA-256 of the signed bytes, lowercase hex.
pub fn hash_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex (either case) to bytes; `None` for anything else.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}
