//! The app's manifest (format v1): data types, parsing with typed errors and the JSON Schema — nothing that needs a
//! rule pack. Checking a manifest against its pack is [`crate::valid`]; what a purpose's consent is bound to is
//! [`crate::rules::ConsentTerms`].

mod frameworks;
mod model;
mod parse;
#[cfg(feature = "schema")]
mod schema;

pub use frameworks::*;
pub use model::*;
pub use parse::{parse_manifest, MAX_ITEMS, MAX_MANIFEST_BYTES, MAX_TEXT_BYTES, MAX_TIERS};
#[cfg(feature = "schema")]
pub use schema::manifest_json_schema;

/// Lowercase hex of bytes (hashes are written this way in the ledger and in definition hashes).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}
