//! The optional `frameworks` section of manifest v1: how the app's own purposes map onto the consent signals other
//! ecosystems read — the IAB TCF v2.2 TC string, the IAB GPP string (TCF EU v2 and US national sections) and Google
//! Consent Mode v2. The mapping rules are docs/frameworks.md; the lint codes that check it are docs/lint.md (CK04x).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::Extensions;

/// Which privacy regime the app tells the SDKs applies. The app decides (by build, store country, or its own
/// settings); ConsentKit never looks it up on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    /// GDPR applies (`IABTCF_gdprApplies` = 1, the TC string, GPP section 2 in force). The default: it is the
    /// strictest reading for the SDKs, which then need consent for everything.
    #[default]
    Eu,
    /// US state privacy laws apply (`IABTCF_gdprApplies` = 0, GPP section 7 `usnat` in force).
    Us,
    /// Neither (`IABTCF_gdprApplies` = 0, no GPP section in force).
    Other,
}

impl Jurisdiction {
    /// The manifest spelling (`eu`, `us`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eu => "eu",
            Self::Us => "us",
            Self::Other => "other",
        }
    }
}

/// The `frameworks` section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Frameworks {
    /// The regime that applies unless the app passes another at run time. Default `eu`.
    #[serde(default)]
    pub jurisdiction: Jurisdiction,
    /// IAB TCF v2.2: the TC string and the `IABTCF_*` keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<TcfConfig>,
    /// IAB GPP: which sections the GPP string carries, and the US national mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpp: Option<GppConfig>,
    /// Google Consent Mode v2: which app purposes drive each signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_mode: Option<ConsentModeConfig>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

fn default_one() -> u16 {
    1
}
fn default_policy_version() -> u8 {
    4
}
fn default_language() -> String {
    "EN".into()
}

/// TCF settings: who the CMP is, what the app was reviewed against, and the mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TcfConfig {
    /// The CMP id IAB Europe assigned to the app's publisher (register as a CMP, or use the id of the CMP whose
    /// terms the app operates under). 0 is refused by the lint: vendors discard strings from unregistered CMPs.
    pub cmp_id: u16,
    /// The CMP's own version number; bump it when the consent screens change.
    #[serde(default = "default_one")]
    pub cmp_version: u16,
    /// The screen number on which the user made the choice (CMP-internal).
    #[serde(default = "default_one", skip_serializing_if = "is_one")]
    pub consent_screen: u16,
    /// ISO 639-1 language of the consent screens (two letters, default `EN`).
    #[serde(default = "default_language")]
    pub consent_language: String,
    /// The Global Vendor List version the mapping was reviewed against.
    pub vendor_list_version: u16,
    /// TCF policy version of that list: 4 (TCF v2.2) or 5 (TCF v2.3). Default 4.
    #[serde(default = "default_policy_version")]
    pub policy_version: u8,
    /// Country whose law the publisher is under (ISO 3166-1 alpha-2).
    pub publisher_cc: String,
    /// Purpose 1 was not disclosed (only where the publisher's country allows it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub purpose_one_treatment: bool,
    /// The consent screens use non-standard texts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub use_non_standard_texts: bool,
    /// App purpose id → the TCF purposes (1..=11) it covers. A TCF purpose is consented only when every app purpose
    /// mapped to it is allowed.
    #[serde(default)]
    pub purposes: BTreeMap<String, Vec<u8>>,
    /// App purpose id → the TCF special features (1 precise geolocation, 2 device scanning) it covers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub special_features: BTreeMap<String, Vec<u8>>,
    /// The ad-tech vendors among the app's third parties, with what they declare in the GVL.
    #[serde(default)]
    pub vendors: Vec<TcfVendor>,
    /// Restrictions the publisher places on vendors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<TcfRestriction>,
    /// The publisher's own purposes: when present, the publisher TC segment is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<TcfPublisher>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

fn is_one(v: &u16) -> bool {
    *v == 1
}

/// A GVL vendor: one of the manifest's third parties, with its GVL id and declarations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TcfVendor {
    /// The `third_parties` id.
    pub third_party: String,
    /// Its id in IAB Europe's Global Vendor List (required: the lint reports a vendor without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gvl_id: Option<u16>,
    /// TCF purposes it declares on consent.
    #[serde(default)]
    pub purposes: Vec<u8>,
    /// TCF purposes it declares on legitimate interest (never 1, nor 3–6 under TCF v2.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legitimate_interest_purposes: Vec<u8>,
    /// Special purposes it declares (shown for transparency; no choice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_purposes: Vec<u8>,
    /// Features it declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<u8>,
    /// Special features it declares (need opt-in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_features: Vec<u8>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// What a restriction demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TcfRestrictionKind {
    /// The purpose is not allowed for these vendors.
    NotAllowed,
    /// They must rely on consent.
    RequireConsent,
    /// They must rely on legitimate interest.
    RequireLegitimateInterest,
}

