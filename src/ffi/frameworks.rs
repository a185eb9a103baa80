//! The IAB TCF / GPP and Google Consent Mode exports: the current signals of an open instance, and decoders for
//! strings that come from elsewhere (a web view's CMP). Thin: the work is [`crate::frameworks`].

use std::collections::HashMap;

use super::{guard, ConsentError, ConsentKit};
use crate::frameworks::gpp::GppString;
use crate::frameworks::signals::{FrameworkSignals as Signals, PrefValue};
use crate::frameworks::tcf::TcString;
use crate::manifest::Jurisdiction;

/// Which privacy regime the app says applies (it decides; ConsentKit never looks it up on the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FrameworkJurisdiction {
    /// GDPR: `IABTCF_gdprApplies` = 1, TC string written, GPP section 2 in force. The manifest default.
    Eu,
    /// US state laws: `IABTCF_gdprApplies` = 0, GPP section 7 (usnat) in force.
    Us,
    /// Neither: `IABTCF_gdprApplies` = 0, no GPP section in force.
    Other,
}

impl From<FrameworkJurisdiction> for Jurisdiction {
    fn from(j: FrameworkJurisdiction) -> Self {
        match j {
            FrameworkJurisdiction::Eu => Jurisdiction::Eu,
            FrameworkJurisdiction::Us => Jurisdiction::Us,
            FrameworkJurisdiction::Other => Jurisdiction::Other,
        }
    }
}

impl From<Jurisdiction> for FrameworkJurisdiction {
    fn from(j: Jurisdiction) -> Self {
        match j {
            Jurisdiction::Eu => FrameworkJurisdiction::Eu,
            Jurisdiction::Us => FrameworkJurisdiction::Us,
            Jurisdiction::Other => FrameworkJurisdiction::Other,
        }
    }
}

/// One in-app key of the IAB specs with its value: exactly one of `int_value` / `text_value` is set (write it with
/// `putInt` / `putString`, or as an `NSNumber` / `NSString`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FrameworkPreference {
    /// `IABTCF_...` or `IABGPP_...`.
    pub key: String,
    /// The value when the spec stores a number.
    pub int_value: Option<i64>,
    /// The value when the spec stores a string.
    pub text_value: Option<String>,
}

/// The consent signals of the current state for ad and analytics SDKs (docs/frameworks.md).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FrameworkSignals {
    /// The regime used.
    pub jurisdiction: FrameworkJurisdiction,
    /// GDPR applies.
    pub gdpr_applies: bool,
    /// The IAB TCF v2.2 TC string (when the manifest maps TCF and GDPR applies).
    pub tc_string: Option<String>,
    /// The IAB GPP string (when the manifest lists GPP sections).
    pub gpp_string: Option<String>,
    /// GPP section ids in force.
    pub gpp_applicable_sections: Vec<u16>,
    /// Google Consent Mode v2: `analytics_storage`, `ad_storage`, `ad_user_data`, `ad_personalization` → granted.
    pub consent_mode: HashMap<String, bool>,
    /// Every `IABTCF_*` / `IABGPP_*` key to write, in the specs' order; remove any other key with those prefixes.
    pub preferences: Vec<FrameworkPreference>,
}

impl From<Signals> for FrameworkSignals {
    fn from(s: Signals) -> Self {
        FrameworkSignals {
            jurisdiction: s.jurisdiction.into(),
            gdpr_applies: s.gdpr_applies,
            tc_string: s.tc_string,
            gpp_string: s.gpp_string,
            gpp_applicable_sections: s.gpp_applicable_sections,
            consent_mode: s.consent_mode.into_iter().map(|(k, v)| (k.name().to_string(), v)).collect(),
            preferences: s
                .preferences
                .into_iter()
                .map(|(key, v)| match v {
                    PrefValue::Int(i) => FrameworkPreference { key, int_value: Some(i), text_value: None },
                    PrefValue::Text(t) => FrameworkPreference { key, int_value: None, text_value: Some(t) },
                })
                .collect(),
        }
    }
}

/// A publisher restriction read from a TC string.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecodedRestriction {
    /// TCF purpose id.
    pub purpose_id: u8,
    /// 0 not allowed, 1 require consent, 2 require legitimate interest.
    pub restriction_type: u8,
    /// GVL ids concerned.
    pub vendors: Vec<u16>,
}

/// Every field of a TC string (ids ascending).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecodedTcString {
    /// Created, UTC ms (a day boundary in TCF v2.2).
    pub created_ms: i64,
    /// Last updated, UTC ms.
    pub last_updated_ms: i64,
    /// CMP id.
    pub cmp_id: u16,
    /// CMP version.
    pub cmp_version: u16,
    /// Consent screen.
    pub consent_screen: u8,
    /// Consent language (two letters).
    pub consent_language: String,
    /// GVL version.
    pub vendor_list_version: u16,
    /// TCF policy version.
    pub tcf_policy_version: u8,
    /// Is service specific.
    pub is_service_specific: bool,
    /// Non-standard texts used.
    pub use_non_standard_texts: bool,
    /// Special features opted in.
    pub special_feature_opt_ins: Vec<u8>,
    /// Purposes consented.
    pub purposes_consent: Vec<u8>,
    /// Purposes with legitimate interest established.
    pub purposes_li_transparency: Vec<u8>,
    /// Purpose one treatment.
    pub purpose_one_treatment: bool,
    /// Publisher country code.
    pub publisher_cc: String,
    /// Vendors consented.
    pub vendor_consents: Vec<u16>,
    /// Vendors with legitimate interest established.
    pub vendor_legitimate_interests: Vec<u16>,
    /// Publisher restrictions.
    pub publisher_restrictions: Vec<DecodedRestriction>,
    /// Disclosed vendors (empty when the segment is absent).
    pub disclosed_vendors: Vec<u16>,
    /// The string has a publisher TC segment.
    pub has_publisher_segment: bool,
    /// Publisher purposes consented.
    pub publisher_purposes_consent: Vec<u8>,
    /// Publisher purposes with legitimate interest established.
    pub publisher_purposes_li_transparency: Vec<u8>,
    /// Publisher custom purposes consented.
    pub publisher_custom_purposes_consent: Vec<u8>,
}

