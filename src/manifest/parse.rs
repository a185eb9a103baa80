//! Turning untrusted bytes into a [`Manifest`]: size limits, typed errors with JSON paths, `x-` extension policy.

use super::model::*;
use crate::error::ManifestError;

/// Largest manifest accepted, in bytes. Real manifests are a few KiB; this bounds memory and time on bad input.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// Largest number of purposes, data types, features or third parties.
pub const MAX_ITEMS: usize = 1024;
/// Largest number of tiers in one feature.
pub const MAX_TIERS: usize = 32;
/// Longest free-text field (descriptions, names), in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// Parses a manifest from bytes (JSON, UTF-8). Structure only: rule checks are the lint's job.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge { size: bytes.len() as u64, limit: MAX_MANIFEST_BYTES as u64 });
    }
    // Happy path without the path tracking (it wraps every visitor); on error, parse again to name the path.
    if let Ok(manifest) = serde_json::from_slice::<Manifest>(bytes) {
        check_unknown_fields(&manifest)?;
        check_limits(&manifest)?;
        return Ok(normalize(manifest));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let manifest: Manifest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ManifestError::Syntax {
            path: if path == "." { String::new() } else { path },
            line: inner.line() as u64,
            column: inner.column() as u64,
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| ManifestError::Syntax {
        path: String::new(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: strip_position(&e.to_string()),
    })?;
    check_unknown_fields(&manifest)?;
    check_limits(&manifest)?;
    Ok(normalize(manifest))
}

/// Normalises values once, here, so the lint, the gate and every report see the same text: the filing number
/// without surrounding whitespace (an app shows it verbatim), an empty one as absent.
fn normalize(mut m: Manifest) -> Manifest {
    m.app.filing_number = m.app.filing_number.take().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    m
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Adds the unknown keys of `ext` under the path `at()` (built only when there is one: open runs this check).
fn unknown_in(ext: &Extensions, at: impl FnOnce() -> String, out: &mut Vec<String>) {
    let mut unknown = ext.keys().filter(|k| !k.starts_with("x-")).peekable();
    if unknown.peek().is_none() {
        return;
    }
    let at = at();
    for key in unknown {
        out.push(if at.is_empty() { key.clone() } else { format!("{at}.{key}") });
    }
}

/// Every field outside the v1 format and not under an `x-` prefix, by path: all of them, not just the first.
fn check_unknown_fields(m: &Manifest) -> Result<(), ManifestError> {
    let mut paths = Vec::new();
    unknown_in(&m.extensions, || "".into(), &mut paths);
    unknown_in(&m.app.extensions, || "app".into(), &mut paths);
    unknown_in(&m.policy.extensions, || "policy".into(), &mut paths);
    if let Some(c) = &m.children_rules {
        unknown_in(&c.extensions, || "children_rules".into(), &mut paths);
    }
    for (id, d) in &m.data_types {
        unknown_in(&d.extensions, || format!("data_types.{id}"), &mut paths);
    }
    for (i, p) in m.purposes.iter().enumerate() {
        unknown_in(&p.extensions, || format!("purposes[{i}]"), &mut paths);
        for (j, f) in p.frequency.iter().enumerate() {
            unknown_in(&f.extensions, || format!("purposes[{i}].frequency[{j}]"), &mut paths);
        }
    }
    for (i, t) in m.third_parties.iter().enumerate() {
        unknown_in(&t.extensions, || format!("third_parties[{i}]"), &mut paths);
    }
    for (i, f) in m.features.iter().enumerate() {
        unknown_in(&f.extensions, || format!("features[{i}]"), &mut paths);
        for (j, t) in f.tiers.iter().enumerate() {
            unknown_in(&t.extensions, || format!("features[{i}].tiers[{j}]"), &mut paths);
        }
    }
    if let Some(f) = &m.frameworks {
        for (at, ext) in f.extension_maps() {
            unknown_in(ext, || at, &mut paths);
        }
    }
    if paths.is_empty() {
        Ok(())
    } else {
        Err(ManifestError::UnknownFields { paths })
    }
}

/// `LimitExceeded` at `path()` (built only on error: open runs this check) when `actual > max`.
fn limit<P: ToString>(path: impl FnOnce() -> P, what: &str, actual: usize, max: usize) -> Result<(), ManifestError> {
    if actual > max {
        Err(ManifestError::LimitExceeded { path: path().to_string(), what: what.to_string(), limit: max as u64 })
    } else {
        Ok(())
    }
}

fn check_limits(m: &Manifest) -> Result<(), ManifestError> {
    limit(|| "purposes", "purposes", m.purposes.len(), MAX_ITEMS)?;
    limit(|| "data_types", "data types", m.data_types.len(), MAX_ITEMS)?;
    limit(|| "features", "features", m.features.len(), MAX_ITEMS)?;
    limit(|| "third_parties", "third parties", m.third_parties.len(), MAX_ITEMS)?;
    limit(|| "app.name", "bytes", m.app.name.len(), MAX_TEXT_BYTES)?;
    for (id, d) in &m.data_types {
        let desc = d.description.as_deref().unwrap_or("");
        limit(|| format!("data_types.{id}.description"), "bytes", desc.len(), MAX_TEXT_BYTES)?;
    }
    for (i, p) in m.purposes.iter().enumerate() {
        let desc = p.description.as_deref().unwrap_or("");
        limit(|| format!("purposes[{i}].description"), "bytes", desc.len(), MAX_TEXT_BYTES)?;
        limit(|| format!("purposes[{i}].data_types"), "data types", p.data_types.len(), MAX_ITEMS)?;
        limit(|| format!("purposes[{i}].recipients"), "recipients", p.recipients.len(), MAX_ITEMS)?;
        limit(|| format!("purposes[{i}].frequency"), "limits", p.frequency.len(), MAX_ITEMS)?;
    }
    for (i, t) in m.third_parties.iter().enumerate() {
        limit(|| format!("third_parties[{i}].tracking_domains"), "domains", t.tracking_domains.len(), MAX_ITEMS)?;
        limit(|| format!("third_parties[{i}].sdk_modules"), "names", t.sdk_modules.len(), MAX_ITEMS)?;
    }
    for (i, f) in m.features.iter().enumerate() {
        limit(|| format!("features[{i}].tiers"), "tiers", f.tiers.len(), MAX_TIERS)?;
        for (j, t) in f.tiers.iter().enumerate() {
            limit(|| format!("features[{i}].tiers[{j}].requires"), "purposes", t.requires.len(), MAX_ITEMS)?;
        }
    }
    Ok(())
}
