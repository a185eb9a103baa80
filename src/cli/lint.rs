//! `consentkit lint <manifest>`: compiler-style diagnostics (or JSON); exit 1 on any error.

use std::path::Path;

use serde_json::json;

use super::{diagnostic_lines, emit, parse_error_at, read_file, CmdResult, Format};
use crate::manifest::parse_manifest;
use crate::rules::{lint, Severity};

pub(super) fn run(path: &Path, format: Format) -> CmdResult {
    let bytes = read_file(path)?;
    let file = path.display().to_string();
    let manifest = match parse_manifest(&bytes) {
        Ok(m) => m,
        Err(e) => {
            let at = parse_error_at(&e);
            match format {
                Format::Text => emit(&format!("{file}:{at}: error[parse]: {e}\n{file}: 1 error(s), 0 warning(s)\n"))?,
                Format::Json => emit(&pretty(&json!({
                    "file": file,
                    "ok": false,
                    "errors": 1,
                    "warnings": 0,
                    "diagnostics": [{
                        "code": "parse",
                        "severity": "error",
                        "path": at,
                        "message": e.to_string(),
                        "fix": "make the file valid manifest v1 JSON (see `consentkit schema`)",
                    }],
                })))?,
            }
            return Ok(1);
        }
    };
    let diagnostics = lint(&manifest);
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    match format {
        Format::Text => {
            let mut out = diagnostic_lines(path, &diagnostics);
            out.push_str(&format!("{file}: {errors} error(s), {warnings} warning(s)\n"));
            emit(&out)?;
        }
        Format::Json => emit(&pretty(&json!({
            "file": file,
            "ok": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
        })))?,
    }
    Ok(u8::from(errors > 0))
}

pub(super) fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
