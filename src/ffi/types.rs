//! Records and enums of the public API, and their conversions from the domain types.

use crate::engine;
use crate::gate::{ManifestId, ManifestIds, Reason};
use crate::prompt;
use crate::rules::SeparateConsentTrigger;
use crate::store;

/// How ConsentKit is opened.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct OpenOptions {
    /// Tests, scenarios and demos: start a manual clock at this time (UTC ms); `advance_clock` then moves it.
    #[uniffi(default = None)]
    pub manual_clock_start_ms: Option<i64>,
    /// Write access-log counts after this many collections (default 4096); they are also written on `flush()`,
    /// at each hour boundary and on `close()`.
    #[uniffi(default = None)]
    pub access_flush_every: Option<u32>,
    /// Where the key file and head file that authenticate the database live when no platform key store is given
    /// (default: the database's directory). Keep it out of backups (Android `noBackupFilesDir`; iOS: mark it
    /// `isExcludedFromBackup`): a backup restoring them with an older database defeats rollback detection.
    #[uniffi(default = None)]
    pub integrity_dir: Option<String>,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Actor {
    /// The user.
    User,
    /// The user's parent or guardian (required under the guardian age).
    Guardian,
}

impl From<Actor> for engine::Actor {
    fn from(a: Actor) -> Self {
        match a {
            Actor::User => engine::Actor::User,
            Actor::Guardian => engine::Actor::Guardian,
        }
    }
}

/// The user's age bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AgeBracket {
    /// Not known (treated as adult).
    Unknown,
    /// Under 14: only a guardian's consent counts.
    Under14,
    /// 14 to 17.
    Teen,
    /// 18 or older.
    Adult,
}

impl From<AgeBracket> for store::AgeBracket {
    fn from(a: AgeBracket) -> Self {
        match a {
            AgeBracket::Unknown => store::AgeBracket::Unknown,
            AgeBracket::Under14 => store::AgeBracket::Under14,
            AgeBracket::Teen => store::AgeBracket::Teen,
            AgeBracket::Adult => store::AgeBracket::Adult,
        }
    }
}

impl From<store::AgeBracket> for AgeBracket {
    fn from(a: store::AgeBracket) -> Self {
        match a {
            store::AgeBracket::Unknown => AgeBracket::Unknown,
            store::AgeBracket::Under14 => AgeBracket::Under14,
            store::AgeBracket::Teen => AgeBracket::Teen,
            store::AgeBracket::Adult => AgeBracket::Adult,
        }
    }
}

/// Why something is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DenyReason {
    /// The privacy policy (current version) is not agreed: nothing is collected.
    PolicyNotAgreed,
    /// The purpose needs an opt-in that was not given.
    NotGranted,
    /// The user refused.
    Refused,
    /// The user withdrew.
    Withdrawn,
    /// The purpose changed since the user agreed; ask again.
    Lapsed,
    /// The user is under the guardian age and no guardian consented.
    GuardianRequired,
    /// The purpose does not declare this data type.
    NotDeclared,
    /// The frequency limit is reached.
    FrequencyLimited,
    /// The recipient is not declared for this purpose.
    RecipientNotDeclared,
    /// Consent allows it, but the operating system's permission for the data type is not granted (or only
    /// approximate / limited, which this data type does not accept): `blockingPermission` names it, the prompt
    /// planner asks for it.
    OsPermissionDenied,
    /// A tracking purpose (or the advertising id) without the tracking authorisation (iOS App Tracking
    /// Transparency; Android advertising-id permission and ads-personalisation setting), whatever the consent.
    TrackingNotAuthorized,
}

