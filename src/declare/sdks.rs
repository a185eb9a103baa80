//! `consentkit check-sdks`: the privacy manifests third-party SDKs ship, checked against the app's manifest.
//!
//! Each `PrivacyInfo.xcprivacy` under the given folders (an app's `Pods/`, SwiftPM's `.build/checkouts/` or
//! `SourcePackages/checkouts/`, vendored XCFrameworks) belongs to the SDK named by the folders above it; an SDK
//! is the recipient whose `sdk_modules` names one of those folders (`.framework`, `.xcframework`, `.bundle` and a
//! `_Privacy` bundle suffix removed, case ignored). What an SDK declares must be something the manifest already
//! lets it receive, or the app's consent model does not cover it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::apple::AppleDeclaration;
use super::plist_io;
use crate::manifest::{Manifest, ThirdParty};
use crate::rules::{Severity, StoreDeclarations};

/// The file name SDKs give their privacy manifest.
pub const PRIVACY_MANIFEST: &str = "PrivacyInfo.xcprivacy";

/// The stable codes of `check-sdks` findings, their severity and summary (docs/cli.md).
pub const CODES: &[(&str, Severity, &str)] = &[
    ("SDK001", Severity::Error, "privacy manifest that cannot be read"),
    ("SDK002", Severity::Error, "SDK collects a data type that no purpose sends to its recipient (unconsented collection)"),
    ("SDK003", Severity::Error, "SDK tracks, but none of its recipient's purposes is a tracking purpose"),
    ("SDK004", Severity::Error, "tracking domain the manifest does not declare for the recipient"),
    ("SDK005", Severity::Error, "SDK that collects or tracks matches no declared third party"),
    ("SDK006", Severity::Warning, "SDK that collects nothing matches no declared third party"),
    ("SDK007", Severity::Warning, "name that is not one of Apple's data types or purposes"),
];

/// One finding about one SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code (`SDK001`...).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The SDK (its folder name).
    pub sdk: String,
    /// The privacy manifest the finding comes from.
    pub file: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// An SDK found under the searched folders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sdk {
    /// Its name: the first folder under the searched one that is not a container (`Pods`, `checkouts`...).
    pub name: String,
    /// Its privacy manifests.
    pub files: Vec<String>,
    /// The third party it matched, if any.
    pub recipient: Option<String>,
}

/// What `check-sdks` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkReport {
    /// Every SDK with a privacy manifest, by name.
    pub sdks: Vec<Sdk>,
    /// Findings, SDK by SDK.
    pub findings: Vec<Finding>,
}

/// Every privacy manifest under `root` (or `root` itself when it is one), sorted; symlinks are not followed.
pub fn find_manifests(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if root.is_file() {
        out.push(root.to_path_buf());
        return Ok(out);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() && entry.file_name() == PRIVACY_MANIFEST {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Folders that hold SDKs rather than being one: an SDK's name is the first folder below them.
const CONTAINERS: &[&str] = &["Pods", "SourcePackages", "checkouts", ".build", "Carthage", "Checkouts", "Build", "Frameworks", "Vendor", "vendor"];

/// A folder name as an SDK name: without `.framework` / `.xcframework` / `.bundle` and a `_Privacy` suffix.
fn sdk_name(component: &str) -> String {
    let mut name = component;
    for ext in [".xcframework", ".framework", ".bundle", ".resources"] {
        name = name.strip_suffix(ext).unwrap_or(name);
    }
    name.strip_suffix("_Privacy").unwrap_or(name).to_string()
}

/// The folder names between `root` and `file`, as SDK names.
fn names_on_path(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let mut names: Vec<String> = rel
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| c.as_os_str().to_str().map(sdk_name))
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        // A manifest given directly, or at the top of the folder: the folder names it.
        if let Some(n) = file.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()) {
            names.push(sdk_name(n));
        }
    }
    names
}

fn matches(t: &ThirdParty, names: &[String]) -> bool {
    t.sdk_modules.iter().any(|m| names.iter().any(|n| n.eq_ignore_ascii_case(m.trim())))
}

/// Adds a finding, unless the same SDK already has it from another of its files (an XCFramework carries one
/// privacy manifest per platform slice): reported once, at the first file.
fn push(findings: &mut Vec<Finding>, code: &'static str, sdk: &str, file: &str, message: String, fix: String) {
    if findings.iter().any(|f| f.code == code && f.sdk == sdk && f.message == message) {
        return;
    }
    let severity = CODES.iter().find(|(c, ..)| *c == code).map_or(Severity::Error, |(_, s, _)| *s);
    findings.push(Finding { code, severity, sdk: sdk.to_string(), file: file.to_string(), message, fix });
}