/// A publisher restriction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TcfRestriction {
    /// TCF purpose id.
    pub purpose: u8,
    /// What is demanded.
    #[serde(rename = "type")]
    pub kind: TcfRestrictionKind,
    /// `third_parties` ids of the vendors concerned.
    pub vendors: Vec<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// The publisher's own purposes (publisher TC segment).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TcfPublisher {
    /// App purpose id → TCF purposes the publisher itself pursues under it.
    #[serde(default)]
    pub purposes: BTreeMap<String, Vec<u8>>,
    /// App purposes the publisher presents as custom purposes, in order (custom purpose 1 is the first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_purposes: Vec<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// A GPP section ConsentKit can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum GppSectionName {
    /// Section 2, the TC string (needs `tcf`).
    Tcfeuv2,
    /// Section 7, US national.
    Usnat,
}

/// GPP settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GppConfig {
    /// Sections the GPP string carries.
    pub sections: Vec<GppSectionName>,
    /// The US national mapping (used when `sections` has `usnat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usnat: Option<UsNatConfig>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// Which app purposes amount to a sale, sharing, targeted advertising or sensitive-data processing under US state
/// laws. A listed activity reads "did not opt out" only while every purpose listed for it is allowed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsNatConfig {
    /// Purposes that sell personal information.
    #[serde(default)]
    pub sale: Vec<String>,
    /// Purposes that share it (cross-context behavioural advertising).
    #[serde(default)]
    pub sharing: Vec<String>,
    /// Purposes that process it for targeted advertising.
    #[serde(default)]
    pub targeted_advertising: Vec<String>,
    /// Sensitive-data category (1..=16, the usnat v2 list) → purposes that process it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sensitive_data: BTreeMap<u8, Vec<String>>,
    /// The publisher signed the MSPA and the transaction is covered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mspa_covered_transaction: bool,
    /// MSPA mode, when covered: `opt_out` or `service_provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mspa_mode: Option<MspaMode>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

/// The MSPA mode of a covered transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MspaMode {
    /// Opt-Out Option Mode.
    OptOut,
    /// Service Provider Mode.
    ServiceProvider,
}

/// Consent Mode v2: the app purposes that must all be allowed for each signal to be `granted`. A signal with no
/// purpose is always `denied`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConsentModeConfig {
    /// Drives `analytics_storage`.
    #[serde(default)]
    pub analytics_storage: Vec<String>,
    /// Drives `ad_storage`.
    #[serde(default)]
    pub ad_storage: Vec<String>,
    /// Drives `ad_user_data`.
    #[serde(default)]
    pub ad_user_data: Vec<String>,
    /// Drives `ad_personalization`.
    #[serde(default)]
    pub ad_personalization: Vec<String>,
    /// `x-` extension fields.
    #[serde(flatten)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub extensions: Extensions,
}

impl super::model::Manifest {
    /// The GVL id of a third party that `frameworks.tcf.vendors` maps (a positive id), if any: the transparency
    /// lists and receipts name it so a user can match the app's disclosure to the IAB vendor.
    pub fn tcf_gvl_id(&self, third_party: &str) -> Option<u16> {
        let tcf = self.frameworks.as_ref()?.tcf.as_ref()?;
        tcf.vendors.iter().find(|v| v.third_party == third_party).and_then(|v| v.gvl_id).filter(|&id| id > 0)
    }
}

impl Frameworks {
    /// Every extension map of the section with its JSON path (for the unknown-field check).
    pub fn extension_maps(&self) -> Vec<(String, &Extensions)> {
        let mut out = vec![("frameworks".to_string(), &self.extensions)];
        if let Some(t) = &self.tcf {
            out.push(("frameworks.tcf".into(), &t.extensions));
            for (i, v) in t.vendors.iter().enumerate() {
                out.push((format!("frameworks.tcf.vendors[{i}]"), &v.extensions));
            }
            for (i, r) in t.restrictions.iter().enumerate() {
                out.push((format!("frameworks.tcf.restrictions[{i}]"), &r.extensions));
            }
            if let Some(p) = &t.publisher {
                out.push(("frameworks.tcf.publisher".into(), &p.extensions));
            }
        }
        if let Some(g) = &self.gpp {
            out.push(("frameworks.gpp".into(), &g.extensions));
            if let Some(u) = &g.usnat {
                out.push(("frameworks.gpp.usnat".into(), &u.extensions));
            }
        }
        if let Some(c) = &self.consent_mode {
            out.push(("frameworks.consent_mode".into(), &c.extensions));
        }
        out
    }
}