impl DenyReason {
    /// From a domain reason (`None` for Allowed).
    pub fn from_reason(r: Reason) -> Option<DenyReason> {
        Some(match r {
            Reason::Allowed => return None,
            Reason::PolicyNotAgreed => DenyReason::PolicyNotAgreed,
            Reason::NotGranted => DenyReason::NotGranted,
            Reason::Refused => DenyReason::Refused,
            Reason::Withdrawn => DenyReason::Withdrawn,
            Reason::Lapsed => DenyReason::Lapsed,
            Reason::GuardianRequired => DenyReason::GuardianRequired,
            Reason::NotDeclared => DenyReason::NotDeclared,
            Reason::FrequencyLimited => DenyReason::FrequencyLimited,
            Reason::RecipientNotDeclared => DenyReason::RecipientNotDeclared,
            Reason::OsPermissionDenied => DenyReason::OsPermissionDenied,
            Reason::TrackingNotAuthorized => DenyReason::TrackingNotAuthorized,
        })
    }
}

/// The answer to "may I collect this data type for this purpose now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Do not; offer the feature's resolved tier instead.
    Denied {
        /// Why.
        reason: DenyReason,
    },
}

impl From<Reason> for Decision {
    fn from(r: Reason) -> Self {
        match DenyReason::from_reason(r) {
            None => Decision::Allowed,
            Some(reason) => Decision::Denied { reason },
        }
    }
}

/// The result of `collect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CollectOutcome {
    /// Collected and counted in the access log.
    Allowed,
    /// Not collected.
    Denied {
        /// Why.
        reason: DenyReason,
        /// For a frequency limit: ms until a collection would be allowed.
        retry_after_ms: Option<i64>,
    },
}

/// The kind of id a handle stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HandleKind {
    /// A purpose.
    Purpose,
    /// A data type.
    DataType,
    /// A feature.
    Feature,
    /// A third party.
    ThirdParty,
}

impl From<HandleKind> for crate::gate::IdKind {
    fn from(k: HandleKind) -> Self {
        match k {
            HandleKind::Purpose => crate::gate::IdKind::Purpose,
            HandleKind::DataType => crate::gate::IdKind::DataType,
            HandleKind::Feature => crate::gate::IdKind::Feature,
            HandleKind::ThirdParty => crate::gate::IdKind::ThirdParty,
        }
    }
}

/// The tier of a feature the app should offer now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ResolvedTier {
    /// Feature id.
    pub feature: ManifestId,
    /// Richest allowed tier id; `None` when even the basic tier is unavailable (before policy agreement, for a
    /// feature without a browse tier).
    pub tier: Option<ManifestId>,
    /// Index of that tier (0 = richest).
    pub tier_index: Option<u32>,
    /// The tier is the feature's basic (last) tier.
    pub is_basic: bool,
    /// Purposes missing for the next richer tier.
    pub missing_purposes: ManifestIds,
    /// Whether the app may ask for them now (the cooldown after a refusal has passed).
    pub can_ask_now: bool,
}

/// The state of one purpose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PurposeStatus {
    /// Purpose id.
    pub id: String,
    /// Allowed now.
    pub allowed: bool,
    /// Why not, if not.
    pub reason: Option<DenyReason>,
    /// Needs its own consent, asked on its own.
    pub separate_consent: bool,
    /// Needs an explicit opt-in.
    pub needs_opt_in: bool,
}

/// Why a database was recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RecoveryReason {
    /// SQLite could not read it or the integrity check failed.
    Corrupt,
    /// The ledger's hash chain does not verify (tampering or damage).
    BrokenChain,
    /// It was written by a newer ConsentKit.
    SchemaTooNew,
    /// Its head or checkpoint does not authenticate under the device key (rewritten, or its MACs removed).
    Unauthenticated,
    /// It is older than the head recorded outside it (restored from an older copy, or its tail truncated).
    RolledBack,
    /// It was keyed under a device key that is gone (restored to another device, key store wiped): verified in
    /// full and re-keyed; its state is kept and nothing was set aside (`quarantined_path` is empty).
    KeyReplaced,
}

/// A database was set aside at open and a fresh one started on the safe default (nothing granted).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecoveryInfo {
    /// Why.
    pub reason: RecoveryReason,
    /// Details for logs (no personal data).
    pub detail: String,
    /// Where the old file was kept.
    pub quarantined_path: String,
    /// When, UTC ms.
    pub at_ms: i64,
}

