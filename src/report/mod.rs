//! What users must be told, as data: the app filing display, the personal-information collection list and the
//! third-party sharing list (with real counts from the access log when a database is given), consent receipts, and
//! their renderings (Markdown, self-contained HTML, JSON) in Chinese and English.

pub mod i18n;
pub mod lists;
pub mod receipts;
pub mod render;
pub mod time;

use serde::Serialize;

use crate::manifest::Extensions;
use crate::manifest::Manifest;
use crate::rules::{
    describe_type, is_sensitive, purpose_crosses_border, separate_consent_triggers, RulePack, SeparateConsentTrigger,
};
use crate::store::AccessTotal;

/// The app filing number and where users check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filing {
    /// The number, e.g. `沪ICP备12345678号-3A`.
    pub number: String,
    /// The MIIT filing system.
    pub url: String,
}

/// The filing to display in the app, if the manifest has one.
pub fn filing(m: &Manifest, pack: &RulePack) -> Option<Filing> {
    let number = m.app.filing_number.clone().filter(|n| !n.trim().is_empty())?;
    let url = pack.filing.as_ref().map(|f| f.url.clone()).unwrap_or_else(|| "https://beian.miit.gov.cn/".to_string());
    Some(Filing { number, url })
}

/// One row of the personal-information collection list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionRow {
    /// Purpose id.
    pub purpose: String,
    /// Why.
    pub description: String,
    /// `necessary` or `consent`.
    pub basis: String,
    /// Data type id.
    pub data_type: String,
    /// Data type description.
    pub data_type_description: String,
    /// Data type description in Chinese, when the manifest (`x-description-zh`) or the vocabulary gives one.
    pub data_type_description_zh: Option<String>,
    /// The data type is sensitive personal information.
    pub sensitive: bool,
    /// Purpose description in Chinese (`x-description-zh`), when the manifest gives one.
    pub description_zh: Option<String>,
    /// Features (and tiers) that use the purpose: the scenario of collection.
    pub scenarios: Vec<String>,
    /// Frequency limit, e.g. "12 per 60 s".
    pub frequency_limit: Option<String>,
    /// The same limit as numbers.
    pub frequency: Option<Frequency>,
    /// Retention in days.
    pub retention_days: Option<u32>,
    /// Storage region.
    pub storage_region: String,
    /// Stored outside the home region.
    pub cross_border: bool,
    /// Why the purpose needs a separate consent (empty: the policy agreement or a plain opt-in covers it).
    pub separate_consent: Vec<SeparateConsentTrigger>,
    /// Real collections counted in the access log (when a database is given).
    pub count: Option<u64>,
    /// Last collection, UTC ms.
    pub last_collected_ms: Option<i64>,
}

/// A frequency limit as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Frequency {
    /// At most this many collections...
    pub max: u32,
    /// ...per this many seconds.
    pub per_seconds: u32,
}

/// One row of the third-party sharing list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharingRow {
    /// Third-party id.
    pub recipient: String,
    /// Name.
    pub name: String,
    /// Name in Chinese (`x-name-zh`), when the manifest gives one.
    pub name_zh: Option<String>,
    /// Purposes it receives data for.
    pub purposes: Vec<String>,
    /// Data types it receives.
    pub data_types: Vec<String>,
    /// Where it processes data.
    pub region: String,
    /// Privacy contact.
    pub contact: Option<String>,
    /// Real transfers counted in the access log (when a database is given).
    pub count: Option<u64>,
    /// Its id in IAB Europe's Global Vendor List, when the manifest maps it as a TCF vendor (docs/frameworks.md):
    /// the id under which the TC string passes it the user's choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gvl_id: Option<u16>,
}

/// The `x-<field>-zh` text of a manifest object, if any.
fn zh_extension(ext: &Extensions, field: &str) -> Option<String> {
    ext.get(&format!("x-{field}-zh"))
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A data type's description in Chinese: the app's `x-description-zh`, else the Chinese term the vocabulary gives.
fn describe_type_zh(m: &Manifest, pack: &RulePack, id: &str) -> Option<String> {
    if let Some(zh) = m.data_types.get(id).and_then(|d| zh_extension(&d.extensions, "description")) {
        return Some(zh);
    }
    if m.data_types.get(id).is_some_and(|d| d.description.is_some()) {
        return None;
    }
    let vocabulary = &pack.data_types.get(id)?.description;
    let zh = i18n::Lang::Zh.vocabulary_text(vocabulary);
    (zh != *vocabulary).then_some(zh)
}

fn usage(access: Option<&[AccessTotal]>, f: impl Fn(&AccessTotal) -> bool) -> (Option<u64>, Option<i64>) {
    match access {
        None => (None, None),
        Some(rows) => {
            let hits: Vec<&AccessTotal> = rows.iter().filter(|r| f(r)).collect();
            (Some(hits.iter().map(|r| r.count).sum()), hits.iter().map(|r| r.last_ms).max())
        }
    }
}

/// The collection list: one row per (purpose, data type).
pub fn collection_list(m: &Manifest, pack: &RulePack, access: Option<&[AccessTotal]>) -> Vec<CollectionRow> {
    let mut out = Vec::new();
    for p in &m.purposes {
        let scenarios: Vec<String> = m
            .features
            .iter()
            .flat_map(|f| {
                f.tiers.iter().filter(|t| t.requires.contains(&p.id)).map(move |t| format!("{}/{}", f.id, t.id))
            })
            .collect();
        let description_zh = zh_extension(&p.extensions, "description");
        let separate = separate_consent_triggers(m, pack, p);
        for d in &p.data_types {
            let (count, last) = usage(access, |r| r.purpose == p.id && &r.data_type == d);
            let limit = p.frequency.iter().find(|f| &f.data_type == d);
            out.push(CollectionRow {
                purpose: p.id.clone(),
                description: p.description.clone().unwrap_or_default(),
                basis: format!("{:?}", p.basis).to_lowercase(),
                data_type: d.clone(),
                data_type_description: describe_type(m, pack, d),
                data_type_description_zh: describe_type_zh(m, pack, d),
                sensitive: is_sensitive(m, pack, d),
                description_zh: description_zh.clone(),
                scenarios: scenarios.clone(),
                frequency_limit: limit.map(|f| format!("{} per {} s", f.max, f.per_seconds)),
                frequency: limit.map(|f| Frequency { max: f.max, per_seconds: f.per_seconds }),
                retention_days: p.retention_days,
                storage_region: p.storage_region.clone(),
                cross_border: purpose_crosses_border(m, p),
                separate_consent: separate.clone(),
                count,
                last_collected_ms: last,
            });
        }
    }
    out
}

/// The sharing list: one row per third party.
pub fn sharing_list(m: &Manifest, access: Option<&[AccessTotal]>) -> Vec<SharingRow> {
    m.third_parties
        .iter()
        .map(|t| {
            let purposes: Vec<&crate::manifest::Purpose> =
                m.purposes.iter().filter(|p| p.recipients.contains(&t.id)).collect();
            let mut data_types: Vec<String> = purposes.iter().flat_map(|p| p.data_types.iter().cloned()).collect();
            data_types.sort();
            data_types.dedup();
            SharingRow {
                recipient: t.id.clone(),
                name: t.name.clone(),
                name_zh: zh_extension(&t.extensions, "name"),
                purposes: purposes.iter().map(|p| p.id.clone()).collect(),
                data_types,
                region: t.region.clone(),
                contact: t.contact.clone(),
                count: usage(access, |r| r.recipient == t.id).0,
                gvl_id: m.tcf_gvl_id(&t.id),
            }
        })
        .collect()
}
