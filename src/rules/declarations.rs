//! The mapping table behind the app-store declarations (Apple's privacy manifest, Google Play's Data safety form):
//! vocabulary data types → Apple's collected-data categories and Play's data types, purpose kinds → Apple's purpose
//! keys and Play's purposes. Data, versioned beside the rule packs (`mappings/store-declarations.json`), never code
//! (DESIGN.md §7); the lint (CK028, CK029) and the CLI's `export` / `import` / `check-sdks` read it.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

use crate::manifest::{Basis, Manifest, Purpose, StorePurpose};

/// One vocabulary type's place in the stores' declarations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VocabularyMapping {
    /// Apple's category, without the `NSPrivacyCollectedDataType` prefix.
    pub apple: String,
    /// The type identifies the user by itself (a phone number, an account id): what it is collected with is linked.
    pub identifies: bool,
    /// Play's `[section, data type]`.
    pub play: [String; 2],
    /// Why this category, where it is not obvious.
    #[serde(default)]
    pub note: Option<String>,
}

/// A named group of a store's data types, in the store's order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppleGroup {
    /// Apple's heading (e.g. "Contact info").
    pub group: String,
    /// Category names without the prefix.
    pub types: Vec<String>,
}

/// A section of Play's Data safety form and its data types, in the form's order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlaySection {
    /// The section heading (e.g. "Personal info").
    pub section: String,
    /// The data types of the section, as the form labels them.
    pub types: Vec<String>,
}

/// A purpose kind in each store's words.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurposeKindMapping {
    /// Apple's purpose key without the `NSPrivacyCollectedDataTypePurpose` prefix.
    pub apple: String,
    /// Play's purpose label; `None` where Play has none (a human chooses).
    pub play: Option<String>,
}

/// A required-reason API entry of a privacy manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessedApi {
    /// `NSPrivacyAccessedAPIType`, e.g. `NSPrivacyAccessedAPICategoryFileTimestamp`.
    pub category: String,
    /// `NSPrivacyAccessedAPITypeReasons`, e.g. `C617.1`.
    pub reasons: Vec<String>,
}

/// What the ConsentKit iOS package itself declares in its own privacy manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SdkSelfDeclaration {
    /// Where the entry is used and justified.
    pub why: String,
    /// `NSPrivacyTracking`.
    pub tracking: bool,
    /// `NSPrivacyTrackingDomains`.
    pub tracking_domains: Vec<String>,
    /// Apple categories it collects (none: nothing leaves the device).
    pub collected: Vec<String>,
    /// Required-reason APIs the core's SQLite calls.
    pub accessed_apis: Vec<AccessedApi>,
}

/// The whole table (see the module doc).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoreDeclarations {
    /// `store-declarations`.
    pub id: String,
    /// Version of the table (semver).
    pub version: String,
    /// What the table maps.
    pub title: String,
    /// Where the keys and labels come from.
    pub sources: BTreeMap<String, String>,
    /// How well the entries were checked.
    pub verification: String,
    /// `NSPrivacyCollectedDataType`.
    pub apple_data_type_prefix: String,
    /// Apple's categories by group.
    pub apple_data_types: Vec<AppleGroup>,
    /// `NSPrivacyCollectedDataTypePurpose`.
    pub apple_purpose_prefix: String,
    /// Play's data types by section.
    pub play_data_types: Vec<PlaySection>,
    /// Purpose kinds (the manifest's `store_purpose` values) in each store's words.
    pub purpose_kinds: BTreeMap<String, PurposeKindMapping>,
    /// Apple purpose (no prefix) → purpose kind, for `import apple-privacy`.
    pub apple_purpose_import: BTreeMap<String, String>,
    /// Vocabulary data type → its mapping.
    pub vocabulary: BTreeMap<String, VocabularyMapping>,
    /// Apple category (no prefix) → the vocabulary type an import uses for it; categories without one become
    /// app-declared types.
    pub apple_import: BTreeMap<String, String>,
    /// The iOS package's own declaration.
    pub consentkit_sdk: SdkSelfDeclaration,
}

static TABLE: Lazy<Option<StoreDeclarations>> = Lazy::new(|| {
    match serde_json::from_str(include_str!("mappings/store-declarations.json")) {
        Ok(t) => Some(t),
        Err(e) => {
            // Only reachable if a maintainer checks in a broken table; the declaration tests catch that first.
            log::error!("embedded store-declarations table does not parse: {e}");
            None
        }
    }
});

impl StoreDeclarations {
    /// The embedded table (parsed on first use).
    pub fn get() -> Option<&'static StoreDeclarations> {
        TABLE.as_ref()
    }

    /// Whether `name` (without prefix) is one of Apple's collected-data categories.
    pub fn is_apple_data_type(&self, name: &str) -> bool {
        self.apple_data_types.iter().any(|g| g.types.iter().any(|t| t == name))
    }

    /// The Apple category of data type `id` in `m`: the app's `apple_data_type`, else the vocabulary's mapping.
    pub fn apple_data_type(&self, m: &Manifest, id: &str) -> Option<String> {
        m.data_types
            .get(id)
            .and_then(|d| d.apple_data_type.clone())
            .or_else(|| self.vocabulary.get(id).map(|v| v.apple.clone()))
    }

    /// Whether data type `id` identifies the user by itself (vocabulary only; app-declared types do not).
    pub fn identifies(&self, id: &str) -> bool {
        self.vocabulary.get(id).is_some_and(|v| v.identifies)
    }

    /// Whether `m` links data type `id` to the user's identity: the app's `linked_to_identity`, else whether the type
    /// identifies the user or some purpose collects it together with a type that does. Unsure means linked: a
    /// declaration that says "not linked" wrongly is the one a store rejects.
    pub fn linked(&self, m: &Manifest, id: &str) -> bool {
        if let Some(linked) = m.data_types.get(id).and_then(|d| d.linked_to_identity) {
            return linked;
        }
        self.identifies(id)
            || m.purposes
                .iter()
                .filter(|p| p.data_types.iter().any(|d| d == id))
                .any(|p| p.data_types.iter().any(|d| self.identifies(d)))
    }

    /// The purpose kind of `p`: declared, or derived (see `Purpose::store_purpose`).
    pub fn purpose_kind(p: &Purpose) -> StorePurpose {
        p.store_purpose.unwrap_or(match (p.tracking, p.recipients.is_empty(), p.basis) {
            (true, false, _) => StorePurpose::ThirdPartyAdvertising,
            (true, true, _) => StorePurpose::DeveloperAdvertising,
            (false, _, Basis::Necessary) => StorePurpose::AppFunctionality,
            (false, _, Basis::Consent) => StorePurpose::Other,
        })
    }

    /// The stores' words for a purpose kind.
    pub fn purpose_mapping(&self, kind: StorePurpose) -> Option<&PurposeKindMapping> {
        self.purpose_kinds.get(&store_purpose_id(kind))
    }
}

/// The snake_case id of a purpose kind, as written in manifests and in the table.
pub fn store_purpose_id(kind: StorePurpose) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
