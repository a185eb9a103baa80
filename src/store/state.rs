//! Current consent state, derived only from the ledger (replay), and its mirror tables.

use std::collections::BTreeMap;

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::ledger::{EventKind, LedgerRow};

/// The user's age bracket, as set by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBracket {
    /// Not known: treated as an adult (the app is responsible for asking when its audience includes children).
    #[default]
    Unknown,
    /// Under the guardian age (14 in cn-2021): only a guardian's consent counts.
    Under14,
    /// 14 to 17.
    Teen,
    /// 18 or older.
    Adult,
}

impl AgeBracket {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBracket::Unknown => "unknown",
            AgeBracket::Under14 => "under14",
            AgeBracket::Teen => "teen",
            AgeBracket::Adult => "adult",
        }
    }
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "unknown" => AgeBracket::Unknown,
            "under14" => AgeBracket::Under14,
            "teen" => AgeBracket::Teen,
            "adult" => AgeBracket::Adult,
            _ => return None,
        })
    }
}

/// The latest decision the user (or guardian) made about one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeChoice {
    /// Granted.
    Granted,
    /// Refused when asked.
    Refused,
    /// Withdrawn after a grant.
    Withdrawn,
}

impl PurposeChoice {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PurposeChoice::Granted => "granted",
            PurposeChoice::Refused => "refused",
            PurposeChoice::Withdrawn => "withdrawn",
        }
    }
}

/// The latest choice for a purpose and what it was bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeRecord {
    /// What was chosen.
    pub choice: PurposeChoice,
    /// When, UTC ms.
    pub at_ms: i64,
    /// `user` or `guardian`.
    pub actor: String,
    /// The policy version in force.
    pub policy_version: String,
    /// The definition hash the user saw.
    pub definition_hash: String,
    /// Ledger seq of the event.
    pub seq: i64,
    /// Granted while the current policy was not agreed: recorded, but it counts only once the user confirms it
    /// after agreeing (docs/rules.md, "Order of agreement").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before_policy: bool,
}

/// `detail` of a grant made while the current policy was not agreed.
pub const BEFORE_POLICY: &str = "before_policy_agreement";

/// A guardian's agreement to the children's personal-information rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenRulesAgreement {
    /// The version of the children's rules agreed to.
    pub version: String,
    /// `guardian` (the engine accepts no one else; kept to check on replay).
    pub actor: String,
    /// The children's-rules coverage hash (their version and the necessary purposes) the guardian agreed to.
    pub coverage: String,
}

/// Everything the gate needs, replayed from the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    /// The policy version agreed to, with actor; `None` if never agreed, declined, or erased.
    pub policy_agreed: Option<(String, String)>,
    /// The policy coverage hash recorded with the agreement (what the necessary purposes were when agreed).
    #[serde(default)]
    pub policy_coverage: String,
    /// The guardian's agreement to the children's rules; cleared by an erasure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_rules: Option<ChildrenRulesAgreement>,
    /// When the policy was last declined (for the prompt cooldown).
    pub policy_declined_at: Option<i64>,
    /// Age bracket.
    pub age: AgeBracket,
    /// Latest choice per purpose id.
    pub purposes: BTreeMap<String, PurposeRecord>,
    /// Latest refusal or withdrawal time per purpose id (the re-prompt cooldown), kept after a later grant.
    pub refusals: BTreeMap<String, i64>,
    /// Seq of the last applied ledger row.
    pub last_seq: i64,
}

