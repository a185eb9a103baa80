//! ConsentKit: an on-device consent and personal-information gate for mobile apps.
//!
//! The app asks the core before it touches personal information; the core answers from consent stored on the device
//! and, when the answer is "no", names the reduced tier of the feature the app can still offer.
//!
//! Domain modules (`manifest`, `rules`, `store`, `gate`, `prompt`, `report`) are plain Rust and know nothing of
//! UniFFI; `ffi` is the thin exported surface that Kotlin and Swift bind to.

uniffi::setup_scaffolding!();

pub mod clock;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod codegen;
#[cfg(feature = "cli")]
pub mod declare;
pub mod engine;
pub mod error;
pub mod ffi;
pub mod frameworks;
pub mod gate;
pub mod integrity;
pub mod manifest;
pub mod valid;
pub mod prompt;
pub mod receipts;
pub mod report;
pub mod rules;
pub mod shared;
pub mod store;
pub mod watch;

pub use engine::Engine;
pub use error::CoreError;
pub use manifest::Manifest;
