//! From ConsentKit's consent state to the signals other ecosystems read: the TC string, the GPP string, the Consent
//! Mode map and the `IABTCF_*` / `IABGPP_*` in-app keys, all computed by one pure function of the manifest's
//! `frameworks` section and which app purposes are allowed right now. docs/frameworks.md states each rule.
//!
//! Fail closed throughout: a TCF purpose, vendor, special feature, usnat activity or Consent Mode signal reads as
//! consented only when every app purpose mapped to it is allowed; ConsentKit has no separate objection model, so
//! legitimate-interest transparency is signalled only for what the user allows too.

use std::collections::{BTreeMap, BTreeSet};

use super::consent_mode::{consent_mode, ConsentModeMap, ConsentSignal};
use super::gpp::{GppSection, GppString, TCF_EU_V2_SECTION_ID};
use super::tcf::{day_deciseconds, PublisherRestriction, PublisherTc, RestrictionType, TcCore, TcString};
use super::usnat::{consent, notice, opt_out, UsNat, USNAT_SECTION_ID, USNAT_VERSION};
use super::FrameworkError;
use crate::manifest::{
    ConsentModeConfig, GppSectionName, Jurisdiction, Manifest, MspaMode, TcfConfig, TcfRestrictionKind, UsNatConfig,
};

/// Number of TCF purposes under the TCF v2.2 policies (the length of the purpose keys' binary strings).
pub const TCF_PURPOSES: u8 = 11;
/// Number of TCF special features (the length of `IABTCF_SpecialFeaturesOptIns`).
pub const TCF_SPECIAL_FEATURES: u8 = 2;

/// A value of an in-app key: the specs store numbers as integers and everything else as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrefValue {
    /// `putInt` / `NSNumber`.
    Int(i64),
    /// `putString` / `NSString`.
    Text(String),
}

/// The consent state the signals are computed from.
pub struct ConsentView<'a> {
    /// The current privacy policy is agreed (vendors count as disclosed only then).
    pub policy_agreed: bool,
    /// Whether an app purpose is allowed right now (an unknown id must answer false).
    pub allowed: &'a dyn Fn(&str) -> bool,
    /// When the consent state last changed, UTC ms (the TC string's day).
    pub updated_ms: i64,
}

/// Everything the facades write or hand to SDKs, for one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkSignals {
    /// The regime used.
    pub jurisdiction: Jurisdiction,
    /// GDPR applies (`IABTCF_gdprApplies`).
    pub gdpr_applies: bool,
    /// The TC string, when the manifest has `frameworks.tcf` and GDPR applies.
    pub tc_string: Option<String>,
    /// The GPP string, when the manifest has `frameworks.gpp`.
    pub gpp_string: Option<String>,
    /// GPP section ids in force (`IABGPP_GppSID`); empty when none applies.
    pub gpp_applicable_sections: Vec<u16>,
    /// Consent Mode v2 (all denied without `frameworks.consent_mode`).
    pub consent_mode: ConsentModeMap,
    /// The `IABTCF_*` and `IABGPP_*` keys with their values, in the specs' order. A writer removes every other key
    /// with those prefixes.
    pub preferences: Vec<(String, PrefValue)>,
}

/// Prefixes of the keys the specs reserve; a writer owns every key under them.
pub const KEY_PREFIXES: [&str; 2] = ["IABTCF_", "IABGPP_"];

