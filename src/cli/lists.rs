//! `consentkit lists <manifest> [--db <file>] --format md|html|json [--lang zh|en]`.

use std::path::Path;

use super::{emit, load_manifest, CmdResult, LangArg, ListFormat};
use crate::report::i18n::Lang;
use crate::report::lists::Lists;
use crate::report::render;
use crate::store::inspect::Inspector;

pub(super) fn run(manifest: &Path, db: Option<&Path>, format: ListFormat, lang: LangArg) -> CmdResult {
    let (_, valid) = load_manifest(manifest)?;
    let totals = match db {
        Some(db) => Some(Inspector::open(db)?.access_totals()?),
        None => None,
    };
    let shown = db.map(|d| d.display().to_string()).unwrap_or_default();
    let lists = Lists::build(&valid.manifest, valid.pack, totals.as_deref().map(|t| (shown.as_str(), t)));
    let lang = match lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let text = match format {
        ListFormat::Md => render::markdown(&lists, lang),
        ListFormat::Html => render::html(&lists, lang),
        ListFormat::Json => render::json(&lists),
    };
    emit(&text)?;
    Ok(0)
}
