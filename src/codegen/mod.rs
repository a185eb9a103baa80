//! Typed constants for app code: every purpose, data type, feature, tier and third party of a manifest as Kotlin or
//! Swift enums carrying the id and the integer handle the core assigns when it loads that manifest
//! ([`Index::build`]), so app code cannot misspell an id and the hot path can pass handles without a lookup.
//!
//! Handles come from [`Index::build`] itself, never recomputed here: purposes, features and third parties in
//! manifest order; data types over the rule pack vocabulary and the declared types, sorted. Only the data types the
//! manifest uses or declares are emitted (their handles are still the core's). The generated file carries the
//! SHA-256 of the manifest file and a fingerprint of the whole handle table ([`handles_fingerprint`]), which a
//! facade can recompute from `ConsentKit.handles()` to detect constants generated from another manifest.

mod kotlin;
mod names;
mod swift;

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::gate::Index;
use crate::manifest::hex;
use crate::valid::ValidManifest;

/// The target language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Kotlin (Android).
    Kotlin,
    /// Swift (iOS).
    Swift,
}

/// Options of a generation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Kotlin package (default: the app id + `.consent`, made a valid package name).
    pub package: Option<String>,
    /// Prefix of the namespace type (`<prefix>ConsentIds`), e.g. `Ride`.
    pub prefix: Option<String>,
    /// The manifest file name, quoted in the header comment.
    pub source_name: String,
}

/// Why code could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    /// Two ids map to the same identifier in the target language.
    #[error("{kind} ids \"{a}\" and \"{b}\" both become `{ident}` in {lang}; rename one of them")]
    NameClash {
        /// purpose, data type, feature, tier, third party.
        kind: String,
        /// First id.
        a: String,
        /// Second id.
        b: String,
        /// The identifier.
        ident: String,
        /// Kotlin or Swift.
        lang: &'static str,
    },
    /// A `--package` or `--prefix` that is not a valid name.
    #[error("invalid {what} \"{value}\": {why}")]
    InvalidName {
        /// package or prefix.
        what: &'static str,
        /// The value given.
        value: String,
        /// Why.
        why: &'static str,
    },
}

/// One id with its handle and user-facing description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The manifest id.
    pub id: String,
    /// The core's handle.
    pub handle: u32,
    /// Description for the doc comment.
    pub doc: String,
}

/// A feature with its tiers (tier "handle" = index, 0 = richest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureEntry {
    /// The feature.
    pub feature: Entry,
    /// Its tiers, richest first.
    pub tiers: Vec<Entry>,
}

/// Everything the generators emit, in handle order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// App id.
    pub app_id: String,
    /// App name.
    pub app_name: String,
    /// Policy version.
    pub policy_version: String,
    /// Rule pack id.
    pub rule_pack: String,
    /// SHA-256 (hex) of the manifest file.
    pub manifest_sha256: String,
    /// [`handles_fingerprint`] of the index.
    pub handles_fingerprint: String,
    /// Number of data type handles (the width of the decision table).
    pub data_type_count: u32,
    /// Purposes.
    pub purposes: Vec<Entry>,
    /// Data types the manifest uses or declares.
    pub data_types: Vec<Entry>,
    /// Features and tiers.
    pub features: Vec<FeatureEntry>,
    /// Third parties.
    pub third_parties: Vec<Entry>,
}

/// One generated enum: its type name, doc comment, the name of its integer property (`handle` or `index`), the
/// noun used in comments, and its entries. Both emitters walk the same list, so Kotlin and Swift always expose the
/// same constants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumSection {
    /// Type name.
    pub name: String,
    /// Doc comment text.
    pub doc: String,
    /// Name of the integer property.
    pub number: &'static str,
    /// Noun for comments ("purpose", "tier"...).
    pub kind: &'static str,
    /// The constants.
    pub entries: Vec<Entry>,
}

/// The enums to generate, in order: purposes, data types, features, one tier enum per feature, third parties.
/// `lang` names the language in the error when two feature ids map to the same tier type name.
pub fn enum_sections(model: &Model, lang: &'static str) -> Result<Vec<EnumSection>, CodegenError> {
    use names::{check_unique, not_leading_digit, upper_camel};
    let section = |name: &str, doc: &str, number, kind, entries: Vec<Entry>| EnumSection {
        name: name.to_string(),
        doc: doc.to_string(),
        number,
        kind,
        entries,
    };
    let mut out = vec![
        section("Purpose", "Purposes, in manifest order.", "handle", "purpose", model.purposes.clone()),
        section(
            "DataType",
            "Data types the manifest uses or declares (handles over the whole vocabulary, so not contiguous).",
            "handle",
            "data type",
            model.data_types.clone(),
        ),
        section(
            "Feature",
            "Features, in manifest order.",
            "handle",
            "feature",
            model.features.iter().map(|f| f.feature.clone()).collect(),
        ),
    ];
    let tier_types: Vec<(String, String)> = model
        .features
        .iter()
        .map(|f| (f.feature.id.clone(), format!("{}Tier", not_leading_digit(upper_camel(&f.feature.id)))))
        .collect();
    check_unique("feature", lang, &tier_types)?;
    for (f, (_, type_name)) in model.features.iter().zip(&tier_types) {
        let doc = format!(
            "Tiers of feature `{}`, richest first: `index` 0 is the richest, the last is the basic tier.",
            f.feature.id
        );
        out.push(section(type_name, &doc, "index", "tier", f.tiers.clone()));
    }
    out.push(section("ThirdParty", "Third parties, in manifest order.", "handle", "third party", model.third_parties.clone()));
    Ok(out)
}

