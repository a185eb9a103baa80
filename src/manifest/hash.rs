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

/// Appends `value` as serde_json writes it (the escaping the canonical form is defined by).
fn json_into<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Serialising strings, integers and lists of strings into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The canonical text hashed for a purpose (exposed for documentation and tests).
pub fn canonical_definition(p: &Purpose) -> String {
    String::from_utf8(canonical_bytes(p)).unwrap_or_default()
}

fn canonical_bytes(p: &Purpose) -> Vec<u8> {
    // Written into one buffer: open computes this for every purpose.
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"data_types\":");
    json_into(&mut out, &sorted_unique(&p.data_types));
    out.extend_from_slice(b",\"id\":");
    json_into(&mut out, &p.id);
    out.extend_from_slice(b",\"recipients\":");
    json_into(&mut out, &sorted_unique(&p.recipients));
    out.extend_from_slice(b",\"retention_days\":");
    json_into(&mut out, &p.retention_days);
    out.extend_from_slice(b",\"storage_region\":");
    json_into(&mut out, &p.storage_region);
    out.push(b'}');
    out
}

/// `sha256:<hex>` of the purpose's canonical definition.
pub fn definition_hash(p: &Purpose) -> String {
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    s.push_str(&hex(&Sha256::digest(canonical_bytes(p))));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_is_the_documented_one_and_the_hash_is_its_sha256() {
        let p: Purpose = serde_json::from_value(serde_json::json!({
            "id": "ads", "description": "Ads", "basis": "consent", "data_types": ["usage_history", "device_id", "device_id"],
            "recipients": ["ad_net"], "storage_region": "CN \"north\"", "retention_days": 30
        }))
        .unwrap();
        let text = r#"{"data_types":["device_id","usage_history"],"id":"ads","recipients":["ad_net"],"retention_days":30,"storage_region":"CN \"north\""}"#;
        assert_eq!(canonical_definition(&p), text);
        assert_eq!(definition_hash(&p), format!("sha256:{}", hex(&Sha256::digest(text.as_bytes()))));
    }
}
