//! Consent receipts: one JSON record per consent given (policy agreement, purpose grant), built from the ledger,
//! with fields after ISO/IEC TS 27560:2023 (consent record information structure). The manifest, when given,
//! adds what the user was shown: controller, policy URL, and per purpose its data types, recipients, storage
//! region and retention. The ledger hash of the event identifies it; the receipt id is derived from it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::time::iso_utc;
use crate::manifest::{Basis, Manifest};
use crate::rules::{
    definition_hash, describe_type, is_sensitive, purpose_crosses_border, separate_consent_triggers, RulePack,
    SeparateConsentTrigger,
};
use crate::store::{ChainCheck, EventKind, LedgerRow};

/// The `schema` of the receipts document.
pub const RECEIPTS_SCHEMA: &str = "consentkit/receipts/v1";

/// The data controller: the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Controller {
    /// Application id.
    pub id: String,
    /// Name shown to users.
    pub name: String,
    /// Home region / jurisdiction.
    pub region: String,
    /// MIIT app filing number, if any.
    pub filing_number: Option<String>,
}

/// The privacy notice the consent refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Policy version in force when the consent was given (from the ledger).
    pub version: String,
    /// Where it is published (from the manifest; `None` without one).
    pub url: Option<String>,
}

/// A data type as the user was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptDataType {
    /// Id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Sensitive personal information.
    pub sensitive: bool,
}

/// A recipient as the user was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptRecipient {
    /// Third-party id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Where it processes data.
    pub region: String,
    /// Privacy contact.
    pub contact: Option<String>,
    /// Its IAB Global Vendor List id, when the manifest maps it as a TCF vendor: the consent this receipt records is
    /// also passed to it in the TC string under that id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gvl_id: Option<u16>,
}

/// One purpose covered by a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptPurpose {
    /// Purpose id.
    pub id: String,
    /// The definition hash the user saw (from the ledger; `None` for purposes covered by a policy agreement).
    pub definition_hash: Option<String>,
    /// Whether the manifest given still defines the purpose this way (`None` without a manifest).
    pub matches_manifest: Option<bool>,
    /// What the user was told (from the manifest).
    pub description: Option<String>,
    /// `necessary` or `consent`.
    pub lawful_basis: Option<String>,
    /// Why it needed a separate consent.
    pub separate_consent: Vec<SeparateConsentTrigger>,
    /// Data types processed.
    pub data_types: Vec<ReceiptDataType>,
    /// Who receives the data.
    pub recipients: Vec<ReceiptRecipient>,
    /// Where it is stored.
    pub storage_region: Option<String>,
    /// Stored outside the home region.
    pub cross_border: Option<bool>,
    /// How long it is kept.
    pub retention_days: Option<u32>,
}

/// Where the receipt sits in the ledger: the record it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRef {
    /// Row number.
    pub seq: i64,
    /// SHA-256 of the row (hex).
    pub hash: String,
    /// Hash of the row before it.
    pub prev_hash: String,
}

/// One consent receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// `urn:uuid:` + a UUID derived from the ledger hash (stable: the same event always has the same id).
    pub receipt_id: String,
    /// When consent was given, ISO 8601 UTC.
    pub timestamp: String,
    /// The same, UTC ms.
    pub timestamp_ms: i64,
    /// `policy_agreed` or `granted`.
    pub event: String,
    /// How consent was obtained: `policy_agreement`, `explicit_opt_in`, or `separate_consent` (asked on its own;
    /// known only with the manifest).
    pub method: String,
    /// The screen or prompt that recorded it.
    pub source: String,
    /// `user` or `guardian`.
    pub actor: String,
    /// The consent state now, from later ledger events: `given`, `withdrawn`, `refused`, `superseded`
    /// (given again later), `declined` (policy declined later), `erased`, or `lapsed` (the manifest given
    /// changed the purpose definition or the policy version).
    pub state: String,
    /// The later event that changed the state, if any.
    pub state_changed_at: Option<String>,
    /// The controller (from the manifest).
    pub controller: Option<Controller>,
    /// The privacy notice.
    pub notice: Notice,
    /// What the consent covers.
    pub purposes: Vec<ReceiptPurpose>,
    /// The ledger row.
    pub ledger: LedgerRef,
}

