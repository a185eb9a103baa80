//! `consentkit check-app <manifest> [--android-manifest F] [--info-plist F]`: the app's platform declarations against
//! its consent manifest and the platform table (docs/cli.md, codes CA001-CA006): Android permissions no purpose
//! justifies, permissions and Info.plist usage descriptions missing for declared data types, usage descriptions for
//! data the manifest never collects, unlocalized or empty descriptions. Exit codes as for lint.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use super::app_files::{android_permissions, info_plist_keys, localized_strings};
use super::{diagnostic_lines, emit, load_manifest, read_file, CmdResult, Failure, Format};
use crate::rules::{Diagnostic, OsPermission, PlatformTable, Severity};

/// The permissions the manifest's purposes need, each with the purposes and data types that justify it.
fn needed(m: &crate::manifest::Manifest) -> BTreeMap<String, Vec<String>> {
    let table = PlatformTable::get();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &m.purposes {
        for d in &p.data_types {
            if let Some(g) = table.guard(d) {
                out.entry(g.permission.clone()).or_default().push(format!("{}/{d}", p.id));
            }
        }
        if p.tracking {
            out.entry(table.tracking_permission.clone()).or_default().push(format!("{} (tracking)", p.id));
        }
    }
    out
}

fn diag(code: &str, severity: Severity, path: String, message: String, fix: String) -> Diagnostic {
    Diagnostic { code: code.to_string(), severity, path, message, fix }
}

