//! The transparency document: who the app is, its filing, the collection list and the sharing list, with the real
//! figures of an access log when one is given. Built once, then rendered as Markdown, HTML or JSON.

use serde::Serialize;

use super::{collection_list, filing, sharing_list, CollectionRow, Filing, SharingRow};
use crate::manifest::Manifest;
use crate::rules::RulePack;
use crate::store::AccessTotal;

/// Who the app is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// Application id.
    pub id: String,
    /// Name shown to users.
    pub name: String,
    /// Category id of the rule pack, if any.
    pub category: Option<String>,
    /// Category name in Chinese (from the rule pack).
    pub category_name_zh: Option<String>,
    /// Category name in English (from the rule pack).
    pub category_name_en: Option<String>,
    /// Home region.
    pub region: String,
}

/// The privacy policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// Version.
    pub version: String,
    /// Where it is published.
    pub url: String,
}

/// Where the real figures come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountsSource {
    /// The database file, as given.
    pub database: String,
    /// The latest collection counted, UTC ms (`None` when nothing was collected).
    pub up_to_ms: Option<i64>,
}

/// Everything a transparency page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lists {
    /// Who the app is.
    pub app: AppInfo,
    /// The privacy policy.
    pub policy: PolicyInfo,
    /// The app filing number and where to check it.
    pub filing: Option<Filing>,
    /// Rule pack id and version.
    pub rule_pack: String,
    /// The collection list: one row per (purpose, data type).
    pub collection: Vec<CollectionRow>,
    /// The sharing list: one row per third party.
    pub sharing: Vec<SharingRow>,
    /// Present when the figures come from a database.
    pub counts: Option<CountsSource>,
}

impl Lists {
    /// Builds the document; `access` is the access log's totals and the database it came from, if any.
    pub fn build(m: &Manifest, pack: &RulePack, access: Option<(&str, &[AccessTotal])>) -> Lists {
        let totals = access.map(|(_, t)| t);
        let category = m.app.category.as_deref().and_then(|c| pack.category(c));
        Lists {
            app: AppInfo {
                id: m.app.id.clone(),
                name: m.app.name.clone(),
                category: m.app.category.clone(),
                category_name_zh: category.map(|c| c.name_zh.clone()),
                category_name_en: category.map(|c| c.name_en.clone()),
                region: m.app.region.clone(),
            },
            policy: PolicyInfo { version: m.policy.version.clone(), url: m.policy.url.clone() },
            filing: filing(m, pack),
            rule_pack: format!("{} {}", pack.id, pack.version),
            collection: collection_list(m, pack, totals),
            sharing: sharing_list(m, totals),
            counts: access.map(|(db, t)| CountsSource {
                database: db.to_string(),
                up_to_ms: t.iter().map(|r| r.last_ms).filter(|&ms| ms > 0).max(),
            }),
        }
    }

    /// The purpose ids in manifest order (each appears once).
    pub fn purpose_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for r in &self.collection {
            if !ids.contains(&r.purpose.as_str()) {
                ids.push(&r.purpose);
            }
        }
        ids
    }
}