/// The fingerprint of a handle table: `sha256:` + hex SHA-256 of the text
/// `consentkit/handles/v1\npurposes=<ids>\ndata_types=<ids>\nfeatures=<ids>\ntiers=<f>:<t>|<t>;<f>:...\nthird_parties=<ids>\n`
/// where `<ids>` are comma-separated in handle order. Computable from `ConsentKit.handles()`.
pub fn fingerprint_of(
    purposes: &[String],
    data_types: &[String],
    features: &[String],
    tiers: &[Vec<String>],
    third_parties: &[String],
) -> String {
    let tiers_text: Vec<String> = features.iter().zip(tiers).map(|(f, t)| format!("{f}:{}", t.join("|"))).collect();
    let text = format!(
        "consentkit/handles/v1\npurposes={}\ndata_types={}\nfeatures={}\ntiers={}\nthird_parties={}\n",
        purposes.join(","),
        data_types.join(","),
        features.join(","),
        tiers_text.join(";"),
        third_parties.join(",")
    );
    format!("sha256:{}", hex(&Sha256::digest(text.as_bytes())))
}

/// The fingerprint of a compiled manifest's handles (see [`fingerprint_of`]).
pub fn handles_fingerprint(index: &Index) -> String {
    let purposes: Vec<String> = index.purposes.iter().map(|p| p.id.to_string()).collect();
    let features: Vec<String> = index.features.iter().map(|f| f.id.to_string()).collect();
    let tiers: Vec<Vec<String>> =
        index.features.iter().map(|f| f.tiers.iter().map(|t| t.id.to_string()).collect()).collect();
    fingerprint_of(&purposes, &index.data_types, &features, &tiers, &index.third_parties)
}

/// Collects the model from a validated manifest and the bytes of its file.
pub fn model(valid: ValidManifest, source: &[u8]) -> Model {
    let index = Index::build(valid);
    let m = &index.manifest;
    let pack = index.pack;
    let mut used: BTreeSet<&str> = m.data_types.keys().map(String::as_str).collect();
    for p in &m.purposes {
        used.extend(p.data_types.iter().map(String::as_str));
    }
    let data_types = index
        .data_types
        .iter()
        .enumerate()
        .filter(|(_, d)| used.contains(d.as_str()))
        .map(|(i, d)| Entry { id: d.clone(), handle: i as u32, doc: crate::rules::describe_type(m, pack, d) })
        .collect();
    let purposes = m
        .purposes
        .iter()
        .enumerate()
        .map(|(i, p)| Entry { id: p.id.clone(), handle: i as u32, doc: p.description.clone().unwrap_or_default() })
        .collect();
    let features = index
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| FeatureEntry {
            feature: Entry { id: f.id.to_string(), handle: i as u32, doc: String::new() },
            tiers: f
                .tiers
                .iter()
                .enumerate()
                .map(|(j, t)| {
                    let requires: Vec<&str> =
                        t.requires.iter().map(|&r| index.purposes[r as usize].id.as_str()).collect();
                    let doc = if requires.is_empty() {
                        "requires no purpose".to_string()
                    } else {
                        format!("requires {}", requires.join(", "))
                    };
                    Entry { id: t.id.to_string(), handle: j as u32, doc }
                })
                .collect(),
        })
        .collect();
    let third_parties = m
        .third_parties
        .iter()
        .enumerate()
        .map(|(i, t)| Entry { id: t.id.clone(), handle: i as u32, doc: format!("{} ({})", t.name, t.region) })
        .collect();
    Model {
        app_id: m.app.id.clone(),
        app_name: m.app.name.clone(),
        policy_version: m.policy.version.clone(),
        rule_pack: m.rule_pack.clone(),
        manifest_sha256: hex(&Sha256::digest(source)),
        handles_fingerprint: handles_fingerprint(&index),
        data_type_count: index.data_types.len() as u32,
        purposes,
        data_types,
        features,
        third_parties,
    }
}

/// Generates the source file.
pub fn generate(
    valid: ValidManifest,
    source: &[u8],
    language: Language,
    options: &Options,
) -> Result<String, CodegenError> {
    let model = model(valid, source);
    match language {
        Language::Kotlin => kotlin::render(&model, options),
        Language::Swift => swift::render(&model, options),
    }
}
