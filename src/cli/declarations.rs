//! `consentkit export apple-privacy|play-data-safety`, `consentkit import apple-privacy` and `consentkit
//! check-sdks`: the app-store declarations rendered from the manifest, a draft manifest from a privacy manifest,
//! and SDKs' privacy manifests checked against it (the logic is in `crate::declare`).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::lint::pretty;
use super::{emit, load_manifest, read_file, CmdResult, Failure, Format};
use crate::declare::import::{draft, DraftOptions};
use crate::declare::play::PlayAnswers;
use crate::declare::sdks::{check, find_manifests};
use crate::declare::{plist_io, AppleDeclaration};
use crate::rules::{RulePack, Severity, StoreDeclarations};

fn table() -> Result<&'static StoreDeclarations, Failure> {
    StoreDeclarations::get().ok_or_else(|| Failure::failed("error: the embedded store-declarations table does not parse"))
}

/// `export apple-privacy <manifest>`: the privacy manifest's XML on stdout.
pub(super) fn export_apple(manifest: &Path) -> CmdResult {
    let (_, valid) = load_manifest(manifest)?;
    let table = table()?;
    let decl = AppleDeclaration::of(&valid.manifest, table).map_err(|u| {
        Failure::failed(format!(
            "{}: error[CK028]: no Apple category for data type(s) {}: set data_types.<id>.apple_data_type",
            manifest.display(),
            u.0.join(", ")
        ))
    })?;
    emit(&plist_io::to_xml(&decl, table))?;
    Ok(0)
}

/// Output formats of the Play answer sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(super) enum SheetFormat {
    /// Markdown, by the form's sections.
    #[default]
    Md,
    /// JSON with every answer.
    Json,
}

/// `export play-data-safety <manifest>`: the Data safety answer sheet.
pub(super) fn export_play(manifest: &Path, format: SheetFormat) -> CmdResult {
    let (_, valid) = load_manifest(manifest)?;
    let answers = PlayAnswers::of(&valid.manifest, table()?);
    match format {
        SheetFormat::Md => emit(&answers.markdown())?,
        SheetFormat::Json => emit(&pretty(&serde_json::to_value(&answers).unwrap_or_default()))?,
    }
    Ok(0)
}

/// Arguments of `import apple-privacy`.
pub(super) struct ImportArgs {
    /// The privacy manifest to read.
    pub file: PathBuf,
    /// `--category`: the app's category in the pack.
    pub category: Option<String>,
    /// `--pack`: the rule pack id.
    pub pack: String,
    /// `--region`: the app's home region (default: the pack's).
    pub region: Option<String>,
    /// `--app-id`.
    pub app_id: Option<String>,
    /// `--name`.
    pub name: Option<String>,
}

/// `import apple-privacy <PrivacyInfo.xcprivacy>`: a draft manifest on stdout.
pub(super) fn import_apple(args: ImportArgs) -> CmdResult {
    let table = table()?;
    let bytes = read_file(&args.file)?;
    let read = plist_io::read(&bytes, table).map_err(|e| Failure::failed(format!("{}: error: {e}", args.file.display())))?;
    for u in &read.unknown_names {
        eprintln!("{}: warning: {u} is not one of Apple's documented names", args.file.display());
    }
    let pack = RulePack::get(&args.pack).ok_or_else(|| Failure::usage(format!("error: unknown rule pack \"{}\"", args.pack)))?;
    if let Some(c) = &args.category {
        if !pack.categories.is_empty() && pack.category(c).is_none() {
            return Err(Failure::usage(format!(
                "error: unknown category \"{c}\" in rule pack {} (see `consentkit rules --pack {}`)",
                pack.id, pack.id
            )));
        }
    }
    let opts = DraftOptions {
        category: args.category,
        region: args.region.or_else(|| pack.home_region.clone()).unwrap_or_default(),
        pack: args.pack,
        app_id: args.app_id.unwrap_or_default(),
        name: args.name.unwrap_or_default(),
        source: args.file.display().to_string(),
    };
    let manifest = draft(&read.declaration, table, &opts);
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    emit(&text)?;
    Ok(0)
}

/// `check-sdks <manifest> <path>...`: exit 1 on any error finding.
pub(super) fn check_sdks(manifest: &Path, paths: &[PathBuf], format: Format) -> CmdResult {
    let (_, valid) = load_manifest(manifest)?;
    let table = table()?;
    let mut files = Vec::new();
    for root in paths {
        let found = find_manifests(root).map_err(|e| Failure::usage(format!("{}: error: cannot read: {e}", root.display())))?;
        files.extend(found.into_iter().map(|f| (root.clone(), f)));
    }
    let report = check(&valid.manifest, table, &files);
    let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = report.findings.len() - errors;
    match format {
        Format::Text => {
            let mut s = String::new();
            for f in &report.findings {
                let sev = if f.severity == Severity::Error { "error" } else { "warning" };
                s.push_str(&format!("{}: {sev}[{}]: {}\n    fix: {}\n", f.file, f.code, f.message, f.fix));
            }
            let matched = report.sdks.iter().filter(|s| s.recipient.is_some()).count();
            s.push_str(&format!(
                "{} privacy manifest(s) of {} SDK(s), {matched} matched to a third party: {errors} error(s), {warnings} warning(s)\n",
                files.len(),
                report.sdks.len()
            ));
            emit(&s)?;
        }
        Format::Json => emit(&pretty(&json!({
            "manifest": manifest.display().to_string(),
            "ok": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "sdks": report.sdks,
            "findings": report.findings,
        })))?,
    }
    Ok(u8::from(errors > 0))
}
