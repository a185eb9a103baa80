//! Serde types of manifest v1 (DESIGN.md §2). Field names are fixed: tools outside the project read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Extension fields: only names starting with `x-` are accepted (checked after parsing, with the JSON path).
pub type Extensions = BTreeMap<String, Value>;

/// The `schema` value every v1 manifest carries.
pub const MANIFEST_SCHEMA_V1: &str = "consentkit/manifest/v1";

/// What the app ships: who it is, what it collects, why, for whom, where it is stored, and its features with tiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Manifest {
    /// Always `consentkit/manifest/v1`.
    pub schema: String,
    /// Who the app is.
    pub app: App,
    /// The privacy policy the user agrees to.
    pub policy: Policy,
    /// The children's personal-information rules (儿童个人信息保护规则) a guardian agrees to, separately from the
    /// policy, before a child under the guardian age may use the app's necessary processing (docs/rules.md §Guardian).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_rules: Option<ChildrenRules>,
    /// Rule pack id: `cn-2021` or `none`.
    pub rule_pack: String,
    /// Data types the app declares beyond the rule pack vocabulary, or vocabulary types it describes or marks sensitive.
    #[serde(default)]
    pub data_types: BTreeMap<String, DataTypeDecl>,
    /// Reasons to process data.
    pub purposes: Vec<Purpose>,
    /// Recipients outside the app (SDKs, partners).
    #[serde(default)]
    pub third_parties: Vec<ThirdParty>,
    /// Features with tiers ordered richest first; the last tier is the basic tier.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// Optional: the consent signals other ecosystems read (IAB TCF, IAB GPP, Google Consent Mode), mapped from the
    /// purposes above (docs/frameworks.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frameworks: Option<super::frameworks::Frameworks>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// Who the app is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct App {
    /// Application id (package name / bundle id).
    pub id: String,
    /// Name shown to users.
    pub name: String,
    /// Category id of the rule pack (e.g. `ride_hailing`); required by `cn-2021`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Home region (ISO 3166-1 alpha-2, e.g. `CN`); storage elsewhere is cross-border.
    pub region: String,
    /// MIIT app filing number (e.g. `沪ICP备12345678号-3A`); required for `CN` apps under `cn-2021`. Surrounding
    /// whitespace is removed when the manifest is parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_number: Option<String>,
    /// The app asks the user's age before it collects anything and reports it with `setAgeBracket`. An app with
    /// neither an age gate nor `children_rules` gets a lint warning: a child could use it unnoticed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub age_gate: bool,
    /// Whether all personal information the app sends off the device travels encrypted (TLS). Google Play's Data
    /// safety form asks it; `consentkit export play-data-safety` answers from it (absent: left for a human).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_in_transit: Option<bool>,
    /// Where users ask for their account and data to be deleted (Google Play's Data safety form asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_url: Option<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// The privacy policy the user agrees to; a new version lapses earlier agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Policy {
    /// Version string (e.g. a date); any change asks the user again.
    pub version: String,
    /// Where the full policy is published.
    pub url: String,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// The separate rules document for children's personal information; a new version lapses a guardian's agreement
/// to it, as a new policy version lapses the policy agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChildrenRules {
    /// Version string (e.g. a date); any change asks the guardian again.
    pub version: String,
    /// Where the document is published.
    pub url: String,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// A data type declared (or re-described) by the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DataTypeDecl {
    /// Whether the data type is sensitive personal information (separate consent).
    #[serde(default)]
    pub sensitive: bool,
    /// What it is, in words a user understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Apple's privacy-manifest category for this type, without the `NSPrivacyCollectedDataType` prefix (e.g.
    /// `CoarseLocation`): needed for a type outside the vocabulary, and overrides the vocabulary's mapping
    /// (`consentkit export apple-privacy`; lint CK028 names collected types without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_data_type: Option<String>,
    /// Whether the app links this type to the user's identity (Apple's "data linked to you"). Absent: linked when
    /// the type identifies the user or a purpose collects it together with a type that does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_to_identity: Option<bool>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// What a purpose is for, in the terms app-store declarations use (Apple's purpose keys, Play's purposes): the
/// mapping to each store is a table in the rule data (`src/rules/mappings/store-declarations.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StorePurpose {
    /// Running the app's features, authentication, customer support.
    AppFunctionality,
    /// Measuring how the app is used.
    Analytics,
    /// Personalising what the user sees.
    Personalization,
    /// The app's own ads or marketing.
    DeveloperAdvertising,
    /// Ads shown or measured by others.
    ThirdPartyAdvertising,
    /// Messages about the app (news, updates).
    DeveloperCommunications,
    /// Fraud prevention, security and compliance.
    FraudPrevention,
    /// Managing the user's account.
    AccountManagement,
    /// Anything else.
    Other,
}

/// The lawful basis a purpose relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Necessary for the basic function: covered by the policy agreement (unless it needs separate consent).
    Necessary,
    /// Needs the user's opt-in.
    Consent,
}

/// A reason to process data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Purpose {
    /// Stable id (`[a-z0-9_]`, at most 64 characters).
    pub id: String,
    /// What the user is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `necessary` or `consent`.
    pub basis: Basis,
    /// Tracks the user across apps (Apple ATT); always needs separate opt-in.
    #[serde(default)]
    pub tracking: bool,
    /// Data types processed for this purpose.
    pub data_types: Vec<String>,
    /// Third-party ids that receive the data.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Where the data is stored (ISO 3166-1 alpha-2).
    pub storage_region: String,
    /// How long the data is kept, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Collection frequency limits.
    #[serde(default)]
    pub frequency: Vec<FrequencyLimit>,
    /// What the purpose is for in app-store declarations. Absent: a tracking purpose is third-party advertising
    /// (with recipients) or the developer's advertising; a necessary one app functionality; any other "other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_purpose: Option<StorePurpose>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// At most `max` collections of `data_type` per `per_seconds` window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FrequencyLimit {
    /// The limited data type (one of the purpose's data types).
    pub data_type: String,
    /// Maximum collections in a window.
    pub max: u32,
    /// Window length in seconds.
    pub per_seconds: u32,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// A recipient outside the app: an SDK or a partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThirdParty {
    /// Stable id referenced by purposes' `recipients`.
    pub id: String,
    /// Legal or product name shown to users.
    pub name: String,
    /// Where it processes the data (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub region: String,
    /// How users reach its privacy contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Purposes that must all be granted before the SDK may be initialised.
    #[serde(default)]
    pub init_requires: Vec<String>,
    /// Internet domains the recipient connects to for tracking (Apple's `NSPrivacyTrackingDomains`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_domains: Vec<String>,
    /// The SDK's module, pod, package or bundle names (e.g. `GoogleMobileAds`): how `consentkit check-sdks` finds
    /// the recipient of a privacy manifest it reads in an app's dependencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sdk_modules: Vec<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// A feature of the app with tiers ordered richest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Feature {
    /// Stable id.
    pub id: String,
    /// Tiers, richest first; the last one is the basic tier.
    pub tiers: Vec<Tier>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// One level of a feature and the purposes it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tier {
    /// Stable id, unique within the feature.
    pub id: String,
    /// Purposes that must all be allowed for this tier.
    #[serde(default)]
    pub requires: Vec<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}
