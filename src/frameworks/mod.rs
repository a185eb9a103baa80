//! The consent signals other ecosystems read, computed from ConsentKit's own consent state: the IAB TCF v2.2 TC
//! string (EU), the IAB Global Privacy Platform string (its TCF EU v2 and US national sections) and Google Consent
//! Mode v2. Plain Rust, no UniFFI: [`crate::ffi`] exports thin calls over it. docs/frameworks.md explains the mapping.
//!
//! Each codec encodes and decodes (decoding serves tests and importing a string from a web view); errors are typed
//! and name the field that failed.

pub mod bits;
pub mod consent_mode;
pub mod gpp;
pub mod signals;

pub mod tcf;
pub mod usnat;

/// Why a TC or GPP string could not be read (or a value could not be written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    /// The string is empty.
    #[error("empty string")]
    Empty,
    /// A character outside the web-safe base64 alphabet (RFC 4648 §5).
    #[error("character {position} is not web-safe base64")]
    BadCharacter {
        /// Zero-based index within the segment.
        position: usize,
    },
    /// The string ends inside a field.
    #[error("string ends inside {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// A value the spec does not allow in this field.
    #[error("value out of range in {field}")]
    OutOfRange {
        /// The field.
        field: &'static str,
    },
    /// An encoding version this decoder does not read.
    #[error("unsupported {what} version {version}")]
    UnsupportedVersion {
        /// Which format (TC string, GPP header, usnat section).
        what: &'static str,
        /// The version found.
        version: u64,
    },
    /// Segments or sections that do not fit together (a repeated segment, a header listing a different number of
    /// sections than the string has, ...).
    #[error("malformed structure: {detail}")]
    Structure {
        /// What is wrong.
        detail: String,
    },
}
