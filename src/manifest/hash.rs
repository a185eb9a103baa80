//! Purpose definition hash: binds a consent to what the user was shown.
//!
//! Algorithm (docs/adr/0002-definition-hash.md): SHA-256 over the canonical JSON text
//! `{"data_types":[..],"id":"..","recipients":[..],"retention_days":N|null,"storage_region":".."}` with keys in this
//! (alphabetical) order, lists sorted and de-duplicated, no whitespace, strings escaped as serde_json does; the result
//! is written `sha256:` + 64 lowercase hex digits. Field order and whitespace in the manifest therefore never change
//! it; adding, removing or renaming a data type or recipient, or changing the region or retention, always does.

use sha2::{Digest, Sha256};

use super::model::Purpose;

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

fn sorted_unique(items: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = items.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising strings, integers and lists of strings cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// The canonical text hashed for a purpose (exposed for documentation and tests).
pub fn canonical_definition(p: &Purpose) -> String {
    format!(
        "{{\"data_types\":{},\"id\":{},\"recipients\":{},\"retention_days\":{},\"storage_region\":{}}}",
        json(&sorted_unique(&p.data_types)),
        json(&p.id),
        json(&sorted_unique(&p.recipients)),
        json(&p.retention_days),
        json(&p.storage_region),
    )
}

/// `sha256:<hex>` of the purpose's canonical definition.
pub fn definition_hash(p: &Purpose) -> String {
    format!("sha256:{}", hex(&Sha256::digest(canonical_definition(p).as_bytes())))
}
