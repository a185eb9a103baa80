//! Apple privacy manifests as property lists: writing a [`AppleDeclaration`] as XML (what Xcode reads in
//! `PrivacyInfo.xcprivacy`) and reading one back from XML or binary plist bytes, as SDKs ship them (comments,
//! empty arrays, keys this tool does not use, required-reason entries). The one user of the `plist` crate.

use std::io::Cursor;

use plist::{Dictionary, Value};

use super::apple::{AppleDeclaration, CollectedType};
use crate::rules::{AccessedApi, StoreDeclarations};

const TRACKING: &str = "NSPrivacyTracking";
const DOMAINS: &str = "NSPrivacyTrackingDomains";
const COLLECTED: &str = "NSPrivacyCollectedDataTypes";
const TYPE: &str = "NSPrivacyCollectedDataType";
const LINKED: &str = "NSPrivacyCollectedDataTypeLinked";
const TYPE_TRACKING: &str = "NSPrivacyCollectedDataTypeTracking";
const PURPOSES: &str = "NSPrivacyCollectedDataTypePurposes";
const APIS: &str = "NSPrivacyAccessedAPITypes";
const API_TYPE: &str = "NSPrivacyAccessedAPIType";
const API_REASONS: &str = "NSPrivacyAccessedAPITypeReasons";

/// A privacy manifest that could not be read: not a property list, or a known key with the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlistError(pub String);

impl std::fmt::Display for PlistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A privacy manifest as read: its declaration, and what in it is not Apple's (unknown category or purpose
/// names), which a reader reports rather than drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadManifest {
    /// The content, names without Apple's prefixes.
    pub declaration: AppleDeclaration,
    /// Values that are not Apple's documented names, with their key path.
    pub unknown_names: Vec<String>,
}

/// The declaration as an Apple property list (XML, tab-indented as Xcode writes it), with Apple's full key names.
pub fn to_xml(decl: &AppleDeclaration, table: &StoreDeclarations) -> String {
    let mut out = Vec::new();
    // Writing a tree of strings, booleans, arrays and dictionaries into memory cannot fail.
    let _ = Value::Dictionary(to_dictionary(decl, table)).to_writer_xml(&mut out);
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

/// The declaration as a binary property list (tests and fixtures: SDKs ship both encodings).
pub fn to_binary(decl: &AppleDeclaration, table: &StoreDeclarations) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = Value::Dictionary(to_dictionary(decl, table)).to_writer_binary(&mut out);
    out
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn to_dictionary(decl: &AppleDeclaration, table: &StoreDeclarations) -> Dictionary {
    let mut root = Dictionary::new();
    root.insert(TRACKING.into(), Value::Boolean(decl.tracking));
    root.insert(DOMAINS.into(), strings(decl.tracking_domains.iter().cloned()));
    let collected = decl
        .collected
        .iter()
        .map(|c| {
            let mut d = Dictionary::new();
            d.insert(TYPE.into(), Value::String(format!("{}{}", table.apple_data_type_prefix, c.apple)));
            d.insert(LINKED.into(), Value::Boolean(c.linked));
            d.insert(TYPE_TRACKING.into(), Value::Boolean(c.tracking));
            d.insert(PURPOSES.into(), strings(c.purposes.iter().map(|p| format!("{}{p}", table.apple_purpose_prefix))));
            Value::Dictionary(d)
        })
        .collect();
    root.insert(COLLECTED.into(), Value::Array(collected));
    let apis = decl
        .accessed_apis
        .iter()
        .map(|a| {
            let mut d = Dictionary::new();
            d.insert(API_TYPE.into(), Value::String(a.category.clone()));
            d.insert(API_REASONS.into(), strings(a.reasons.iter().cloned()));
            Value::Dictionary(d)
        })
        .collect();
    root.insert(APIS.into(), Value::Array(apis));
    root
}

/// Reads a privacy manifest (XML or binary plist). Absent keys mean false / empty, as Apple reads them.
pub fn read(bytes: &[u8], table: &StoreDeclarations) -> Result<ReadManifest, PlistError> {
    let value = Value::from_reader(Cursor::new(bytes)).map_err(|e| PlistError(format!("not a property list: {e}")))?;
    let Value::Dictionary(root) = value else {
        return Err(PlistError("the property list's root is not a dictionary".into()));
    };
    let mut unknown_names = Vec::new();
    let tracking = boolean(&root, TRACKING, TRACKING)?;
    let mut tracking_domains = string_array(&root, DOMAINS, DOMAINS)?;
    tracking_domains.iter_mut().for_each(|d| *d = d.trim().to_ascii_lowercase());
    tracking_domains.sort();
    tracking_domains.dedup();
    let mut collected = Vec::new();
    for (i, item) in array(&root, COLLECTED, COLLECTED)?.iter().enumerate() {
        let at = format!("{COLLECTED}[{i}]");
        let Value::Dictionary(entry) = item else { return Err(PlistError(format!("{at} is not a dictionary"))) };
        let full = entry
            .get(TYPE)
            .and_then(Value::as_string)
            .ok_or_else(|| PlistError(format!("{at}.{TYPE} is missing or not a string")))?;
        let apple = strip(full, &table.apple_data_type_prefix);
        if !table.is_apple_data_type(&apple) {
            unknown_names.push(format!("{at}.{TYPE}: {full}"));
        }
        let mut purposes = Vec::new();
        for (j, p) in string_array(entry, PURPOSES, &format!("{at}.{PURPOSES}"))?.into_iter().enumerate() {
            let short = strip(&p, &table.apple_purpose_prefix);
            if !table.apple_purpose_import.contains_key(&short) {
                unknown_names.push(format!("{at}.{PURPOSES}[{j}]: {p}"));
            }
            purposes.push(short);
        }
        purposes.sort();
        purposes.dedup();
        collected.push(CollectedType {
            apple,
            linked: boolean(entry, LINKED, &format!("{at}.{LINKED}"))?,
            tracking: boolean(entry, TYPE_TRACKING, &format!("{at}.{TYPE_TRACKING}"))?,
            purposes,
        });
    }
    let mut accessed_apis = Vec::new();
    for (i, item) in array(&root, APIS, APIS)?.iter().enumerate() {
        let at = format!("{APIS}[{i}]");
        let Value::Dictionary(entry) = item else { return Err(PlistError(format!("{at} is not a dictionary"))) };
        let category = entry.get(API_TYPE).and_then(Value::as_string).unwrap_or_default().to_string();
        accessed_apis.push(AccessedApi { category, reasons: string_array(entry, API_REASONS, &format!("{at}.{API_REASONS}"))? });
    }
    Ok(ReadManifest {
        declaration: AppleDeclaration { tracking, tracking_domains, collected, accessed_apis },
        unknown_names,
    })
}

fn strip(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix).unwrap_or(name).to_string()
}

fn boolean(d: &Dictionary, key: &str, at: &str) -> Result<bool, PlistError> {
    match d.get(key) {
        None => Ok(false),
        Some(Value::Boolean(b)) => Ok(*b),
        Some(_) => Err(PlistError(format!("{at} is not a boolean"))),
    }
}

fn array<'a>(d: &'a Dictionary, key: &str, at: &str) -> Result<&'a [Value], PlistError> {
    match d.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(PlistError(format!("{at} is not an array"))),
    }
}

fn string_array(d: &Dictionary, key: &str, at: &str) -> Result<Vec<String>, PlistError> {
    array(d, key, at)?
        .iter()
        .enumerate()
        .map(|(i, v)| v.as_string().map(str::to_string).ok_or_else(|| PlistError(format!("{at}[{i}] is not a string"))))
        .collect()
}
