//! `consentkit ledger verify <db>` and `consentkit ledger show <db>`: read-only, through `store::inspect`.

use std::io::IsTerminal;
use std::path::Path;

use serde_json::json;

use super::lint::pretty;
use super::{emit, CmdResult, Format};
use crate::report::time::iso_utc;
use crate::store::inspect::{Inspector, Integrity};
use crate::store::{ChainCheck, ConsentState};

/// Ledgers at least this long get a progress bar (when stderr is a terminal).
const PROGRESS_FROM_ROWS: u64 = 20_000;

fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if len < PROGRESS_FROM_ROWS || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("verifying ledger {bar:32} {pos}/{len} rows ({eta} left)")
    {
        bar.set_style(style);
    }
    Some(bar)
}

pub(super) fn verify(db: &Path, format: Format) -> CmdResult {
    let inspector = Inspector::open(db)?;
    let integrity = inspector.integrity()?;
    let len = inspector.ledger_len()?;
    let bar = progress_bar(len);
    let chain = inspector.verify_chain(|n| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let chain = chain?;
    let file = db.display().to_string();
    let integrity_text = match &integrity {
        Integrity::Ok => "ok".to_string(),
        Integrity::Damaged(d) => d.clone(),
    };
    let ok = integrity == Integrity::Ok && matches!(chain, ChainCheck::Intact { .. });
    match format {
        Format::Json => {
            let (rows, broken_at, detail) = match &chain {
                ChainCheck::Intact { rows } => (*rows, None, None),
                ChainCheck::Broken { seq, reason } => ((*seq - 1).max(0) as u64, Some(*seq), Some(reason.clone())),
            };
            emit(&pretty(&json!({
                "database": file,
                "schema_version": inspector.schema_version(),
                "integrity": integrity_text,
                "intact": ok,
                "rows_verified": rows,
                "rows_total": len,
                "broken_at": broken_at,
                "detail": detail,
            })))?;
        }
        Format::Text => {
            let mut out = String::new();
            match &chain {
                ChainCheck::Intact { rows } => out.push_str(&format!(
                    "{file}: ledger intact: {rows} row(s) verified (schema {})\n",
                    inspector.schema_version()
                )),
                ChainCheck::Broken { seq, reason } => {
                    out.push_str(&format!("{file}: ledger BROKEN at row {seq}: {}\n", printable(reason)));
                    let before = if *seq > 1 { format!("rows 1..{} verify; ", seq - 1) } else { String::new() };
                    out.push_str(&format!(
                        "{file}: {before}row {seq} and every row after it can no longer be relied on as a record of consent\n"
                    ));
                }
            }
            if let Integrity::Damaged(d) = &integrity {
                out.push_str(&format!("{file}: SQLite integrity check failed: {d}\n"));
            }
            emit(&out)?;
        }
    }
    Ok(u8::from(!ok))
}

/// Text from the database as it may be shown on a terminal: a tampered row must not smuggle escape sequences.
fn printable(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
}

fn state_json(state: &ConsentState) -> serde_json::Value {
    let purposes: serde_json::Map<String, serde_json::Value> = state
        .purposes
        .iter()
        .map(|(id, r)| {
            (
                id.clone(),
                json!({
                    "choice": r.choice.as_str(),
                    "at": iso_utc(r.at_ms),
                    "actor": r.actor,
                    "policy_version": r.policy_version,
                    "definition_hash": r.definition_hash,
                    "seq": r.seq,
                }),
            )
        })
        .collect();
    json!({
        "policy_agreed": state.policy_agreed.as_ref().map(|(v, actor)| json!({"version": v, "actor": actor})),
        "policy_declined_at": state.policy_declined_at.map(iso_utc),
        "age": state.age.as_str(),
        "purposes": purposes,
        "refusals": state.refusals.iter().map(|(p, at)| (p.clone(), json!(iso_utc(*at)))).collect::<serde_json::Map<_, _>>(),
        "last_seq": state.last_seq,
    })
}

pub(super) fn show(db: &Path, format: Format) -> CmdResult {
    let inspector = Inspector::open(db)?;
    let rows = inspector.ledger()?;
    let state = ConsentState::replay(&rows);
    let file = db.display().to_string();
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    json!({
                        "seq": r.seq,
                        "at": iso_utc(r.at_ms),
                        "at_ms": r.at_ms,
                        "kind": r.kind,
                        "purpose": r.purpose,
                        "actor": r.actor,
                        "source": r.source,
                        "policy_version": r.policy_version,
                        "definition_hash": r.definition_hash,
                        "detail": r.detail,
                        "prev_hash": r.prev_hash,
                        "hash": r.hash,
                    })
                })
                .collect();
            emit(&pretty(&json!({
                "database": file,
                "schema_version": inspector.schema_version(),
                "rows": rows,
                "state": state_json(&state),
            })))?;
        }
        Format::Text => {
            let mut out = format!(
                "{file}: {} ledger row(s), schema {} (not verified here: see `consentkit ledger verify`)\n",
                rows.len(),
                inspector.schema_version()
            );
            if !rows.is_empty() {
                let w_kind = rows.iter().map(|r| r.kind.len()).max().unwrap_or(4).max(5);
                let w_purpose = rows.iter().map(|r| r.purpose.chars().count()).max().unwrap_or(0).max(7);
                let w_source = rows.iter().map(|r| r.source.chars().count()).max().unwrap_or(0).clamp(6, 32);
                out.push_str(&format!(
                    "{:>5}  {:<20}  {:<w_kind$}  {:<w_purpose$}  {:<8}  {:<w_source$}  {:<12}  hash\n",
                    "seq", "time (UTC)", "event", "purpose", "actor", "source", "policy"
                ));
                for r in &rows {
                    let purpose = if r.purpose.is_empty() {
                        if r.detail.is_empty() {
                            "-".to_string()
                        } else {
                            printable(&r.detail)
                        }
                    } else {
                        printable(&r.purpose)
                    };
                    let source: String = printable(&r.source).chars().take(32).collect();
                    out.push_str(&format!(
                        "{:>5}  {:<20}  {:<w_kind$}  {:<w_purpose$}  {:<8}  {:<w_source$}  {:<12}  {}\n",
                        r.seq,
                        iso_utc(r.at_ms - r.at_ms.rem_euclid(1000)),
                        printable(&r.kind),
                        purpose,
                        printable(&r.actor),
                        source,
                        printable(&r.policy_version),
                        printable(&r.hash).chars().take(12).collect::<String>()
                    ));
                }
            }
            out.push_str("state replayed from the ledger:\n");
            match &state.policy_agreed {
                Some((v, actor)) => out.push_str(&format!("  policy {} agreed ({})\n", printable(v), printable(actor))),
                None => out.push_str("  policy not agreed\n"),
            }
            out.push_str(&format!("  age bracket: {}\n", state.age.as_str()));
            for (id, r) in &state.purposes {
                out.push_str(&format!(
                    "  {}: {} at {} ({}, row {})\n",
                    printable(id),
                    r.choice.as_str(),
                    iso_utc(r.at_ms),
                    printable(&r.actor),
                    r.seq
                ));
            }
            emit(&out)?;
        }
    }
    Ok(0)
}
