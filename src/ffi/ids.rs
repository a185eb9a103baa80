//! Manifest ids across the FFI: the engine's cheap-to-copy [`ManifestId`] and shared [`ManifestIds`] list
//! (`gate::manifest_id`) cross as a plain string and a plain list of strings. In the generated Kotlin and Swift they
//! are type aliases (`ManifestId = String`, `ManifestIds = List<String>` / `[String]`), so foreign code sees strings.

use crate::gate::{ManifestId, ManifestIds};

uniffi::custom_type!(ManifestId, String, {
    lower: |id| id.as_str().to_owned(),
    try_lift: |s| Ok(ManifestId::new(&s)),
});

uniffi::custom_type!(ManifestIds, Vec<String>, {
    lower: |ids| ids.to_strings(),
    try_lift: |v| Ok(v.iter().map(|s| ManifestId::new(s)).collect()),
});
