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
    pub format: String,
    pub install_id: String,
    pub algorithm: String,
    /// SEC1 uncompressed P-256 point, hex.
    pub public_key: String,
    pub receipts: Vec<Receipt>,
}

/// One receipt as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub sequence: i64,
    pub event: String,
    /// For people only; `timestamp_ms` is the signed time.
    pub timestamp: String,
    pub timestamp_ms: i64,
    pub purpose_id: String,
    pub purpose_definition_hash: String,
    pub notice_version: String,
    pub actor: String,
    pub source: String,
    pub detail: String,
    pub ledger_hash: String,
    pub previous_receipt_hash: String,
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
