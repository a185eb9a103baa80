//! `consentkit codegen <manifest> --lang kotlin|swift [--package <p>] [--prefix <P>]`.

use std::path::Path;

use super::{emit, load_manifest, CmdResult, CodeLang, Failure};
use crate::codegen::{generate, CodegenError, Language, Options};

pub(super) fn run(manifest: &Path, lang: CodeLang, package: Option<String>, prefix: Option<String>) -> CmdResult {
    let (bytes, valid) = load_manifest(manifest)?;
    let language = match lang {
        CodeLang::Kotlin => Language::Kotlin,
        CodeLang::Swift => Language::Swift,
    };
    let source_name = manifest.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let options = Options { package, prefix, source_name };
    match generate(valid, &bytes, language, &options) {
        Ok(code) => {
            emit(&code)?;
            Ok(0)
        }
        Err(e @ CodegenError::InvalidName { .. }) => Err(Failure::usage(format!("error: {e}"))),
        Err(e) => Err(Failure::failed(format!("{}: error: {e}", manifest.display()))),
    }
}