impl ConsentState {
    /// Applies one verified ledger row.
    pub fn apply(&mut self, row: &LedgerRow) {
        self.last_seq = row.seq;
        let Some(kind) = row.event_kind() else { return };
        let record = |choice| PurposeRecord {
            choice,
            at_ms: row.at_ms,
            actor: row.actor.clone(),
            policy_version: row.policy_version.clone(),
            definition_hash: row.definition_hash.clone(),
            seq: row.seq,
            before_policy: false,
        };
        match kind {
            EventKind::PolicyAgreed => {
                self.policy_agreed = Some((row.policy_version.clone(), row.actor.clone()));
                self.policy_coverage = row.definition_hash.clone();
                self.policy_declined_at = None;
            }
            EventKind::PolicyDeclined => {
                self.policy_agreed = None;
                self.policy_declined_at = Some(row.at_ms);
            }
            EventKind::Granted => {
                let before_policy = row.detail == BEFORE_POLICY;
                self.purposes.insert(row.purpose.clone(), PurposeRecord { before_policy, ..record(PurposeChoice::Granted) });
            }
            EventKind::Refused => {
                self.purposes.insert(row.purpose.clone(), record(PurposeChoice::Refused));
                self.refusals.insert(row.purpose.clone(), row.at_ms);
            }
            EventKind::Withdrawn => {
                // A withdrawal is a refusal for the cooldown: the purpose is not proposed again for its length.
                self.purposes.insert(row.purpose.clone(), record(PurposeChoice::Withdrawn));
                self.refusals.insert(row.purpose.clone(), row.at_ms);
            }
            EventKind::AgeSet => {
                let age = AgeBracket::parse(&row.detail).unwrap_or_default();
                // Only a guardian may lower a child's protection; the engine refuses such a write, and a row that
                // says otherwise (another writer) is not applied either.
                if self.age != AgeBracket::Under14 || age == AgeBracket::Under14 || row.actor == "guardian" {
                    self.age = age;
                }
            }
            EventKind::Erased => {
                // An erasure never lowers a protection: the under-14 bracket and the running cooldowns (refusals,
                // withdrawals, a declined policy) survive it, so erasing is never a way to be asked again at once.
                let age = if self.age == AgeBracket::Under14 { self.age } else { AgeBracket::Unknown };
                *self = ConsentState {
                    last_seq: self.last_seq,
                    age,
                    refusals: std::mem::take(&mut self.refusals),
                    policy_declined_at: self.policy_declined_at,
                    ..ConsentState::default()
                };
            }
            EventKind::ChildrenRulesAgreed => {
                self.children_rules = (row.actor == "guardian").then(|| ChildrenRulesAgreement {
                    version: row.detail.clone(),
                    actor: row.actor.clone(),
                    coverage: row.definition_hash.clone(),
                });
            }
        }
    }

    /// Replays rows in order.
    pub fn replay<'a>(rows: impl IntoIterator<Item = &'a LedgerRow>) -> Self {
        let mut s = ConsentState::default();
        rows.into_iter().for_each(|r| s.apply(r));
        s
    }
}

/// Rewrites the state mirror tables (purpose_state, refusals, settings) from `state`, inside the caller's transaction.
pub fn write_mirror(tx: &Transaction<'_>, state: &ConsentState) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM purpose_state")?.execute([])?;
    tx.prepare_cached("DELETE FROM refusals")?.execute([])?;
    {
        let mut ins = tx.prepare_cached(
            "INSERT INTO purpose_state (purpose, status, at_ms, actor, policy_version, definition_hash, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (id, r) in &state.purposes {
            ins.execute(params![id, r.choice.as_str(), r.at_ms, r.actor, r.policy_version, r.definition_hash, r.seq])?;
        }
        let mut ins = tx.prepare_cached("INSERT INTO refusals (purpose, at_ms) VALUES (?1, ?2)")?;
        for (id, at) in &state.refusals {
            ins.execute(params![id, at])?;
        }
    }
    let policy = state.policy_agreed.as_ref().map(|(v, _)| v.clone()).unwrap_or_default();
    set_setting(tx, "policy_agreed_version", &policy)?;
    set_setting(tx, "age_bracket", state.age.as_str())?;
    Ok(())
}

/// Updates the mirror rows of one purpose (after an event that changed only that purpose), inside the caller's
/// transaction: the result equals [`write_mirror`]'s.
pub fn write_purpose_mirror(tx: &Transaction<'_>, state: &ConsentState, purpose: &str) -> rusqlite::Result<()> {
    if let Some(r) = state.purposes.get(purpose) {
        tx.prepare_cached(
            "INSERT INTO purpose_state (purpose, status, at_ms, actor, policy_version, definition_hash, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(purpose) DO UPDATE SET status = excluded.status, \
             at_ms = excluded.at_ms, actor = excluded.actor, policy_version = excluded.policy_version, \
             definition_hash = excluded.definition_hash, seq = excluded.seq",
        )?
        .execute(params![purpose, r.choice.as_str(), r.at_ms, r.actor, r.policy_version, r.definition_hash, r.seq])?;
    }
    if let Some(at) = state.refusals.get(purpose) {
        tx.prepare_cached("INSERT INTO refusals (purpose, at_ms) VALUES (?1, ?2) ON CONFLICT(purpose) DO UPDATE SET at_ms = excluded.at_ms")?
            .execute(params![purpose, at])?;
    }
    Ok(())
}

/// Writes one setting.
pub fn set_setting(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}