fn android(path: &Path, needed: &BTreeMap<String, Vec<String>>) -> Result<Vec<Diagnostic>, Failure> {
    let text = String::from_utf8_lossy(&read_file(path)?).into_owned();
    let declared = android_permissions(&text).map_err(|e| Failure::usage(format!("{}: error: {e}", path.display())))?;
    let table = PlatformTable::get();
    let mut out = Vec::new();
    for u in declared.iter().filter(|u| !u.removed) {
        let Some(p) = table.by_android_name(&u.name) else { continue };
        if !needed.contains_key(&p.id) {
            out.push(diag(
                "CA001",
                Severity::Error,
                format!("line {}: {}", u.line, u.name),
                format!("{} ({}) is requested but no purpose of the manifest collects data it guards", u.name, p.id),
                format!(
                    "remove it (add tools:node=\"remove\" if a library brings it), or declare the purpose that needs it ({})",
                    table.data_types_of(&p.id).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for (id, why) in needed {
        let Some(p) = table.permissions.iter().find(|p| &p.id == id) else { continue };
        if p.android.is_empty() {
            continue;
        }
        let ours: Vec<_> = declared.iter().filter(|u| !u.removed && p.android.iter().any(|a| a.name == u.name)).collect();
        if ours.is_empty() {
            out.push(diag(
                "CA002",
                Severity::Error,
                format!("permission {id}"),
                format!("{} need the {id} permission, which the manifest does not request", why.join(", ")),
                format!("add <uses-permission android:name=\"{}\"/>", names(p).join("\"/>, <uses-permission android:name=\"")),
            ));
            continue;
        }
        // Covered on the newest Android versions: some declared permission that still applies and has no maxSdkVersion.
        let current = ours.iter().any(|u| {
            u.max_sdk.is_none() && p.android.iter().any(|a| a.name == u.name && a.max_api.is_none())
        });
        if !current {
            out.push(diag(
                "CA003",
                Severity::Warning,
                format!("permission {id}"),
                format!("the {id} permission is requested only for older Android versions (maxSdkVersion, or a permission replaced later)"),
                format!("also request {}", p.android.iter().filter(|a| a.max_api.is_none()).map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")),
            ));
        }
    }
    Ok(out)
}

fn names(p: &OsPermission) -> Vec<&str> {
    p.android.iter().filter(|a| a.max_api.is_none()).map(|a| a.name.as_str()).collect()
}

fn ios(path: &Path, needed: &BTreeMap<String, Vec<String>>) -> Result<Vec<Diagnostic>, Failure> {
    let fail = |e: String| Failure::usage(format!("{}: error: {e}", path.display()));
    read_file(path)?;
    let keys = info_plist_keys(path).map_err(fail)?;
    let localized = localized_strings(path).map_err(fail)?;
    let table = PlatformTable::get();
    let mut out = Vec::new();
    for (key, value) in &keys {
        let Some(p) = table.by_usage_key(key) else { continue };
        if !needed.contains_key(&p.id) {
            out.push(diag(
                "CA005",
                Severity::Warning,
                key.clone(),
                format!("{key} ({}) is declared but no purpose of the manifest collects data it guards", p.id),
                "remove the key, or declare the purpose that needs it".to_string(),
            ));
        } else if value.as_deref().map_or(true, |v| v.trim().is_empty()) {
            out.push(diag("CA006", Severity::Warning, key.clone(), format!("{key} is empty"), "say why the app needs it".into()));
        }
    }
    for (id, why) in needed {
        let Some(ios) = table.permissions.iter().find(|p| &p.id == id).and_then(|p| p.ios.as_ref()) else { continue };
        for k in ios.usage_keys.iter().filter(|k| k.max_ios.is_none()) {
            if !keys.contains_key(&k.key) {
                out.push(diag(
                    "CA004",
                    Severity::Error,
                    k.key.clone(),
                    format!("{} need {} (iOS {}+): without it the app crashes when it asks", why.join(", "), k.key, k.min_ios),
                    format!("add <key>{}</key> with the purpose's explanation", k.key),
                ));
                continue;
            }
            for (file, strings) in &localized {
                if !strings.contains_key(&k.key) {
                    let lang = file.parent().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    out.push(diag(
                        "CA006",
                        Severity::Warning,
                        format!("{lang}/InfoPlist.strings: {}", k.key),
                        format!("{} is not localized in {lang}: those users see the development language", k.key),
                        format!("add \"{}\" = \"...\"; to {}", k.key, file.display()),
                    ));
                }
            }
        }
    }
    Ok(out)
}

pub(super) fn run(manifest: &Path, android_manifest: Option<&Path>, info_plist: Option<&Path>, format: Format) -> CmdResult {
    if android_manifest.is_none() && info_plist.is_none() {
        return Err(Failure::usage("error: give --android-manifest and/or --info-plist"));
    }
    let (_, valid) = load_manifest(manifest)?;
    let need = needed(&valid.manifest);
    let mut found: Vec<(&Path, Diagnostic)> = Vec::new();
    if let Some(f) = android_manifest {
        found.extend(android(f, &need)?.into_iter().map(|d| (f, d)));
    }
    if let Some(f) = info_plist {
        found.extend(ios(f, &need)?.into_iter().map(|d| (f, d)));
    }
    let errors = found.iter().filter(|(_, d)| d.severity == Severity::Error).count();
    let warnings = found.len() - errors;
    match format {
        Format::Text => {
            let mut text = String::new();
            for (file, d) in &found {
                text.push_str(&diagnostic_lines(file, std::slice::from_ref(d)));
            }
            let files: BTreeSet<String> = [android_manifest, info_plist].into_iter().flatten().map(|p| p.display().to_string()).collect();
            text.push_str(&format!("{}: {errors} error(s), {warnings} warning(s)\n", files.into_iter().collect::<Vec<_>>().join(", ")));
            emit(&text)?;
        }
        Format::Json => {
            let diagnostics: Vec<_> = found
                .iter()
                .map(|(file, d)| {
                    let mut v = serde_json::to_value(d).unwrap_or_default();
                    v["file"] = json!(file.display().to_string());
                    v
                })
                .collect();
            emit(&super::lint::pretty(&json!({
                "manifest": manifest.display().to_string(),
                "platform_table": PlatformTable::get().version,
                "ok": errors == 0,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics,
            })))?;
        }
    }
    Ok(u8::from(errors > 0))
}