/// Computes every signal for `view`, under `jurisdiction` (or the manifest's, whose default is `eu`).
pub fn compute(m: &Manifest, view: &ConsentView<'_>, jurisdiction: Option<Jurisdiction>) -> Result<FrameworkSignals, FrameworkError> {
    let none = crate::manifest::Frameworks::default();
    let f = m.frameworks.as_ref().unwrap_or(&none);
    let jurisdiction = jurisdiction.unwrap_or(f.jurisdiction);
    let gdpr_applies = jurisdiction == Jurisdiction::Eu;
    let all_allowed = |ids: &[String]| !ids.is_empty() && ids.iter().all(|p| (view.allowed)(p));

    let tc = f.tcf.as_ref().map(|t| tc_string(m, t, view, &all_allowed));
    let no_usnat = UsNatConfig::default();
    let usnat = f.gpp.as_ref().and_then(|g| g.usnat.as_ref()).unwrap_or(&no_usnat);
    let mut preferences = Vec::new();
    let mut tc_text = None;
    if let (Some(t), Some(tc)) = (&f.tcf, &tc) {
        let text = tc.encode()?;
        tcf_keys(t, tc, gdpr_applies, &text, &mut preferences);
        tc_text = gdpr_applies.then_some(text);
    }

    let (mut gpp_text, mut applicable) = (None, Vec::new());
    if let Some(g) = &f.gpp {
        let mut names: Vec<GppSectionName> = g.sections.clone();
        names.sort();
        names.dedup();
        let mut sections = Vec::new();
        for name in names {
            match (name, &tc) {
                (GppSectionName::Tcfeuv2, Some(tc)) => sections.push(GppSection::TcfEuV2(Box::new(tc.clone()))),
                (GppSectionName::Tcfeuv2, None) => {}
                (GppSectionName::Usnat, _) => sections.push(GppSection::UsNat(usnat_section(usnat, view, &all_allowed))),
            }
        }
        let gpp = GppString { sections };
        let ids = gpp.section_ids();
        applicable = match jurisdiction {
            Jurisdiction::Eu => ids.iter().copied().filter(|&i| i == TCF_EU_V2_SECTION_ID).collect(),
            Jurisdiction::Us => ids.iter().copied().filter(|&i| i == USNAT_SECTION_ID).collect(),
            Jurisdiction::Other => vec![],
        };
        let text = gpp.encode()?;
        gpp_keys(&gpp, &text, &applicable, &mut preferences)?;
        gpp_text = Some(text);
    }

    let no_mode = ConsentModeConfig::default();
    let cm = f.consent_mode.as_ref().unwrap_or(&no_mode);
    let consent_mode = consent_mode(|s| drivers(cm, s), |p| (view.allowed)(p));
    Ok(FrameworkSignals {
        jurisdiction,
        gdpr_applies,
        tc_string: tc_text,
        gpp_string: gpp_text,
        gpp_applicable_sections: applicable,
        consent_mode,
        preferences,
    })
}

fn drivers(c: &ConsentModeConfig, s: ConsentSignal) -> &[String] {
    match s {
        ConsentSignal::AnalyticsStorage => &c.analytics_storage,
        ConsentSignal::AdStorage => &c.ad_storage,
        ConsentSignal::AdUserData => &c.ad_user_data,
        ConsentSignal::AdPersonalization => &c.ad_personalization,
    }
}

fn letters(code: &str) -> [u8; 2] {
    let b = code.as_bytes();
    match b {
        [a, c] if a.is_ascii_alphabetic() && c.is_ascii_alphabetic() => [a.to_ascii_uppercase(), c.to_ascii_uppercase()],
        // The lint refuses anything else; `AA` is the specs' "unknown".
        _ => *b"AA",
    }
}

/// App purposes mapped onto each TCF id, by id.
fn invert(map: &BTreeMap<String, Vec<u8>>) -> BTreeMap<u8, Vec<String>> {
    let mut out: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for (app, ids) in map {
        for &id in ids {
            out.entry(id).or_default().push(app.clone());
        }
    }
    out
}