impl From<&store::RecoveryEvent> for RecoveryInfo {
    fn from(e: &store::RecoveryEvent) -> Self {
        let (reason, detail) = match &e.reason {
            store::RecoveryReason::Corrupt { detail } => {
                // SQLite's integrity check can report many lines; the app gets one readable line, the log all.
                const MAX_CHARS: usize = 200;
                let first = detail.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
                let mut line: String = first.chars().take(MAX_CHARS).collect();
                if line.len() < first.len() {
                    line.push('…');
                }
                if line != detail.as_str() {
                    log::warn!("damaged consent database set aside ({}): {detail}", e.quarantined_path);
                }
                (RecoveryReason::Corrupt, line)
            }
            store::RecoveryReason::BrokenChain { seq, detail } => (RecoveryReason::BrokenChain, format!("row {seq}: {detail}")),
            store::RecoveryReason::SchemaTooNew { found, supported } => {
                (RecoveryReason::SchemaTooNew, format!("schema {found}, this code knows {supported}"))
            }
            store::RecoveryReason::Unauthenticated { detail } => (RecoveryReason::Unauthenticated, detail.clone()),
            store::RecoveryReason::RolledBack { expected_seq, found_seq } => {
                (RecoveryReason::RolledBack, format!("the file ends at row {found_seq}; row {expected_seq} was recorded"))
            }
            store::RecoveryReason::KeyReplaced => (RecoveryReason::KeyReplaced, "re-keyed under a new device key".into()),
        };
        RecoveryInfo { reason, detail, quarantined_path: e.quarantined_path.clone(), at_ms: e.at_ms }
    }
}

#[cfg(test)]
mod recovery_info_tests {
    use super::*;

    fn corrupt(detail: &str) -> RecoveryInfo {
        let e = store::RecoveryEvent {
            reason: store::RecoveryReason::Corrupt { detail: detail.into() },
            quarantined_path: "/tmp/c.db.corrupt-1".into(),
            at_ms: 1,
        };
        RecoveryInfo::from(&e)
    }

    #[test]
    fn a_damaged_file_reports_one_readable_line() {
        assert_eq!(corrupt("database disk image is malformed").detail, "database disk image is malformed");
        let many = "\n*** in database main ***\nPage 5: btreeInitPage() returns error code 11\nPage 6: never used";
        assert_eq!(corrupt(many).detail, "*** in database main ***");
        let long = format!("{}\nsecond line", "é".repeat(300));
        let detail = corrupt(&long).detail;
        assert_eq!(detail.chars().count(), 201);
        assert!(detail.ends_with('…') && !detail.contains('\n'));
        assert_eq!(corrupt("").detail, "");
    }
}

/// How a maintenance verification ended (see `ConsentKit.verify_integrity`).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum IntegrityCheck {
    /// Every ledger row, the head's MAC and the head kept outside the file verified.
    Passed {
        /// Rows verified.
        rows: u64,
        /// How long it took, ms.
        took_ms: f64,
    },
    /// Damage or tampering found: the file was set aside and the safe default is in force (`status().recovery`
    /// and the observers' `on_recovery` say why).
    Recovered,
}

impl From<engine::IntegrityCheck> for IntegrityCheck {
    fn from(c: engine::IntegrityCheck) -> Self {
        match c {
            engine::IntegrityCheck::Passed { rows, took_ms } => IntegrityCheck::Passed { rows, took_ms },
            engine::IntegrityCheck::Recovered => IntegrityCheck::Recovered,
        }
    }
}

