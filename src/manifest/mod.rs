//! The app's manifest (format v1): types, parsing with typed errors and the JSON Schema. What a purpose's consent
//! is bound to (its definition hash) needs the rule pack too: see [`crate::rules::ConsentTerms`].

mod model;
mod parse;
#[cfg(feature = "schema")]
mod schema;

pub use model::*;
pub use parse::{parse_manifest, MAX_ITEMS, MAX_MANIFEST_BYTES, MAX_TEXT_BYTES, MAX_TIERS};
#[cfg(feature = "schema")]
pub use schema::manifest_json_schema;

use crate::error::ManifestError;
use crate::rules::{lint, Diagnostic, RulePack, Severity};

/// A manifest that parsed and passed the lint with no errors: the only kind the gate accepts.
#[derive(Debug, Clone)]
pub struct ValidManifest {
    /// The parsed manifest.
    pub manifest: Manifest,
    /// The rule pack it was checked against.
    pub pack: &'static RulePack,
    /// Warnings the lint reported (errors make loading fail).
    pub warnings: Vec<Diagnostic>,
}

impl Manifest {
    /// Parses and lints a manifest; refuses it if any diagnostic is an error, returning all diagnostics.
    pub fn load(bytes: &[u8]) -> Result<ValidManifest, ManifestError> {
        let manifest = parse_manifest(bytes)?;
        let diagnostics = lint(&manifest);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(ManifestError::Lint { diagnostics });
        }
        // lint reported no CK001 error, so the pack exists.
        let pack = RulePack::get(&manifest.rule_pack).ok_or_else(|| ManifestError::Lint { diagnostics: vec![] })?;
        Ok(ValidManifest { manifest, pack, warnings: diagnostics })
    }
}

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
