//! The platform table: which operating-system permission guards each vocabulary data type (Android runtime
//! permissions with the API levels they apply to, iOS authorisations with their Info.plist usage-description keys,
//! App Tracking Transparency). Versioned data beside the rule packs (`platform/os-permissions.json`), embedded and
//! parsed once; the gate, the prompt planner, the lint and `consentkit check-app` all read it. docs/rules.md §
//! "Operating-system permissions" states the rules that use it, with sources.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

/// What an Android permission grants when it is the only one of its group the user allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grants {
    /// Full access (precise location, the whole photo library).
    Full,
    /// The limited form (approximate location, the photos the user selected).
    Limited,
}

/// One Android manifest permission, with the API levels it applies on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidPermission {
    /// Its manifest name (`android.permission.CAMERA`).
    pub name: String,
    /// Full or limited access.
    pub grants: Grants,
    /// First API level where it guards the data.
    pub min_api: u32,
    /// Last API level where it guards the data (`READ_EXTERNAL_STORAGE` for photos: 32).
    #[serde(default)]
    pub max_api: Option<u32>,
    /// Granted at install (a "normal" permission): never asked at run time.
    #[serde(default)]
    pub install_time: bool,
}

/// One Info.plist usage-description key, with the iOS versions it applies on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageKey {
    /// The key (`NSCameraUsageDescription`).
    pub key: String,
    /// First iOS version that reads it.
    pub min_ios: String,
    /// Last iOS version that reads it (`NSCalendarsUsageDescription`: before 17).
    #[serde(default)]
    pub max_ios: Option<String>,
}

/// How iOS asks for a permission.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosAuthorization {
    /// The API that shows the system dialog.
    pub authorization: String,
    /// The usage descriptions the dialog shows (the app must declare them).
    pub usage_keys: Vec<UsageKey>,
}

/// One operating-system permission, platform-neutral: the id the bridges report states under.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsPermission {
    /// Id (`location`, `camera`, `tracking`, ...).
    pub id: String,
    /// What it guards, for the user.
    pub description: String,
    /// Words (any language, lower case) of which a purpose description that needs this permission should contain
    /// at least one: the description is the explanation shown with the system dialog (lint CK030).
    pub explain_words: Vec<String>,
    /// What a limited grant gives, when the platforms have one.
    #[serde(default)]
    pub limited: Option<String>,
    /// Android permissions.
    #[serde(default)]
    pub android: Vec<AndroidPermission>,
    /// iOS authorisation (`None`: not an iOS permission).
    #[serde(default)]
    pub ios: Option<IosAuthorization>,
    /// How the Android side differs.
    #[serde(default)]
    pub android_note: Option<String>,
    /// How well the entry was checked against the platform documentation.
    pub verification: String,
}

/// The permission guarding one data type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTypeGuard {
    /// The [`OsPermission::id`].
    pub permission: String,
    /// A limited grant (approximate location, selected photos) is enough for this data type.
    pub accepts_limited: bool,
    /// The data type is a narrower form of this one (`approximate_location` of `location`): necessary whenever
    /// that one is.
    #[serde(default)]
    pub narrows: Option<String>,
}

/// The table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformTable {
    /// Id.
    pub id: String,
    /// Version of the facts (semver).
    pub version: String,
    /// What it maps.
    pub title: String,
    /// Where the facts come from.
    pub sources: Vec<String>,
    /// The permissions, in a fixed order: a permission's position is its handle.
    pub permissions: Vec<OsPermission>,
    /// Vocabulary data type id → the permission guarding it.
    pub data_types: BTreeMap<String, DataTypeGuard>,
    /// The permission standing for App Tracking Transparency / Android's advertising id: every `tracking` purpose
    /// needs it.
    pub tracking_permission: String,
}

static TABLE: Lazy<Option<PlatformTable>> = Lazy::new(|| {
    serde_json::from_str(include_str!("platform/os-permissions.json"))
        .map_err(|e| log::error!("embedded platform table does not parse: {e}"))
        .ok()
});

/// An empty table: what the gate falls back to if the embedded one were broken (the tests prove it is not).
static EMPTY: Lazy<PlatformTable> = Lazy::new(|| PlatformTable {
    id: String::new(),
    version: String::new(),
    title: String::new(),
    sources: Vec::new(),
    permissions: Vec::new(),
    data_types: BTreeMap::new(),
    tracking_permission: String::new(),
});

impl PlatformTable {
    /// The embedded table (parsed on first use).
    pub fn get() -> &'static PlatformTable {
        TABLE.as_ref().unwrap_or(&EMPTY)
    }

    /// The handle (position) of a permission id.
    pub fn handle(&self, id: &str) -> Option<u16> {
        self.permissions.iter().position(|p| p.id == id).map(|i| i as u16)
    }

    /// The permission guarding a data type.
    pub fn guard(&self, data_type: &str) -> Option<&DataTypeGuard> {
        self.data_types.get(data_type)
    }

    /// The permission an Android manifest name belongs to.
    pub fn by_android_name(&self, name: &str) -> Option<&OsPermission> {
        self.permissions.iter().find(|p| p.android.iter().any(|a| a.name == name))
    }

    /// The permission an Info.plist usage-description key belongs to.
    pub fn by_usage_key(&self, key: &str) -> Option<&OsPermission> {
        self.permissions.iter().find(|p| p.ios.as_ref().is_some_and(|i| i.usage_keys.iter().any(|k| k.key == key)))
    }

    /// The data types a permission guards.
    pub fn data_types_of<'a>(&'a self, permission: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.data_types.iter().filter(move |(_, g)| g.permission == permission).map(|(d, _)| d.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RulePack;

    #[test]
    fn the_embedded_table_parses_and_refers_only_to_what_exists() {
        let t = TABLE.as_ref().expect("embedded table parses");
        assert!(t.handle(&t.tracking_permission).is_some());
        for (d, g) in &t.data_types {
            assert!(t.handle(&g.permission).is_some(), "{d}: unknown permission {}", g.permission);
            for id in RulePack::IDS {
                assert!(RulePack::get(id).unwrap().data_types.contains_key(d), "{d} is not in the {id} vocabulary");
            }
            if let Some(n) = &g.narrows {
                assert_eq!(t.guard(n).map(|x| &x.permission), Some(&g.permission), "{d} narrows {n}");
            }
        }
        let mut ids: Vec<&str> = t.permissions.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), t.permissions.len(), "permission ids are unique");
    }

    #[test]
    fn versioned_entries_say_when_they_apply() {
        let t = PlatformTable::get();
        let photos = &t.permissions[t.handle("photos").unwrap() as usize];
        let legacy = photos.android.iter().find(|a| a.name == "android.permission.READ_EXTERNAL_STORAGE").unwrap();
        assert_eq!(legacy.max_api, Some(32));
        let selected = photos.android.iter().find(|a| a.name.ends_with("READ_MEDIA_VISUAL_USER_SELECTED")).unwrap();
        assert_eq!((selected.min_api, selected.grants), (34, Grants::Limited));
        assert_eq!(t.by_android_name("com.google.android.gms.permission.AD_ID").unwrap().id, "tracking");
        assert_eq!(t.by_usage_key("NSUserTrackingUsageDescription").unwrap().id, "tracking");
        assert_eq!(t.by_usage_key("NSCalendarsFullAccessUsageDescription").unwrap().id, "calendar");
        assert_eq!(t.guard("advertising_id").unwrap().permission, t.tracking_permission);
        assert!(t.guard("approximate_location").unwrap().accepts_limited && !t.guard("location").unwrap().accepts_limited);
    }
}