/// Everything the app's consent screens need, pushed to observers after each change.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentStatus {
    /// Increases with every change.
    pub version: u64,
    /// The current policy version is agreed.
    pub policy_agreed: bool,
    /// The current policy version.
    pub policy_version: String,
    /// Age bracket.
    pub age: AgeBracket,
    /// Every purpose.
    pub purposes: Vec<PurposeStatus>,
    /// Every feature's resolved tier.
    pub features: Vec<ResolvedTier>,
    /// The recovery that happened at open or in the integrity audit right after it, if any.
    pub recovery: Option<RecoveryInfo>,
    /// The decision mirror for this state.
    pub decisions: DecisionTable,
}

/// What the prompt is for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PromptTrigger {
    /// App start: policy agreement and re-consent.
    AppStart,
    /// The user opens a feature: just-in-time consent for its next richer tier.
    Feature {
        /// Feature id.
        feature: String,
    },
    /// The user asks from a settings screen to enable a purpose (the cooldown does not apply).
    Settings {
        /// Purpose id.
        purpose: String,
    },
}

/// The kind of prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PromptKind {
    /// Agree to the privacy policy.
    PolicyAgreement,
    /// One purpose, in context.
    JustInTime,
    /// Ask again after a policy or purpose change.
    ReConsent,
    /// A guardian must answer.
    GuardianConsent,
    /// Our consent is given: request the OS permission (`permission`) now, showing its `explanation` at the same
    /// time as the system dialog; report the outcome with `setPermissionState`.
    OsPermission,
    /// The OS permission is denied for good: offer to open the system settings (offered only when the user starts
    /// the feature or asks from the app's settings).
    OpenSettings,
}

/// Why a purpose needs separate consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SeparateConsentReason {
    /// Sensitive personal information.
    Sensitive,
    /// Given to a third party.
    ThirdParty,
    /// Stored outside the home region.
    CrossBorder,
    /// Tracking across apps.
    Tracking,
}

/// A data type as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DataTypeText {
    /// Id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Sensitive.
    pub sensitive: bool,
}

/// A recipient as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecipientText {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Privacy contact.
    pub contact: Option<String>,
}

/// What the user must be told about a purpose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PurposeText {
    /// Id.
    pub id: String,
    /// Why.
    pub description: String,
    /// What.
    pub data_types: Vec<DataTypeText>,
    /// Who receives it.
    pub recipients: Vec<RecipientText>,
    /// Where it is stored.
    pub storage_region: String,
    /// Stored outside the home region.
    pub cross_border: bool,
    /// Retention in days.
    pub retention_days: Option<u32>,
    /// Why it needs separate consent (empty: it does not).
    pub separate_consent: Vec<SeparateConsentReason>,
}

/// A prompt to render.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Prompt {
    /// The kind.
    pub kind: PromptKind,
    /// The purpose asked for (`None` for the policy).
    pub purpose: Option<PurposeText>,
    /// Policy version.
    pub policy_version: String,
    /// Policy URL.
    pub policy_url: String,
    /// For a policy prompt: the necessary purposes the agreement covers.
    pub covers: Vec<PurposeText>,
    /// For a child: the children's personal-information rules the guardian must agree to, separately from the
    /// policy (`agreeToChildrenRules(version, Guardian)`); `None` otherwise.
    pub children_rules: Option<ChildrenRules>,
    /// For `OsPermission` / `OpenSettings`: the permission and the text to show with the system dialog.
    pub permission: Option<super::PermissionRequest>,
}

/// The children's personal-information rules document (儿童个人信息保护规则) a guardian agrees to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChildrenRules {
    /// Version to pass to `agreeToChildrenRules`.
    pub version: String,
    /// Where it is published (show or link it).
    pub url: String,
}

/// The app filing number and where users check it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Filing {
    /// The number.
    pub number: String,
    /// The MIIT filing system URL.
    pub url: String,
}

