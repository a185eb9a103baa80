//! Lint of the optional `frameworks` section (CK040–CK043, docs/lint.md): a mapping that would make the TC string,
//! the GPP string or Consent Mode say more than the user agreed to, or that no vendor could read.

use std::collections::BTreeSet;

use super::lint::Sink;
use crate::manifest::{GppSectionName, Manifest};

/// Highest TCF purpose id of the TCF v2.2 policies.
const MAX_TCF_PURPOSE: u8 = 11;
/// Highest TCF special feature id.
const MAX_SPECIAL_FEATURE: u8 = 2;
/// Highest TCF special purpose id.
const MAX_SPECIAL_PURPOSE: u8 = 3;
/// Highest TCF feature id.
const MAX_FEATURE: u8 = 3;

/// Runs the frameworks rules (nothing when the manifest has no `frameworks` section).
pub(super) fn lint_frameworks(m: &Manifest, out: &mut Sink) {
    let Some(f) = &m.frameworks else { return };
    let purposes: BTreeSet<&str> = m.purposes.iter().map(|p| p.id.as_str()).collect();
    let third_parties: BTreeSet<&str> = m.third_parties.iter().map(|t| t.id.as_str()).collect();
    let unknown_purpose = |out: &mut Sink, path: String, id: &str| {
        if !purposes.contains(id) {
            out.push("CK043", path, format!("\"{id}\" is not a declared purpose"), "map declared purpose ids only");
        }
    };
    let ids_in = |out: &mut Sink, path: String, ids: &[u8], max: u8, what: &str| {
        for (i, &id) in ids.iter().enumerate() {
            if id == 0 || id > max {
                out.push("CK043", format!("{path}[{i}]"), format!("{what} {id} does not exist"), format!("use {what}s 1 to {max}"));
            }
        }
    };

    if let Some(t) = &f.tcf {
        if t.cmp_id == 0 {
            out.push("CK043", "frameworks.tcf.cmp_id", "CMP id 0: vendors discard TC strings from unregistered CMPs", "set the CMP id IAB Europe assigned (docs/frameworks.md)");
        }
        // 12-bit fields of the TC string: a larger value cannot be encoded, so every signals call would fail.
        for (field, value) in [("cmp_id", t.cmp_id), ("cmp_version", t.cmp_version), ("vendor_list_version", t.vendor_list_version)] {
            if value > 4095 {
                out.push("CK043", format!("frameworks.tcf.{field}"), format!("{value} does not fit the TC string's 12 bits"), "use a value from 1 to 4095");
            }
        }
        if !(4..=5).contains(&t.policy_version) {
            out.push("CK043", "frameworks.tcf.policy_version", format!("TCF policy version {} is not 4 (TCF v2.2) or 5 (v2.3)", t.policy_version), "use the tcfPolicyVersion of the GVL you reviewed");
        }
        for (field, v) in [("consent_language", &t.consent_language), ("publisher_cc", &t.publisher_cc)] {
            if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
                out.push("CK043", format!("frameworks.tcf.{field}"), format!("\"{v}\" is not two upper-case letters"), "use an ISO code such as EN / DE");
            }
        }
        for (i, v) in t.vendors.iter().enumerate() {
            let at = format!("frameworks.tcf.vendors[{i}]");
            if !third_parties.contains(v.third_party.as_str()) {
                out.push("CK043", format!("{at}.third_party"), format!("\"{}\" is not a declared third party", v.third_party), "declare it under third_parties");
            }
            if v.gvl_id.unwrap_or(0) == 0 {
                out.push("CK041", format!("{at}.gvl_id"), format!("vendor \"{}\" has no GVL id: no TC string can name it", v.third_party), "set its id from the Global Vendor List (or remove it from tcf.vendors)");
            }
            ids_in(out, format!("{at}.purposes"), &v.purposes, MAX_TCF_PURPOSE, "TCF purpose");
            ids_in(out, format!("{at}.legitimate_interest_purposes"), &v.legitimate_interest_purposes, MAX_TCF_PURPOSE, "TCF purpose");
            for (k, &p) in v.legitimate_interest_purposes.iter().enumerate() {
                if matches!(p, 1 | 3..=6) {
                    out.push("CK043", format!("{at}.legitimate_interest_purposes[{k}]"), format!("TCF v2.2 allows no legitimate interest for purpose {p}"), "move it to purposes (consent)");
                }
            }
            ids_in(out, format!("{at}.special_purposes"), &v.special_purposes, MAX_SPECIAL_PURPOSE, "special purpose");
            ids_in(out, format!("{at}.features"), &v.features, MAX_FEATURE, "feature");
            ids_in(out, format!("{at}.special_features"), &v.special_features, MAX_SPECIAL_FEATURE, "special feature");
        }
        for (app_purpose, tcf_purposes) in &t.purposes {
            let at = format!("frameworks.tcf.purposes.{app_purpose}");
            unknown_purpose(out, at.clone(), app_purpose);
            ids_in(out, at.clone(), tcf_purposes, MAX_TCF_PURPOSE, "TCF purpose");
            let recipients: BTreeSet<&str> = m
                .purposes
                .iter()
                .find(|p| &p.id == app_purpose)
                .map(|p| p.recipients.iter().map(String::as_str).collect())
                .unwrap_or_default();
            for (i, &tp) in tcf_purposes.iter().enumerate() {
                let served = t.vendors.iter().any(|v| {
                    recipients.contains(v.third_party.as_str())
                        && (v.purposes.contains(&tp) || v.legitimate_interest_purposes.contains(&tp))
                });
                if !served {
                    out.push(
                        "CK040",
                        format!("{at}[{i}]"),
                        format!("TCF purpose {tp} is mapped from \"{app_purpose}\", but no vendor declaring purpose {tp} is among its recipients: the TC string would pass consent to vendors the user was not told about"),
                        "list the vendor in the purpose's recipients, map another purpose, or move it to tcf.publisher",
                    );
                }
            }
        }
        for (app_purpose, ids) in &t.special_features {
            let at = format!("frameworks.tcf.special_features.{app_purpose}");
            unknown_purpose(out, at.clone(), app_purpose);
            ids_in(out, at, ids, MAX_SPECIAL_FEATURE, "special feature");
        }
        for (i, r) in t.restrictions.iter().enumerate() {
            let at = format!("frameworks.tcf.restrictions[{i}]");
            ids_in(out, format!("{at}.purpose"), &[r.purpose], MAX_TCF_PURPOSE, "TCF purpose");
            for (k, v) in r.vendors.iter().enumerate() {
                if !t.vendors.iter().any(|x| &x.third_party == v) {
                    out.push("CK043", format!("{at}.vendors[{k}]"), format!("\"{v}\" is not a TCF vendor"), "list it under tcf.vendors");
                }
            }
        }
        if let Some(p) = &t.publisher {
            for (app_purpose, ids) in &p.purposes {
                let at = format!("frameworks.tcf.publisher.purposes.{app_purpose}");
                unknown_purpose(out, at.clone(), app_purpose);
                ids_in(out, at, ids, MAX_TCF_PURPOSE, "TCF purpose");
            }
            for (i, c) in p.custom_purposes.iter().enumerate() {
                unknown_purpose(out, format!("frameworks.tcf.publisher.custom_purposes[{i}]"), c);
            }
        }
    }

    if let Some(g) = &f.gpp {
        for (i, s) in g.sections.iter().enumerate() {
            if *s == GppSectionName::Tcfeuv2 && f.tcf.is_none() {
                out.push("CK043", format!("frameworks.gpp.sections[{i}]"), "the tcfeuv2 section needs frameworks.tcf", "add frameworks.tcf or drop the section");
            }
        }
        if let Some(u) = &g.usnat {
            for (field, list) in [("sale", &u.sale), ("sharing", &u.sharing), ("targeted_advertising", &u.targeted_advertising)] {
                for (i, id) in list.iter().enumerate() {
                    unknown_purpose(out, format!("frameworks.gpp.usnat.{field}[{i}]"), id);
                }
            }
            for (cat, list) in &u.sensitive_data {
                if *cat == 0 || *cat > 16 {
                    out.push("CK043", format!("frameworks.gpp.usnat.sensitive_data.{cat}"), format!("sensitive-data category {cat} does not exist"), "use categories 1 to 16");
                }
                for (i, id) in list.iter().enumerate() {
                    unknown_purpose(out, format!("frameworks.gpp.usnat.sensitive_data.{cat}[{i}]"), id);
                }
            }
        }
    }

    if let Some(c) = &f.consent_mode {
        let signals = [
            ("analytics_storage", &c.analytics_storage),
            ("ad_storage", &c.ad_storage),
            ("ad_user_data", &c.ad_user_data),
            ("ad_personalization", &c.ad_personalization),
        ];
        for (name, list) in signals {
            for (i, id) in list.iter().enumerate() {
                unknown_purpose(out, format!("frameworks.consent_mode.{name}[{i}]"), id);
            }
        }
        for (i, p) in m.purposes.iter().enumerate() {
            let in_ad_signal = signals[1..].iter().any(|(_, list)| list.contains(&p.id));
            if p.tracking && !in_ad_signal {
                out.push(
                    "CK042",
                    format!("purposes[{i}].tracking"),
                    format!("tracking purpose \"{}\" drives no Consent Mode ad signal: refusing tracking would not change what Google's SDKs read", p.id),
                    "add it to consent_mode.ad_storage, ad_user_data and ad_personalization",
                );
            }
        }
    }
}
