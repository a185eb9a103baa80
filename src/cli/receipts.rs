//! `consentkit receipts <db> [--manifest <file>]`: consent receipts as JSON; exit 1 if the ledger does not verify
//! (the receipts are still printed, marked `"intact": false`).

use std::path::Path;

use super::{emit, load_manifest, CmdResult, Failure};
use crate::report::receipts::receipts;
use crate::store::inspect::Inspector;
use crate::store::ChainCheck;

pub(super) fn run(db: &Path, manifest: Option<&Path>) -> CmdResult {
    let valid = manifest.map(load_manifest).transpose()?.map(|(_, v)| v);
    let inspector = Inspector::open(db)?;
    let chain = inspector.verify_chain(|_| {})?;
    let rows = inspector.ledger()?;
    let doc = receipts(&db.display().to_string(), &rows, &chain, valid.as_ref().map(|v| (&v.manifest, v.pack)));
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::usage(format!("error: {e}")))?;
    text.push('\n');
    emit(&text)?;
    match chain {
        ChainCheck::Intact { .. } => Ok(0),
        ChainCheck::Broken { seq, reason } => Err(Failure::failed(format!(
            "{}: error: ledger broken at row {seq}: {reason}; these receipts cannot be relied on",
            db.display()
        ))),
    }
}
