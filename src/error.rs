//! The internal error layer: rich, with conversions. `ffi` maps it to the small public error at one point.

use crate::rules::Diagnostic;

/// Why a manifest was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    /// Larger than [`crate::manifest::MAX_MANIFEST_BYTES`].
    #[error("manifest is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not JSON, not UTF-8, too deeply nested, or a value of the wrong type.
    #[error("{message} at {path} (line {line}, column {column})")]
    Syntax {
        /// JSON path of the value being read (empty at the top level).
        path: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What the parser says.
        message: String,
    },
    /// Fields outside the v1 format and not under an `x-` prefix.
    #[error("unknown field(s): {}", paths.join(", "))]
    UnknownFields {
        /// Every unknown field's path.
        paths: Vec<String>,
    },
    /// A list or text beyond a sane size.
    #[error("{path}: more than {limit} {what}")]
    LimitExceeded {
        /// Where.
        path: String,
        /// Of what.
        what: String,
        /// The limit.
        limit: u64,
    },
    /// The lint found errors: every diagnostic (errors and warnings) is listed.
    #[error("manifest has lint errors: {}", summarize(diagnostics))]
    Lint {
        /// All diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
}

fn summarize(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{} {} at {}", d.code, d.message, d.path)).collect::<Vec<_>>().join("; ")
}

/// Every way a core operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The manifest was refused.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// An id the manifest does not declare.
    #[error("unknown {kind} id \"{id}\"")]
    UnknownId {
        /// purpose, data_type, feature, third_party, tier.
        kind: &'static str,
        /// The id given (truncated).
        id: String,
    },
    /// An argument that makes no sense (empty, too long, wrong version...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A purpose that needs separate consent was bundled with others in one grant call.
    #[error("purposes needing separate consent must be granted one per call: {}", purposes.join(", "))]
    SeparateConsentRequired {
        /// The separate-consent purposes in the bundle.
        purposes: Vec<String>,
    },
    /// The user is under the guardian age: only a guardian's action counts.
    #[error("the user is under {age}: a guardian must give this consent")]
    GuardianRequired {
        /// The pack's guardian age.
        age: u8,
    },
    /// The database could not be opened or written; the in-memory state is unchanged.
    #[error("storage: {0}")]
    Storage(String),
    /// The instance was closed.
    #[error("ConsentKit is closed")]
    Closed,
    /// A test-only operation was used with the system clock.
    #[error("the clock is the system clock; open with a manual clock to move time")]
    ClockNotManual,
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Storage(e.to_string())
    }
}

/// Shorthand for core results.
pub type CoreResult<T> = Result<T, CoreError>;

/// Truncates user-supplied ids in error messages (they can be absurdly long).
pub fn clip(id: &str) -> String {
    if id.len() <= 80 {
        id.to_string()
    } else {
        let mut end = 80;
        while !id.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &id[..end])
    }
}
