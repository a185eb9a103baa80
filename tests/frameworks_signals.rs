//! The signals an open instance exports for ad and analytics SDKs follow the consent state: the TC string, the GPP
//! string, Consent Mode and the in-app keys change with every grant, withdrawal and erasure, fail closed, and honour
//! the jurisdiction the app passes. Uses examples/ride_hailing_global.json (ads → adnet GVL 1042, analytics →
//! analytics_sdk GVL 1043).

use std::collections::BTreeSet;
use std::sync::Arc;

use consentkit::ffi::*;

const MANIFEST: &str = include_str!("../examples/ride_hailing_global.json");
const DAY_MS: i64 = 86_400_000;
const START_MS: i64 = 1_767_225_600_000 + 5 * 3_600_000; // 2026-01-01T05:00Z

fn open_kit(dir: &tempfile::TempDir) -> Arc<ConsentKit> {
    let opts = OpenOptions { manual_clock_start_ms: Some(START_MS), access_flush_every: None, integrity_dir: None };
    ConsentKit::open(dir.path().join("c.db").display().to_string(), MANIFEST.into(), opts).unwrap()
}

fn pref(s: &FrameworkSignals, key: &str) -> Option<FrameworkPreference> {
    s.preferences.iter().find(|p| p.key == key).cloned()
}

fn text(s: &FrameworkSignals, key: &str) -> String {
    pref(s, key).and_then(|p| p.text_value).unwrap_or_else(|| panic!("{key} missing"))
}

fn tc(s: &FrameworkSignals) -> DecodedTcString {
    decode_tc_string(s.tc_string.clone().expect("TC string")).unwrap()
}

#[test]
fn nothing_is_consented_before_the_policy_and_every_key_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    let s = kit.framework_signals(None).unwrap();
    assert_eq!(s.jurisdiction, FrameworkJurisdiction::Eu, "the manifest's jurisdiction");
    assert!(s.gdpr_applies);
    let d = tc(&s);
    assert!(d.purposes_consent.is_empty() && d.vendor_consents.is_empty() && d.vendor_legitimate_interests.is_empty());
    assert!(d.disclosed_vendors.is_empty(), "nothing disclosed before the policy is agreed");
    assert_eq!((d.cmp_id, d.cmp_version, d.vendor_list_version, d.tcf_policy_version), (300, 2, 150, 4));
    assert_eq!(d.created_ms % DAY_MS, 0, "rounded to the day");
    assert!(s.consent_mode.values().all(|g| !g), "{:?}", s.consent_mode);
    assert_eq!(s.consent_mode.len(), 4);
    for key in [
        "IABTCF_CmpSdkID", "IABTCF_CmpSdkVersion", "IABTCF_PolicyVersion", "IABTCF_gdprApplies", "IABTCF_PublisherCC",
        "IABTCF_PurposeOneTreatment", "IABTCF_UseNonStandardTexts", "IABTCF_TCString", "IABTCF_VendorConsents",
        "IABTCF_VendorLegitimateInterests", "IABTCF_DisclosedVendors", "IABTCF_PurposeConsents",
        "IABTCF_PurposeLegitimateInterests", "IABTCF_SpecialFeaturesOptIns", "IABTCF_PublisherRestrictions7",
        "IABTCF_PublisherConsent", "IABTCF_PublisherLegitimateInterests", "IABTCF_PublisherCustomPurposesConsents",
        "IABTCF_PublisherCustomPurposesLegitimateInterests", "IABGPP_HDR_Version", "IABGPP_HDR_Sections",
        "IABGPP_HDR_GppString", "IABGPP_GppSID", "IABGPP_2_String", "IABGPP_7_String",
    ] {
        assert!(pref(&s, key).is_some(), "{key} missing");
    }
    assert_eq!(pref(&s, "IABTCF_gdprApplies").unwrap().int_value, Some(1));
    assert_eq!(text(&s, "IABTCF_PurposeConsents"), "00000000000");
    assert_eq!(text(&s, "IABGPP_HDR_Sections"), "2_7");
    assert_eq!(text(&s, "IABGPP_GppSID"), "2");
    // The restriction key: adnet (1042) must rely on consent for purpose 7; `_` for every other vendor id.
    let r = text(&s, "IABTCF_PublisherRestrictions7");
    assert_eq!(r.len(), 1042);
    assert!(r.ends_with('1') && r[..1041].chars().all(|c| c == '_'));
}