fn tc_string(m: &Manifest, t: &TcfConfig, view: &ConsentView<'_>, all_allowed: &dyn Fn(&[String]) -> bool) -> TcString {
    let by_purpose = invert(&t.purposes);
    let purposes_consent: BTreeSet<u8> =
        by_purpose.iter().filter(|(id, apps)| (1..=24).contains(*id) && all_allowed(apps)).map(|(id, _)| *id).collect();
    let li_claimed: BTreeSet<u8> = t.vendors.iter().flat_map(|v| v.legitimate_interest_purposes.iter().copied()).collect();
    let purposes_li_transparency: BTreeSet<u8> = by_purpose
        .iter()
        .filter(|(id, apps)| {
            view.policy_agreed && li_claimed.contains(id) && !matches!(id, 1 | 3..=6) && *id <= &24 && all_allowed(apps)
        })
        .map(|(id, _)| *id)
        .collect();
    let special_feature_opt_ins: BTreeSet<u8> = invert(&t.special_features)
        .into_iter()
        .filter(|(id, apps)| (1..=12).contains(id) && all_allowed(apps))
        .map(|(id, _)| id)
        .collect();
    // A vendor's app purposes: those listing its third party as a recipient (what it is given data for).
    let vendor_purposes = |tp: &str| -> Vec<String> {
        m.purposes.iter().filter(|p| p.recipients.iter().any(|r| r == tp)).map(|p| p.id.clone()).collect()
    };
    // What `mayInitialize` also requires of it.
    let init_requires = |tp: &str| -> Vec<String> {
        m.third_parties.iter().filter(|t| t.id == tp).flat_map(|t| t.init_requires.iter().cloned()).collect()
    };
    let gvl = |tp: &str| m.tcf_gvl_id(tp);
    // Per GVL id, fail closed: a bit only when every third party declared behind that id would get it.
    let mut consent_by_id: BTreeMap<u16, bool> = BTreeMap::new();
    let mut li_by_id: BTreeMap<u16, bool> = BTreeMap::new();
    // TCF purposes a vendor declares and that are on for other vendors, but that no app purpose giving it data maps
    // to: restricted for it (the purpose bits are global, so without this it could process for them).
    let mut not_entitled: BTreeMap<u8, BTreeSet<u16>> = BTreeMap::new();
    let mut disclosed = BTreeSet::new();
    for v in &t.vendors {
        let Some(id) = gvl(&v.third_party) else { continue };
        let apps = vendor_purposes(&v.third_party);
        if view.policy_agreed {
            disclosed.insert(id);
        }
        let mut needed = apps.clone();
        needed.extend(init_requires(&v.third_party));
        *consent_by_id.entry(id).or_insert(true) &= view.policy_agreed && all_allowed(&needed);
        let special_only = v.purposes.is_empty() && v.legitimate_interest_purposes.is_empty() && !v.special_purposes.is_empty();
        let li = view.policy_agreed
            && ((!v.legitimate_interest_purposes.is_empty() && all_allowed(&apps)) || (special_only && (apps.is_empty() || all_allowed(&apps))));
        *li_by_id.entry(id).or_insert(true) &= li;
        let entitled: BTreeSet<u8> = apps.iter().filter_map(|a| t.purposes.get(a)).flatten().copied().collect();
        for &p in v.purposes.iter().chain(&v.legitimate_interest_purposes) {
            if (purposes_consent.contains(&p) || purposes_li_transparency.contains(&p)) && !entitled.contains(&p) {
                not_entitled.entry(p).or_default().insert(id);
            }
        }
    }
    let on = |by_id: BTreeMap<u16, bool>| -> BTreeSet<u16> { by_id.into_iter().filter(|(_, on)| *on).map(|(id, _)| id).collect() };
    let (vendor_consents, vendor_legitimate_interests) = (on(consent_by_id), on(li_by_id));
    let mut publisher_restrictions: Vec<PublisherRestriction> = t
        .restrictions
        .iter()
        .map(|r| PublisherRestriction {
            purpose_id: r.purpose,
            restriction_type: match r.kind {
                TcfRestrictionKind::NotAllowed => RestrictionType::NotAllowed,
                TcfRestrictionKind::RequireConsent => RestrictionType::RequireConsent,
                TcfRestrictionKind::RequireLegitimateInterest => RestrictionType::RequireLegitimateInterest,
            },
            vendors: r.vendors.iter().filter_map(|v| gvl(v)).collect(),
        })
        .collect();
    // The computed "not allowed" restrictions win over any declared one for the same (purpose, vendor).
    for (purpose, vendors) in not_entitled {
        for r in publisher_restrictions.iter_mut().filter(|r| r.purpose_id == purpose) {
            r.vendors.retain(|v| !vendors.contains(v));
        }
        match publisher_restrictions
            .iter_mut()
            .find(|r| r.purpose_id == purpose && r.restriction_type == RestrictionType::NotAllowed)
        {
            Some(r) => r.vendors.extend(vendors),
            None => publisher_restrictions.push(PublisherRestriction {
                purpose_id: purpose,
                restriction_type: RestrictionType::NotAllowed,
                vendors,
            }),
        }
    }
    publisher_restrictions.retain(|r| !r.vendors.is_empty());
    let publisher = t.publisher.as_ref().map(|p| {
        let n = p.custom_purposes.len().min(63);
        PublisherTc {
            purposes_consent: invert(&p.purposes)
                .into_iter()
                .filter(|(id, apps)| (1..=24).contains(id) && all_allowed(apps))
                .map(|(id, _)| id)
                .collect(),
            purposes_li_transparency: BTreeSet::new(),
            num_custom_purposes: n as u8,
            custom_purposes_consent: p.custom_purposes[..n]
                .iter()
                .enumerate()
                .filter(|(_, app)| (view.allowed)(app))
                .map(|(i, _)| i as u8 + 1)
                .collect(),
            custom_purposes_li_transparency: BTreeSet::new(),
        }
    });
    let day = day_deciseconds(view.updated_ms);
    TcString {
        core: TcCore {
            created_ds: day,
            last_updated_ds: day,
            cmp_id: t.cmp_id,
            cmp_version: t.cmp_version,
            consent_screen: t.consent_screen.min(63) as u8,
            consent_language: letters(&t.consent_language),
            vendor_list_version: t.vendor_list_version,
            tcf_policy_version: t.policy_version,
            is_service_specific: true,
            use_non_standard_texts: t.use_non_standard_texts,
            special_feature_opt_ins,
            purposes_consent,
            purposes_li_transparency,
            purpose_one_treatment: t.purpose_one_treatment,
            publisher_cc: letters(&t.publisher_cc),
            vendor_consents,
            vendor_legitimate_interests,
            publisher_restrictions,
        },
        disclosed_vendors: Some(disclosed),
        allowed_vendors: None,
        publisher,
    }
}