/// The ledger the receipts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerStatus {
    /// Rows read.
    pub rows: u64,
    /// `true` when the hash chain verified.
    pub intact: bool,
    /// The first broken row.
    pub broken_at: Option<i64>,
    /// Why it is broken.
    pub detail: Option<String>,
    /// Hash of the last row.
    pub head: Option<String>,
}

/// Every receipt of a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipts {
    /// [`RECEIPTS_SCHEMA`].
    pub schema: String,
    /// The standard the fields follow.
    pub standard: String,
    /// The database, as given.
    pub database: String,
    /// The ledger's state.
    pub ledger: LedgerStatus,
    /// The controller (from the manifest).
    pub controller: Option<Controller>,
    /// One receipt per consent given, oldest first.
    pub receipts: Vec<Receipt>,
}

/// `urn:uuid:` with an RFC 9562 version-8 UUID from the first 16 bytes of SHA-256 over the ledger hash.
pub fn receipt_id(ledger_hash: &str) -> String {
    let digest = Sha256::digest(format!("consentkit/receipt/v1:{ledger_hash}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::manifest::hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn purpose_facts(m: &Manifest, pack: &RulePack, id: &str, hash: Option<&str>) -> ReceiptPurpose {
    let Some(p) = m.purposes.iter().find(|p| p.id == id) else {
        return ReceiptPurpose {
            id: id.to_string(),
            definition_hash: hash.map(String::from),
            matches_manifest: Some(false),
            description: None,
            lawful_basis: None,
            separate_consent: Vec::new(),
            data_types: Vec::new(),
            recipients: Vec::new(),
            storage_region: None,
            cross_border: None,
            retention_days: None,
        };
    };
    ReceiptPurpose {
        id: id.to_string(),
        definition_hash: hash.map(String::from),
        matches_manifest: hash.map(|h| h == definition_hash(m, pack, p)),
        description: p.description.clone(),
        lawful_basis: Some(if p.basis == Basis::Necessary { "necessary" } else { "consent" }.to_string()),
        separate_consent: separate_consent_triggers(m, pack, p),
        data_types: p
            .data_types
            .iter()
            .map(|d| ReceiptDataType {
                id: d.clone(),
                description: describe_type(m, pack, d),
                sensitive: is_sensitive(m, pack, d),
            })
            .collect(),
        recipients: p
            .recipients
            .iter()
            .filter_map(|r| m.third_parties.iter().find(|t| &t.id == r))
            .map(|t| ReceiptRecipient {
                id: t.id.clone(),
                name: t.name.clone(),
                region: t.region.clone(),
                contact: t.contact.clone(),
                gvl_id: m.tcf_gvl_id(&t.id),
            })
            .collect(),
        storage_region: Some(p.storage_region.clone()),
        cross_border: Some(purpose_crosses_border(m, p)),
        retention_days: p.retention_days,
    }
}

fn bare_purpose(id: &str, hash: Option<&str>) -> ReceiptPurpose {
    ReceiptPurpose {
        id: id.to_string(),
        definition_hash: hash.map(String::from),
        matches_manifest: None,
        description: None,
        lawful_basis: None,
        separate_consent: Vec::new(),
        data_types: Vec::new(),
        recipients: Vec::new(),
        storage_region: None,
        cross_border: None,
        retention_days: None,
    }
}

/// What later happened to the consent given in `rows[i]`.
fn later_state(rows: &[LedgerRow], i: usize) -> (String, Option<String>) {
    let given = &rows[i];
    let is_policy = given.event_kind() == Some(EventKind::PolicyAgreed);
    for later in &rows[i + 1..] {
        let at = || Some(format!("{} (ledger row {})", iso_utc(later.at_ms), later.seq));
        match later.event_kind() {
            Some(EventKind::Erased) => return ("erased".into(), at()),
            Some(EventKind::PolicyAgreed) if is_policy => return ("superseded".into(), at()),
            Some(EventKind::PolicyDeclined) if is_policy => return ("declined".into(), at()),
            Some(k) if !is_policy && later.purpose == given.purpose => match k {
                EventKind::Granted => return ("superseded".into(), at()),
                EventKind::Withdrawn => return ("withdrawn".into(), at()),
                EventKind::Refused => return ("refused".into(), at()),
                _ => {}
            },
            _ => {}
        }
    }
    ("given".into(), None)
}

/// Builds the receipts of a ledger (rows in order). `manifest` adds what the user was shown.
pub fn receipts(
    database: &str,
    rows: &[LedgerRow],
    chain: &ChainCheck,
    manifest: Option<(&Manifest, &RulePack)>,
) -> Receipts {
    let controller = manifest.map(|(m, _)| Controller {
        id: m.app.id.clone(),
        name: m.app.name.clone(),
        region: m.app.region.clone(),
        filing_number: m.app.filing_number.clone(),
    });
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (event, method, purposes) = match row.event_kind() {
            Some(EventKind::PolicyAgreed) => {
                // The agreement covers the purposes that need no opt-in of their own.
                let covered = manifest
                    .map(|(m, pack)| {
                        m.purposes
                            .iter()
                            .filter(|p| p.basis == Basis::Necessary && separate_consent_triggers(m, pack, p).is_empty())
                            .map(|p| purpose_facts(m, pack, &p.id, None))
                            .collect()
                    })
                    .unwrap_or_default();
                ("policy_agreed", "policy_agreement".to_string(), covered)
            }
            Some(EventKind::Granted) => {
                let hash = Some(row.definition_hash.as_str()).filter(|h| !h.is_empty());
                let purpose = match manifest {
                    Some((m, pack)) => purpose_facts(m, pack, &row.purpose, hash),
                    None => bare_purpose(&row.purpose, hash),
                };
                let method = if purpose.separate_consent.is_empty() { "explicit_opt_in" } else { "separate_consent" };
                ("granted", method.to_string(), vec![purpose])
            }
            _ => continue,
        };
        let (mut state, changed) = later_state(rows, i);
        if state == "given" {
            let lapsed = manifest.is_some_and(|(m, _)| {
                row.policy_version != m.policy.version && event == "policy_agreed"
                    || purposes.iter().any(|p| p.matches_manifest == Some(false))
            });
            if lapsed {
                state = "lapsed".into();
            }
        }
        out.push(Receipt {
            receipt_id: receipt_id(&row.hash),
            timestamp: iso_utc(row.at_ms),
            timestamp_ms: row.at_ms,
            event: event.to_string(),
            method,
            source: row.source.clone(),
            actor: row.actor.clone(),
            state,
            state_changed_at: changed,
            controller: controller.clone(),
            notice: Notice { version: row.policy_version.clone(), url: manifest.map(|(m, _)| m.policy.url.clone()) },
            purposes,
            ledger: LedgerRef { seq: row.seq, hash: row.hash.clone(), prev_hash: row.prev_hash.clone() },
        });
    }
    let (intact, broken_at, detail) = match chain {
        ChainCheck::Intact { .. } => (true, None, None),
        ChainCheck::Broken { seq, reason } => (false, Some(*seq), Some(reason.clone())),
    };
    Receipts {
        schema: RECEIPTS_SCHEMA.to_string(),
        standard: "ISO/IEC TS 27560:2023 consent record information structure (field mapping in docs/cli.md)"
            .to_string(),
        database: database.to_string(),
        ledger: LedgerStatus {
            rows: rows.len() as u64,
            intact,
            broken_at,
            detail,
            head: rows.last().map(|r| r.hash.clone()),
        },
        controller,
        receipts: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_ids_are_stable_version_8_uuids() {
        let a = receipt_id("ab");
        assert_eq!(a, receipt_id("ab"));
        assert_ne!(a, receipt_id("ac"));
        let uuid = a.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
    }
}