#[test]
fn grants_and_withdrawals_move_every_signal() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    let d = tc(&s);
    assert_eq!(d.disclosed_vendors, vec![1042, 1043], "both vendors disclosed once the policy is agreed");
    assert!(d.vendor_consents.is_empty() && d.purposes_consent.is_empty());
    assert_eq!(d.vendor_legitimate_interests, Vec::<u16>::new(), "LI only for what the user allows");

    kit.advance_clock(3 * DAY_MS).unwrap();
    kit.grant("ads".into(), Actor::User, "offers".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    let d = tc(&s);
    // ads → TCF 1,2,3,4,7; purpose 1 is also mapped from analytics (not granted), so it stays off: fail closed.
    assert_eq!(d.purposes_consent, vec![2, 3, 4, 7]);
    assert_eq!(d.purposes_li_transparency, vec![7], "adnet claims LI for 7");
    assert_eq!(d.vendor_consents, vec![1042]);
    assert_eq!(d.vendor_legitimate_interests, vec![1042]);
    assert_eq!(d.created_ms, (START_MS + 3 * DAY_MS) / DAY_MS * DAY_MS, "the day of the last change");
    assert_eq!(d.created_ms, d.last_updated_ms);
    assert_eq!(d.publisher_purposes_consent, Vec::<u8>::new(), "publisher purposes ride on analytics");
    assert!(s.consent_mode["ad_storage"] && s.consent_mode["ad_user_data"] && s.consent_mode["ad_personalization"]);
    assert!(!s.consent_mode["analytics_storage"]);
    assert_eq!(text(&s, "IABTCF_VendorConsents").len(), 1042);
    assert!(text(&s, "IABTCF_VendorConsents").ends_with('1'));
    assert_eq!(text(&s, "IABTCF_PurposeConsents"), "01110010000");

    kit.grant("analytics".into(), Actor::User, "settings".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    let d = tc(&s);
    assert_eq!(d.purposes_consent, vec![1, 2, 3, 4, 7, 8, 9]);
    assert_eq!(d.vendor_consents, vec![1042, 1043]);
    assert_eq!(d.publisher_purposes_consent, vec![1, 9]);
    assert!(s.consent_mode.values().all(|&g| g));
    let gpp = decode_gpp_string(s.gpp_string.clone().unwrap()).unwrap();
    assert_eq!(gpp.section_ids, vec![2, 7]);
    assert_eq!(gpp.tcf_eu_v2.unwrap(), d, "GPP section 2 is the same TC string");

    kit.withdraw("ads".into(), Actor::User, "settings".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    let d = tc(&s);
    assert_eq!(d.purposes_consent, vec![8, 9], "1 needs ads too");
    assert_eq!(d.vendor_consents, vec![1043]);
    assert!(d.vendor_legitimate_interests.is_empty(), "a withdrawal is an objection");
    assert!(!s.consent_mode["ad_storage"] && s.consent_mode["analytics_storage"]);
}

#[test]
fn erasure_leaves_nothing_consented() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers".into()).unwrap();
    kit.erase_all(Actor::User, "settings".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    let d = tc(&s);
    assert!(d.purposes_consent.is_empty() && d.vendor_consents.is_empty() && d.disclosed_vendors.is_empty());
    assert!(s.consent_mode.values().all(|g| !g));
}

#[test]
fn the_app_picks_the_jurisdiction() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    let us = kit.framework_signals(Some(FrameworkJurisdiction::Us)).unwrap();
    assert!(!us.gdpr_applies && us.tc_string.is_none());
    assert_eq!(pref(&us, "IABTCF_gdprApplies").unwrap().int_value, Some(0));
    assert!(pref(&us, "IABTCF_TCString").is_none(), "no TC string outside the EU");
    assert_eq!(text(&us, "IABGPP_GppSID"), "7");
    assert_eq!(us.gpp_applicable_sections, vec![7]);
    // usnat: ads not granted → opted out of sharing and targeted advertising; live_location (necessary) consents
    // to precise geolocation (category 8).
    let usnat = decode_gpp_string(us.gpp_string.clone().unwrap()).unwrap();
    assert_eq!(usnat.section_ids, vec![2, 7]);
    let other = kit.framework_signals(Some(FrameworkJurisdiction::Other)).unwrap();
    assert_eq!(text(&other, "IABGPP_GppSID"), "-1");
    assert!(!other.gdpr_applies);
}

#[test]
fn a_manifest_without_frameworks_gives_denied_consent_mode_and_no_keys() {
    let dir = tempfile::tempdir().unwrap();
    let m = include_str!("../examples/ride_hailing.json");
    let kit = ConsentKit::open(dir.path().join("c.db").display().to_string(), m.into(), OpenOptions::default()).unwrap();
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers".into()).unwrap();
    let s = kit.framework_signals(None).unwrap();
    assert!(s.preferences.is_empty() && s.tc_string.is_none() && s.gpp_string.is_none());
    assert!(s.consent_mode.values().all(|g| !g), "no mapping, no grant");
}

#[test]
fn decoding_bad_strings_is_a_typed_error() {
    for bad in ["", "not a tc string!", "CQSbk4AQ", "DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"] {
        assert!(matches!(decode_tc_string(bad.into()), Err(ConsentError::InvalidArgument { .. })), "{bad}");
        assert!(matches!(decode_gpp_string(bad.into()), Err(ConsentError::InvalidArgument { .. })), "{bad}");
    }
    let ids: BTreeSet<u16> = decode_gpp_string("DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA".into()).unwrap().section_ids.into_iter().collect();
    assert_eq!(ids, BTreeSet::from([2]));
}

#[test]
fn the_sharing_list_and_receipts_name_each_vendor_by_gvl_id() {
    let dir = tempfile::tempdir().unwrap();
    let kit = open_kit(&dir);
    kit.agree_to_policy("2026-11-01".into(), Actor::User, "welcome".into()).unwrap();
    kit.grant("ads".into(), Actor::User, "offers".into()).unwrap();
    let lists: serde_json::Value = serde_json::from_str(&kit.transparency_lists_json().unwrap()).unwrap();
    let sharing = lists["sharing"].as_array().unwrap();
    let gvl = |id: &str| sharing.iter().find(|r| r["recipient"] == id).unwrap()["gvl_id"].clone();
    assert_eq!(gvl("adnet"), 1042);
    assert_eq!(gvl("analytics_sdk"), 1043);
    let receipts = kit.receipts_json().unwrap();
    assert!(receipts.contains("\"gvl_id\":1042"), "{receipts}");
}