fn usnat_section(u: &UsNatConfig, view: &ConsentView<'_>, all_allowed: &dyn Fn(&[String]) -> bool) -> UsNat {
    let noticed = |list: &[String]| match (list.is_empty(), view.policy_agreed) {
        (true, _) => notice::NOT_APPLICABLE,
        (false, true) => notice::PROVIDED,
        (false, false) => notice::NOT_PROVIDED,
    };
    let opted = |list: &[String]| {
        if list.is_empty() || !view.policy_agreed {
            opt_out::NOT_APPLICABLE
        } else if all_allowed(list) {
            opt_out::DID_NOT_OPT_OUT
        } else {
            opt_out::OPTED_OUT
        }
    };
    let sensitive_all: Vec<String> = u.sensitive_data.values().flatten().cloned().collect();
    let sensitive_data_processing = (1..=16u8)
        .map(|cat| match u.sensitive_data.get(&cat) {
            None => consent::NOT_APPLICABLE,
            Some(list) if all_allowed(list) => consent::CONSENT,
            Some(_) => consent::NO_CONSENT,
        })
        .collect();
    let (covered, opt_out_mode, service_provider_mode) = match (u.mspa_covered_transaction, u.mspa_mode) {
        (false, _) => (2, 0, 0),
        (true, Some(MspaMode::OptOut)) => (1, 1, 2),
        (true, Some(MspaMode::ServiceProvider)) => (1, 2, 1),
        (true, None) => (1, 2, 2),
    };
    UsNat {
        version: USNAT_VERSION,
        sharing_notice: if view.policy_agreed { notice::PROVIDED } else { notice::NOT_PROVIDED },
        sale_opt_out_notice: noticed(&u.sale),
        sharing_opt_out_notice: noticed(&u.sharing),
        targeted_advertising_opt_out_notice: noticed(&u.targeted_advertising),
        sensitive_data_processing_opt_out_notice: noticed(&sensitive_all),
        sensitive_data_limit_use_notice: noticed(&sensitive_all),
        sale_opt_out: opted(&u.sale),
        sharing_opt_out: opted(&u.sharing),
        targeted_advertising_opt_out: opted(&u.targeted_advertising),
        sensitive_data_processing,
        known_child_sensitive_data_consents: vec![consent::NOT_APPLICABLE; 3],
        personal_data_consents: consent::NOT_APPLICABLE,
        mspa_covered_transaction: covered,
        mspa_opt_out_option_mode: opt_out_mode,
        mspa_service_provider_mode: service_provider_mode,
        gpc: None,
    }
}

/// `'1'`/`'0'` for ids `1..=len`.
fn binary(len: usize, has: impl Fn(usize) -> bool) -> String {
    (1..=len).map(|i| if has(i) { '1' } else { '0' }).collect()
}

fn vendor_bits(ids: &BTreeSet<u16>) -> String {
    let max = usize::from(ids.last().copied().unwrap_or(0));
    binary(max, |i| ids.contains(&(i as u16)))
}

