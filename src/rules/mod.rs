//! Rule packs (regulatory facts as embedded data) and the manifest lint that applies them.

mod declarations;
mod derive;
mod lint;
mod lint_frameworks;
mod lint_os;
mod pack;
mod platform;
mod region;
mod terms;

pub use declarations::{
    store_purpose_id, AccessedApi, AppleGroup, PlaySection, PurposeKindMapping, SdkSelfDeclaration, StoreDeclarations,
    VocabularyMapping,
};
pub use derive::{
    describe_type, is_cross_border, is_declared_type, is_sensitive, purpose_crosses_border, separate_consent_triggers,
};
pub use lint::{is_valid_id, lint, Diagnostic, Severity, CODES, MAX_ID_LEN};
pub use region::{is_region_code, ISO_3166_ALPHA2};
pub use platform::{AndroidPermission, DataTypeGuard, Grants, IosAuthorization, OsPermission, PlatformTable, UsageKey};
pub use pack::{Category, FilingRules, RulePack, SeparateConsentTrigger, VocabularyType};
pub use terms::{definition_hash, needs_opt_in, policy_coverage_hash, ConsentTerms, DataTypeTerms, RecipientTerms, TERMS_VERSION};
pub use terms::{children_rules_coverage_hash, covered_terms, ManifestHashes};
