//! The public error: small, shaped by what the caller can do about it. The one conversion point from `CoreError`.

use crate::error::{CoreError, ManifestError};
use crate::rules;

/// Severity of a manifest diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DiagnosticSeverity {
    /// The manifest is refused.
    Error,
    /// Allowed, worth a look.
    Warning,
}

/// A manifest lint finding, as shown to app developers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ManifestDiagnostic {
    /// Stable code (`CK001`...).
    pub code: String,
    /// Error or warning.
    pub severity: DiagnosticSeverity,
    /// JSON path of the problem.
    pub path: String,
    /// What is wrong.
    pub detail: String,
    /// How to fix it.
    pub fix: String,
}

impl From<&rules::Diagnostic> for ManifestDiagnostic {
    fn from(d: &rules::Diagnostic) -> Self {
        ManifestDiagnostic {
            code: d.code.clone(),
            severity: match d.severity {
                rules::Severity::Error => DiagnosticSeverity::Error,
                rules::Severity::Warning => DiagnosticSeverity::Warning,
            },
            path: d.path.clone(),
            detail: d.message.clone(),
            fix: d.fix.clone(),
        }
    }
}

/// Every way a ConsentKit call can fail. No call panics across the boundary.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum ConsentError {
    /// The manifest is not valid JSON / v1, or the lint found errors: every diagnostic is listed.
    #[error("invalid manifest: {detail}")]
    InvalidManifest {
        /// Summary, with the JSON path of the first problem.
        detail: String,
        /// Where parsing failed (empty if the lint failed).
        path: String,
        /// All lint diagnostics (errors and warnings).
        diagnostics: Vec<ManifestDiagnostic>,
    },
    /// An id the manifest does not declare.
    #[error("unknown {kind} \"{id}\"")]
    UnknownId {
        /// purpose, data_type, feature, third_party.
        kind: String,
        /// The id given.
        id: String,
    },
    /// An argument that makes no sense.
    #[error("invalid argument: {detail}")]
    InvalidArgument {
        /// What is wrong.
        detail: String,
    },
    /// Purposes needing separate consent were bundled in one grant: grant them one per call.
    #[error("separate consent required for: {}", purposes.join(", "))]
    SeparateConsentRequired {
        /// The purposes concerned.
        purposes: Vec<String>,
    },
    /// The user is under the guardian age: only a guardian can do this.
    #[error("guardian consent required (user under {age})")]
    GuardianRequired {
        /// The guardian age of the rule pack.
        age: u8,
    },
    /// The database could not be opened or written; nothing changed.
    #[error("storage error: {detail}")]
    Storage {
        /// What SQLite or the file system said.
        detail: String,
    },
    /// The instance was closed.
    #[error("ConsentKit is closed")]
    Closed,
    /// `advance_clock` needs an instance opened with a manual clock.
    #[error("the clock is not manual")]
    ClockNotManual,
    /// A bug in ConsentKit: the call failed inside the core (it was caught, nothing crossed the boundary; nothing was
    /// written by it). The detail goes to the log; report it.
    #[error("internal error in ConsentKit: {detail}")]
    Internal {
        /// What failed (no personal data).
        detail: String,
    },
}

impl From<CoreError> for ConsentError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Manifest(m) => {
                let detail = m.to_string();
                match m {
                    ManifestError::Lint { diagnostics } => ConsentError::InvalidManifest {
                        detail,
                        path: diagnostics.first().map(|d| d.path.clone()).unwrap_or_default(),
                        diagnostics: diagnostics.iter().map(Into::into).collect(),
                    },
                    ManifestError::Syntax { path, .. } | ManifestError::LimitExceeded { path, .. } => {
                        ConsentError::InvalidManifest { detail, path, diagnostics: vec![] }
                    }
                    ManifestError::UnknownFields { paths } => ConsentError::InvalidManifest {
                        detail,
                        path: paths.first().cloned().unwrap_or_default(),
                        diagnostics: vec![],
                    },
                    ManifestError::TooLarge { .. } => ConsentError::InvalidManifest { detail, path: String::new(), diagnostics: vec![] },
                }
            }
            CoreError::UnknownId { kind, id } => ConsentError::UnknownId { kind: kind.to_string(), id },
            CoreError::InvalidArgument(detail) => ConsentError::InvalidArgument { detail },
            CoreError::SeparateConsentRequired { purposes } => ConsentError::SeparateConsentRequired { purposes },
            CoreError::GuardianRequired { age } => ConsentError::GuardianRequired { age },
            CoreError::Storage(detail) => ConsentError::Storage { detail },
            CoreError::Closed => ConsentError::Closed,
            CoreError::ClockNotManual => ConsentError::ClockNotManual,
        }
    }
}
