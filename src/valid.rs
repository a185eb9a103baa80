//! A manifest checked against its rule pack: the only kind the gate accepts. Lives above both `manifest` (data and
//! parsing) and `rules` (packs and the lint), so neither imports the other's caller.

use crate::error::ManifestError;
use crate::manifest::{parse_manifest, Manifest};
use crate::rules::{lint, Diagnostic, RulePack, Severity};

/// A manifest that parsed and passed the lint with no errors.
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