/// The `IABTCF_*` keys of the TCF CMP API spec ("In-App Details"), in its table order.
fn tcf_keys(t: &TcfConfig, tc: &TcString, gdpr_applies: bool, text: &str, out: &mut Vec<(String, PrefValue)>) {
    let c = &tc.core;
    let mut put = |k: &str, v: PrefValue| out.push((k.to_string(), v));
    let small = |set: &BTreeSet<u8>, len: u8| binary(usize::from(len), |i| set.contains(&(i as u8)));
    put("IABTCF_CmpSdkID", PrefValue::Int(t.cmp_id.into()));
    put("IABTCF_CmpSdkVersion", PrefValue::Int(t.cmp_version.into()));
    put("IABTCF_PolicyVersion", PrefValue::Int(t.policy_version.into()));
    put("IABTCF_gdprApplies", PrefValue::Int(i64::from(gdpr_applies)));
    put("IABTCF_PublisherCC", PrefValue::Text(String::from_utf8_lossy(&c.publisher_cc).into_owned()));
    put("IABTCF_PurposeOneTreatment", PrefValue::Int(i64::from(c.purpose_one_treatment)));
    put("IABTCF_UseNonStandardTexts", PrefValue::Int(i64::from(c.use_non_standard_texts)));
    if !gdpr_applies {
        return;
    }
    put("IABTCF_TCString", PrefValue::Text(text.to_string()));
    put("IABTCF_VendorConsents", PrefValue::Text(vendor_bits(&c.vendor_consents)));
    put("IABTCF_VendorLegitimateInterests", PrefValue::Text(vendor_bits(&c.vendor_legitimate_interests)));
    put("IABTCF_DisclosedVendors", PrefValue::Text(vendor_bits(tc.disclosed_vendors.as_ref().unwrap_or(&BTreeSet::new()))));
    put("IABTCF_PurposeConsents", PrefValue::Text(small(&c.purposes_consent, TCF_PURPOSES)));
    put("IABTCF_PurposeLegitimateInterests", PrefValue::Text(small(&c.purposes_li_transparency, TCF_PURPOSES)));
    put("IABTCF_SpecialFeaturesOptIns", PrefValue::Text(small(&c.special_feature_opt_ins, TCF_SPECIAL_FEATURES)));
    // One key per restricted purpose: the restriction type per vendor, `_` where that vendor has none.
    let mut by_purpose: BTreeMap<u8, BTreeMap<u16, u8>> = BTreeMap::new();
    for r in &c.publisher_restrictions {
        let e = by_purpose.entry(r.purpose_id).or_default();
        for &v in &r.vendors {
            e.insert(v, r.restriction_type.code());
        }
    }
    for (purpose, vendors) in by_purpose {
        let max = vendors.keys().last().copied().unwrap_or(0);
        let s: String = (1..=max).map(|v| vendors.get(&v).map_or('_', |c| char::from(b'0' + c))).collect();
        put(&format!("IABTCF_PublisherRestrictions{purpose}"), PrefValue::Text(s));
    }
    if let Some(p) = &tc.publisher {
        put("IABTCF_PublisherConsent", PrefValue::Text(small(&p.purposes_consent, TCF_PURPOSES)));
        put("IABTCF_PublisherLegitimateInterests", PrefValue::Text(small(&p.purposes_li_transparency, TCF_PURPOSES)));
        put("IABTCF_PublisherCustomPurposesConsents", PrefValue::Text(small(&p.custom_purposes_consent, p.num_custom_purposes)));
        put(
            "IABTCF_PublisherCustomPurposesLegitimateInterests",
            PrefValue::Text(small(&p.custom_purposes_li_transparency, p.num_custom_purposes)),
        );
    }
}

/// The `IABGPP_*` keys of the GPP CMP API spec ("In-App Key Names"): header, section ids in force, each section.
fn gpp_keys(gpp: &GppString, text: &str, applicable: &[u16], out: &mut Vec<(String, PrefValue)>) -> Result<(), FrameworkError> {
    let join = |ids: &[u16]| ids.iter().map(u16::to_string).collect::<Vec<_>>().join("_");
    out.push(("IABGPP_HDR_Version".into(), PrefValue::Text(super::gpp::GPP_VERSION.to_string())));
    out.push(("IABGPP_HDR_Sections".into(), PrefValue::Text(join(&gpp.section_ids()))));
    out.push(("IABGPP_HDR_GppString".into(), PrefValue::Text(text.to_string())));
    // `-1` is the GPP API's "no section applies".
    let sid = if applicable.is_empty() { "-1".to_string() } else { join(applicable) };
    out.push(("IABGPP_GppSID".into(), PrefValue::Text(sid)));
    for s in &gpp.sections {
        out.push((format!("IABGPP_{}_String", s.id()), PrefValue::Text(s.encode()?)));
    }
    Ok(())
}