impl From<TcString> for DecodedTcString {
    fn from(tc: TcString) -> Self {
        let c = tc.core;
        let p = tc.publisher;
        let text = |b: [u8; 2]| String::from_utf8_lossy(&b).into_owned();
        DecodedTcString {
            created_ms: (c.created_ds as i64).saturating_mul(100),
            last_updated_ms: (c.last_updated_ds as i64).saturating_mul(100),
            cmp_id: c.cmp_id,
            cmp_version: c.cmp_version,
            consent_screen: c.consent_screen,
            consent_language: text(c.consent_language),
            vendor_list_version: c.vendor_list_version,
            tcf_policy_version: c.tcf_policy_version,
            is_service_specific: c.is_service_specific,
            use_non_standard_texts: c.use_non_standard_texts,
            special_feature_opt_ins: c.special_feature_opt_ins.into_iter().collect(),
            purposes_consent: c.purposes_consent.into_iter().collect(),
            purposes_li_transparency: c.purposes_li_transparency.into_iter().collect(),
            purpose_one_treatment: c.purpose_one_treatment,
            publisher_cc: text(c.publisher_cc),
            vendor_consents: c.vendor_consents.into_iter().collect(),
            vendor_legitimate_interests: c.vendor_legitimate_interests.into_iter().collect(),
            publisher_restrictions: c
                .publisher_restrictions
                .into_iter()
                .map(|r| DecodedRestriction {
                    purpose_id: r.purpose_id,
                    restriction_type: r.restriction_type.code(),
                    vendors: r.vendors.into_iter().collect(),
                })
                .collect(),
            disclosed_vendors: tc.disclosed_vendors.unwrap_or_default().into_iter().collect(),
            has_publisher_segment: p.is_some(),
            publisher_purposes_consent: p.as_ref().map(|p| p.purposes_consent.iter().copied().collect()).unwrap_or_default(),
            publisher_purposes_li_transparency: p
                .as_ref()
                .map(|p| p.purposes_li_transparency.iter().copied().collect())
                .unwrap_or_default(),
            publisher_custom_purposes_consent: p.map(|p| p.custom_purposes_consent.into_iter().collect()).unwrap_or_default(),
        }
    }
}

/// A GPP string read back: its section ids and texts, and the TC string of section 2 decoded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DecodedGppString {
    /// Section ids in header order.
    pub section_ids: Vec<u16>,
    /// Each section's text, in the same order.
    pub sections: Vec<String>,
    /// Section 2 decoded, if present.
    pub tcf_eu_v2: Option<DecodedTcString>,
}

fn invalid(what: &str, e: crate::frameworks::FrameworkError) -> ConsentError {
    ConsentError::InvalidArgument { detail: format!("not a valid {what}: {e}") }
}

/// Reads a TC string (for example one a web view's CMP produced); a malformed one is `InvalidArgument` naming the
/// field.
#[uniffi::export]
pub fn decode_tc_string(text: String) -> Result<DecodedTcString, ConsentError> {
    guard::guard(|| TcString::decode(&text).map(Into::into).map_err(|e| invalid("TC string", e)))
}

/// Reads a GPP string; a malformed one is `InvalidArgument` naming the field.
#[uniffi::export]
pub fn decode_gpp_string(text: String) -> Result<DecodedGppString, ConsentError> {
    guard::guard(|| {
        let gpp = GppString::decode(&text).map_err(|e| invalid("GPP string", e))?;
        let sections = gpp.sections.iter().map(|s| s.encode()).collect::<Result<Vec<_>, _>>().map_err(|e| invalid("GPP string", e))?;
        Ok(DecodedGppString { section_ids: gpp.section_ids(), sections, tcf_eu_v2: gpp.tcf_eu_v2().cloned().map(Into::into) })
    })
}

#[uniffi::export]
impl ConsentKit {
    /// The IAB TCF / GPP strings, the Google Consent Mode map and the `IABTCF_*` / `IABGPP_*` keys for the current
    /// consent state, under `jurisdiction` (`null` = the manifest's `frameworks.jurisdiction`, default EU). Call it
    /// on every change notification; after `eraseAll` it reflects the empty state (no consent anywhere).
    pub fn framework_signals(&self, jurisdiction: Option<FrameworkJurisdiction>) -> Result<FrameworkSignals, ConsentError> {
        guard::guard(|| Ok(self.engine.framework_signals(jurisdiction.map(Into::into))?.into()))
    }
}
