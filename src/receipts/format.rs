//! The receipt wire format, version 1 (docs/receipts.md): one receipt per ledger row, the bytes it signs, its hash,
//! and the batch envelope `pendingReceipts` hands the app. The receiver (`server/`) parses and re-encodes the same
//! fields; `tests/receipts.rs` pins the bytes with a test vector both sides check.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::manifest::hex;
use crate::store::LedgerRow;

/// The envelope's `format` and the first element of every receipt's signed bytes.
pub const FORMAT: &str = "consentkit.receipts/1";

/// The `previous_receipt_hash` of the first receipt of an install.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The signature algorithm: ECDSA on P-256 with SHA-256 (JOSE name), DER-encoded signatures.
pub const ALGORITHM: &str = "ES256";

/// One signed consent receipt (field names after ISO/IEC TS 27560 where one fits; docs/receipts.md maps them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The ledger row's sequence number (1-based, gap-free per install).
    pub sequence: i64,
    /// What happened (`granted`, `refused`, `withdrawn`, `policy_agreed`, ...: the ledger's event kinds).
    pub event: String,
    /// When, ISO 8601 UTC (for people; `timestamp_ms` is what is signed).
    pub timestamp: String,
    /// When, UTC ms (the device's time line).
    pub timestamp_ms: i64,
    /// The purpose concerned ('' for policy and age events).
    pub purpose_id: String,
    /// SHA-256 of the purpose definition the user was shown (docs/adr/0002), '' when no purpose.
    pub purpose_definition_hash: String,
    /// The privacy notice (policy) version in force.
    pub notice_version: String,
    /// `user` or `guardian`.
    pub actor: String,
    /// The screen or prompt that recorded it.
    pub source: String,
    /// Extra value (the age bracket of `age_set`, the rules version of `children_rules_agreed`).
    pub detail: String,
    /// The ledger row's own hash (docs/adr/0003): ties the receipt to the device's ledger.
    pub ledger_hash: String,
    /// `receipt_hash` of the receipt before it ([`GENESIS`] for the first).
    pub previous_receipt_hash: String,
    /// SHA-256 of [`signed_bytes`], lowercase hex.
    pub receipt_hash: String,
    /// ECDSA P-256 / SHA-256 signature over [`signed_bytes`], DER, lowercase hex.
    pub signature: String,
}

/// A batch as uploaded: the envelope and its receipts, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// [`FORMAT`].
    pub format: String,
    /// The install's random id.
    pub install_id: String,
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// The install's public key: SEC1 uncompressed point (65 bytes), lowercase hex.
    pub public_key: String,
    /// The receipts.
    pub receipts: Vec<Receipt>,
}

/// The bytes a receipt signs and hashes: the compact JSON array
/// `[format, install_id, sequence, timestamp_ms, event, purpose_id, purpose_definition_hash, notice_version, actor,
/// source, detail, ledger_hash, previous_receipt_hash]`, strings escaped as serde_json escapes them.
pub fn signed_bytes(install_id: &str, r: &Receipt) -> Vec<u8> {
    use std::io::Write;
    let mut buf = Vec::with_capacity(512);
    let _ = serde_json::to_writer(&mut buf, FORMAT);
    buf.push(b',');
    let _ = serde_json::to_writer(&mut buf, install_id);
    let _ = write!(buf, ",{},{}", r.sequence, r.timestamp_ms);
    for s in [
        &r.event,
        &r.purpose_id,
        &r.purpose_definition_hash,
        &r.notice_version,
        &r.actor,
        &r.source,
        &r.detail,
        &r.ledger_hash,
        &r.previous_receipt_hash,
    ] {
        buf.push(b',');
        let _ = serde_json::to_writer(&mut buf, s.as_str());
    }
    let mut out = Vec::with_capacity(buf.len() + 2);
    out.push(b'[');
    out.extend_from_slice(&buf);
    out.push(b']');
    out
}

/// SHA-256 of the signed bytes, lowercase hex.
pub fn receipt_hash(install_id: &str, r: &Receipt) -> String {
    hex(&Sha256::digest(signed_bytes(install_id, r)))
}

/// The unsigned receipt of a ledger row, chained to `previous` (its hash filled in, its signature empty).
pub fn derive(install_id: &str, row: &LedgerRow, previous: &str) -> Receipt {
    let mut r = Receipt {
        sequence: row.seq,
        event: row.kind.clone(),
        timestamp: crate::report::time::iso_utc(row.at_ms),
        timestamp_ms: row.at_ms,
        purpose_id: row.purpose.clone(),
        purpose_definition_hash: row.definition_hash.clone(),
        notice_version: row.policy_version.clone(),
        actor: row.actor.clone(),
        source: row.source.clone(),
        detail: row.detail.clone(),
        ledger_hash: row.hash.clone(),
        previous_receipt_hash: previous.to_string(),
        receipt_hash: String::new(),
        signature: String::new(),
    };
    r.receipt_hash = receipt_hash(install_id, &r);
    r
}