impl From<&prompt::PurposeText> for PurposeText {
    fn from(p: &prompt::PurposeText) -> Self {
        PurposeText {
            id: p.id.clone(),
            description: p.description.clone(),
            data_types: p
                .data_types
                .iter()
                .map(|d| DataTypeText { id: d.id.clone(), description: d.description.clone(), sensitive: d.sensitive })
                .collect(),
            recipients: p
                .recipients
                .iter()
                .map(|r| RecipientText { id: r.id.clone(), name: r.name.clone(), region: r.region.clone(), contact: r.contact.clone() })
                .collect(),
            storage_region: p.storage_region.clone(),
            cross_border: p.cross_border,
            retention_days: p.retention_days,
            separate_consent: p
                .separate_consent
                .iter()
                .map(|t| match t {
                    SeparateConsentTrigger::Sensitive => SeparateConsentReason::Sensitive,
                    SeparateConsentTrigger::ThirdParty => SeparateConsentReason::ThirdParty,
                    SeparateConsentTrigger::CrossBorder => SeparateConsentReason::CrossBorder,
                    SeparateConsentTrigger::Tracking => SeparateConsentReason::Tracking,
                })
                .collect(),
        }
    }
}

impl From<&prompt::Prompt> for Prompt {
    fn from(p: &prompt::Prompt) -> Self {
        Prompt {
            kind: match p.kind {
                prompt::PromptKind::PolicyAgreement => PromptKind::PolicyAgreement,
                prompt::PromptKind::JustInTime => PromptKind::JustInTime,
                prompt::PromptKind::ReConsent => PromptKind::ReConsent,
                prompt::PromptKind::GuardianConsent => PromptKind::GuardianConsent,
                prompt::PromptKind::OsPermission => PromptKind::OsPermission,
                prompt::PromptKind::OpenSettings => PromptKind::OpenSettings,
            },
            purpose: p.purpose.as_ref().map(Into::into),
            policy_version: p.policy_version.clone(),
            policy_url: p.policy_url.clone(),
            covers: p.covers.iter().map(Into::into).collect(),
            children_rules: p.children_rules.as_ref().map(|d| ChildrenRules { version: d.version.clone(), url: d.url.clone() }),
            permission: p.permission.clone().map(Into::into),
        }
    }
}

/// The ids behind handles, fixed for an open instance: handle `i` of a kind is `ids[i]`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HandleTable {
    /// Purpose ids by handle.
    pub purposes: Vec<String>,
    /// Data type ids by handle.
    pub data_types: Vec<String>,
    /// Feature ids by handle.
    pub features: Vec<String>,
    /// Tier ids per feature handle, richest first.
    pub tiers: Vec<Vec<String>>,
    /// Third-party ids by handle.
    pub third_parties: Vec<String>,
}

/// The decision mirror: every answer of `decide` and `resolve` for the current state, computed by the core, so
/// the Kotlin and Swift facades answer without crossing the boundary. Pushed with every change.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecisionTable {
    /// Format version of this table (1).
    pub format: u32,
    /// The snapshot version it was computed from (increases with every change).
    pub version: u64,
    /// Number of data types: `codes[purpose * width + data_type]`.
    pub width: u32,
    /// Decision codes (see `decide_code`) purpose-major.
    pub codes: Vec<u8>,
    /// Per (purpose, data type): 1 when a frequency limit applies, so `collect` must ask the core.
    pub limited: Vec<u8>,
    /// Per feature: index of the resolved tier, or -1 when none is available.
    pub feature_tier: Vec<i32>,
    /// Per feature: purpose handles missing for the next richer tier.
    pub feature_missing: Vec<Vec<u32>>,
    /// Per feature: whether the app may ask for them now.
    pub feature_can_ask: Vec<bool>,
    /// When a time-based rule (a cooldown ending) next changes an answer, UTC ms; the facade asks for a fresh
    /// table then.
    pub next_change_ms: Option<i64>,
}

/// A batch entry of access counts recorded by a facade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct AccessEntry {
    /// Purpose handle.
    pub purpose: u32,
    /// Data type handle.
    pub data_type: u32,
    /// Third-party handle, or `u32::MAX` for the app itself.
    pub recipient: u32,
    /// Collections counted.
    pub count: u64,
}
