//! `consentkit rules [--pack <id>] [--format md|json]`: the facts a rule pack applies, for the developer fixing a lint
//! diagnostic (category ids, necessary data types, vocabulary, constants). docs/rule-packs/<id>.md holds the same text.

use super::{emit, CmdResult, PackFormat};
use crate::report::render::{pack_json, pack_markdown};
use crate::rules::RulePack;

pub(super) fn run(pack: &str, format: PackFormat) -> CmdResult {
    // clap accepts only RulePack::IDS, so the pack exists unless an embedded pack fails to parse.
    let Some(pack) = RulePack::get(pack) else {
        return Err(super::Failure::failed(format!("error: embedded rule pack {pack} does not parse")));
    };
    emit(&match format {
        PackFormat::Md => pack_markdown(pack),
        PackFormat::Json => pack_json(pack),
    })?;
    Ok(0)
}