/// Checks the privacy manifests `files` (each with the folder it was found under) against `m`.
pub fn check(m: &Manifest, table: &StoreDeclarations, files: &[(PathBuf, PathBuf)]) -> SdkReport {
    let mut sdks: BTreeMap<String, Sdk> = BTreeMap::new();
    let mut findings = Vec::new();
    for (root, file) in files {
        let names = names_on_path(root, file);
        let name = names
            .iter()
            .find(|n| !CONTAINERS.contains(&n.as_str()))
            .or(names.first())
            .cloned()
            .unwrap_or_else(|| file.display().to_string());
        let shown = file.display().to_string();
        let recipient = m.third_parties.iter().find(|t| matches(t, &names));
        let sdk = sdks.entry(name.clone()).or_insert_with(|| Sdk { name: name.clone(), files: Vec::new(), recipient: None });
        sdk.files.push(shown.clone());
        if sdk.recipient.is_none() {
            sdk.recipient = recipient.map(|t| t.id.clone());
        }
        let read = match std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| plist_io::read(&b, table).map_err(|e| e.0)) {
            Ok(r) => r,
            Err(e) => {
                push(&mut findings, "SDK001", &name, &shown, format!("cannot read the privacy manifest: {e}"), "ask the SDK's vendor for a valid PrivacyInfo.xcprivacy, or update the SDK".into());
                continue;
            }
        };
        for u in &read.unknown_names {
            push(&mut findings, "SDK007", &name, &shown, format!("{u} is not one of Apple's documented names"), "check the SDK's manifest against Apple's lists; this tool ignores the entry".into());
        }
        check_one(m, table, &name, &shown, recipient, &read.declaration, &mut findings);
    }
    SdkReport { sdks: sdks.into_values().collect(), findings }
}

fn check_one(
    m: &Manifest,
    table: &StoreDeclarations,
    name: &str,
    file: &str,
    recipient: Option<&ThirdParty>,
    decl: &AppleDeclaration,
    findings: &mut Vec<Finding>,
) {
    let tracks = decl.tracking || decl.collected.iter().any(|c| c.tracking);
    let Some(t) = recipient else {
        let modules: Vec<&str> = m.third_parties.iter().flat_map(|t| t.sdk_modules.iter().map(String::as_str)).collect();
        let known = if modules.is_empty() { "no third party declares sdk_modules".to_string() } else { format!("declared sdk_modules: {}", modules.join(", ")) };
        if decl.collected.is_empty() && !tracks && decl.tracking_domains.is_empty() {
            push(findings, "SDK006", name, file, format!("SDK \"{name}\" declares no collection and matches no third party ({known})"), format!("nothing to do unless it sends data; to be explicit, add \"{name}\" to the sdk_modules of its third party"));
        } else {
            let what: Vec<&str> = decl.collected.iter().map(|c| c.apple.as_str()).collect();
            push(findings, "SDK005", name, file, format!("SDK \"{name}\" collects [{}]{} but matches no third party ({known})", what.join(", "), if tracks { " and tracks" } else { "" }), format!("declare it under third_parties with \"sdk_modules\": [\"{name}\"], as a recipient of the purposes it serves"));
        }
        return;
    };
    let purposes: Vec<_> = m.purposes.iter().filter(|p| p.recipients.contains(&t.id)).collect();
    let received: BTreeSet<String> =
        purposes.iter().flat_map(|p| p.data_types.iter()).filter_map(|d| table.apple_data_type(m, d)).collect();
    for c in &decl.collected {
        if !received.contains(&c.apple) {
            push(findings, "SDK002", name, file, format!(
                "SDK \"{name}\" ({}) declares collecting {}{}, but no purpose sends that to \"{}\": the app's consent does not cover it",
                t.id, table.apple_data_type_prefix, c.apple, t.id
            ), format!("add a data type of category {} to a purpose whose recipients include \"{}\" (and ask for that consent), or configure the SDK not to collect it", c.apple, t.id));
        }
    }
    if tracks && !purposes.iter().any(|p| p.tracking) {
        push(findings, "SDK003", name, file, format!("SDK \"{name}\" ({}) declares tracking, but none of the purposes sending it data is a tracking purpose", t.id), format!("mark the purpose that sends data to \"{}\" \"tracking\": true (separate opt-in, Apple ATT), or disable the SDK's tracking", t.id));
    }
    let declared: BTreeSet<String> = t.tracking_domains.iter().map(|d| d.trim().to_ascii_lowercase()).collect();
    for d in &decl.tracking_domains {
        if !declared.contains(d) {
            push(findings, "SDK004", name, file, format!("SDK \"{name}\" tracks through {d}, which third party \"{}\" does not declare", t.id), format!("add \"{d}\" to tracking_domains of \"{}\"", t.id));
        }
    }
}
