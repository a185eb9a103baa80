//! The two questions an operator asks of the receipts: what had this install consented to at a time (replayed from
//! its chained receipts, as the device replays its ledger), and how a purpose's grants, refusals and withdrawals
//! split by policy version.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use deadpool_postgres::Pool;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;

/// A purpose's last recorded choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeChoice {
    /// `granted`, `refused` or `withdrawn`.
    pub status: String,
    pub since: String,
    pub sequence: i64,
    pub notice_version: String,
    pub purpose_definition_hash: String,
    pub actor: String,
    pub source: String,
}

/// The privacy policy's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyChoice {
    /// `agreed` or `declined`.
    pub status: String,
    pub notice_version: String,
    pub since: String,
    pub actor: String,
}

/// What an install had consented to at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentAt {
    pub install_id: String,
    pub at: String,
    /// The receipts are complete (no gap) up to this sequence; later ones are not counted.
    pub chained_through: i64,
    /// Receipts received past a gap, not yet counted.
    pub held: i64,
    pub policy: Option<PolicyChoice>,
    /// `under14`, `adult`, ... as the device recorded it (`null`: never set).
    pub age_bracket: Option<String>,
    /// The children's rules version a guardian agreed to.
    pub children_rules: Option<String>,
    pub purposes: BTreeMap<String, PurposeChoice>,
    /// Sequences of the receipts replayed.
    pub replayed: i64,
}

/// Parses `at`: RFC 3339 (`2026-11-30T08:00:00Z`) or UTC milliseconds.
pub fn parse_at(text: Option<&str>) -> Result<i64, ApiError> {
    let Some(text) = text else { return Ok(now_ms()) };
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| ApiError::bad("invalid_time", "at must be RFC 3339 (2026-11-30T08:00:00Z) or UTC milliseconds"))
}

fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 UTC of `ms`.
pub fn iso(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// GET /v1/installs/{id}/consent?at=TIME.
pub async fn consent_at(pool: &Pool, install: &str, at_ms: i64) -> Result<ConsentAt, ApiError> {
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT chained_seq, (SELECT count(*) FROM held_receipts h WHERE h.install_id = $1) FROM installs WHERE install_id = $1",
            &[&install],
        )
        .await?
    else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_install", format!("no receipts from install {install}")));
    };
    let mut out = ConsentAt {
        install_id: install.to_string(),
        at: iso(at_ms),
        chained_through: row.get(0),
        held: row.get(1),
        policy: None,
        age_bracket: None,
        children_rules: None,
        purposes: BTreeMap::new(),
        replayed: 0,
    };
    let rows = client
        .query(
            "SELECT seq, at_ms, event, purpose_id, definition_hash, notice_version, actor, source, detail FROM receipts \
             WHERE install_id = $1 AND at_ms <= $2 ORDER BY seq",
            &[&install, &at_ms],
        )
        .await?;
    for r in rows {
        let (seq, at, event): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
        let text = |i: usize| -> String { r.get(i) };
        out.replayed += 1;
        match event.as_str() {
            "granted" | "refused" | "withdrawn" => {
                out.purposes.insert(
                    text(3),
                    PurposeChoice {
                        status: event.clone(),
                        since: iso(at),
                        sequence: seq,
                        notice_version: text(5),
                        purpose_definition_hash: text(4),
                        actor: text(6),
                        source: text(7),
                    },
                );
            }
            "policy_agreed" | "policy_declined" => {
                let status = if event == "policy_agreed" { "agreed" } else { "declined" };
                out.policy = Some(PolicyChoice { status: status.into(), notice_version: text(5), since: iso(at), actor: text(6) });
            }
            "age_set" => out.age_bracket = Some(text(8)),
            "children_rules_agreed" => out.children_rules = Some(text(8)),
            "erased" => {
                // As on the device: an erasure clears the choices, never a child's bracket.
                out.policy = None;
                out.purposes.clear();
                out.children_rules = None;
                if out.age_bracket.as_deref() != Some("under14") {
                    out.age_bracket = None;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// One policy version's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionStats {
    /// The policy version.
    pub notice_version: String,
    /// Grant receipts.
    pub grants: i64,
    /// Refusal receipts.
    pub refusals: i64,
    /// Withdrawal receipts.
    pub withdrawals: i64,
    /// Installs with at least one of these events.
    pub installs: i64,
}

/// GET /v1/purposes/{id}/stats: one row per policy version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeStats {
    /// The purpose asked about.
    pub purpose_id: String,
    /// One row per policy version, in version order.
    pub by_notice_version: Vec<VersionStats>,
}

/// Counts a purpose's grants, refusals and withdrawals by policy version (chained receipts only).
pub async fn purpose_stats(pool: &Pool, purpose: &str) -> Result<PurposeStats, ApiError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT notice_version, count(*) FILTER (WHERE event = 'granted'), count(*) FILTER (WHERE event = 'refused'), \
             count(*) FILTER (WHERE event = 'withdrawn'), count(DISTINCT install_id) FROM receipts \
             WHERE purpose_id = $1 AND event IN ('granted', 'refused', 'withdrawn') GROUP BY notice_version ORDER BY notice_version",
            &[&purpose],
        )
        .await?;
    let by_notice_version = rows
        .iter()
        .map(|r| VersionStats { notice_version: r.get(0), grants: r.get(1), refusals: r.get(2), withdrawals: r.get(3), installs: r.get(4) })
        .collect();
    Ok(PurposeStats { purpose_id: purpose.to_string(), by_notice_version })
}
