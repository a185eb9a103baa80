//! What a purpose's consent is bound to: everything the user was shown about it, and everything that decides which
//! consent it needs (PIPL Art. 14: a change of purpose, method or kind of personal information needs fresh consent).
//!
//! A grant records the hash of these terms; a manifest whose terms for the purpose differ makes the grant lapse
//! (docs/adr/0002-definition-hash.md, docs/rules.md). Only `x-` extension fields and frequency limits are outside.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::derive::{describe_type, is_sensitive, separate_consent_triggers};
use super::pack::{RulePack, SeparateConsentTrigger};
use crate::manifest::{hex, Basis, Manifest, Purpose};

/// Version of the canonical form, written first in the hashed text: a grant bound to another version lapses.
pub const TERMS_VERSION: u32 = 2;

/// One data type as the user was told about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DataTypeTerms {
    /// The text the user read.
    pub description: String,
    /// Data type id.
    pub id: String,
    /// Sensitive personal information (needs separate consent).
    pub sensitive: bool,
}

/// One recipient as the user was told about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RecipientTerms {
    /// Privacy contact, if declared.
    pub contact: Option<String>,
    /// Third-party id.
    pub id: String,
    /// Legal or product name.
    pub name: String,
    /// Where it processes the data (upper case).
    pub region: String,
}

/// The terms of one purpose's consent. Fields are in alphabetical order: the canonical text is this struct as
/// compact JSON (serde_json escaping), lists sorted and de-duplicated, regions upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentTerms {
    /// `necessary` or `consent`: decides whether a policy agreement covers it.
    pub basis: &'static str,
    /// Data types with their description and sensitivity.
    pub data_types: Vec<DataTypeTerms>,
    /// The purpose's description.
    pub description: String,
    /// Purpose id.
    pub id: String,
    /// Recipients with name, region and contact.
    pub recipients: Vec<RecipientTerms>,
    /// Retention in days.
    pub retention_days: Option<u32>,
    /// Why it needs separate consent (derived from the rest under the rule pack).
    pub separate_consent: Vec<SeparateConsentTrigger>,
    /// Storage region (upper case).
    pub storage_region: String,
    /// Tracks the user across apps.
    pub tracking: bool,
    /// [`TERMS_VERSION`].
    pub v: u32,
}

impl ConsentTerms {
    /// The terms of `p` as declared by `m` under `pack`.
    pub fn of(m: &Manifest, pack: &RulePack, p: &Purpose) -> ConsentTerms {
        let mut data_types: Vec<DataTypeTerms> = p
            .data_types
            .iter()
            .map(|d| DataTypeTerms { description: describe_type(m, pack, d), id: d.clone(), sensitive: is_sensitive(m, pack, d) })
            .collect();
        data_types.sort_by(|a, b| a.id.cmp(&b.id));
        data_types.dedup_by(|a, b| a.id == b.id);
        let mut recipients: Vec<RecipientTerms> = p
            .recipients
            .iter()
            .map(|r| match m.third_parties.iter().find(|t| &t.id == r) {
                Some(t) => RecipientTerms {
                    contact: t.contact.clone(),
                    id: t.id.clone(),
                    name: t.name.clone(),
                    region: t.region.to_ascii_uppercase(),
                },
                None => RecipientTerms { contact: None, id: r.clone(), name: String::new(), region: String::new() },
            })
            .collect();
        recipients.sort_by(|a, b| a.id.cmp(&b.id));
        recipients.dedup_by(|a, b| a.id == b.id);
        let mut separate_consent = separate_consent_triggers(m, pack, p);
        separate_consent.sort();
        ConsentTerms {
            basis: match p.basis {
                Basis::Necessary => "necessary",
                Basis::Consent => "consent",
            },
            data_types,
            description: p.description.clone().unwrap_or_default(),
            id: p.id.clone(),
            recipients,
            retention_days: p.retention_days,
            separate_consent,
            storage_region: p.storage_region.to_ascii_uppercase(),
            tracking: p.tracking,
            v: TERMS_VERSION,
        }
    }

    /// The canonical text that is hashed.
    pub fn canonical(&self) -> String {
        // Serialising plain strings, integers, booleans and lists of them cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `sha256:` + 64 lowercase hex digits of [`ConsentTerms::canonical`].
    pub fn hash(&self) -> String {
        format!("sha256:{}", hex(&Sha256::digest(self.canonical().as_bytes())))
    }

    /// Every field whose value differs between `self` (what the user agreed to) and `new`, as
    /// `(field, old, new)` with values in their canonical JSON: the reasons a consent lapses.
    pub fn changes(&self, new: &ConsentTerms) -> Vec<(String, String, String)> {
        let (old, new) = (serde_json::to_value(self).unwrap_or_default(), serde_json::to_value(new).unwrap_or_default());
        let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else { return Vec::new() };
        old.iter()
            .filter(|(k, v)| new.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.to_string(), new.get(k).map(|n| n.to_string()).unwrap_or_default()))
            .collect()
    }
}

/// The definition hash of `p`: what a grant is bound to.
pub fn definition_hash(m: &Manifest, pack: &RulePack, p: &Purpose) -> String {
    ConsentTerms::of(m, pack, p).hash()
}

/// The hash of everything a policy agreement covers: the policy version and the terms of every purpose that needs
/// no opt-in (necessary purposes without a separate-consent trigger). Recorded with the agreement; when it differs
/// in the shipped manifest, the agreement lapses and the user is asked again (`re_consent`), because the user was
/// never told about the new or changed necessary processing (PIPL Art. 14).
pub fn policy_coverage_hash(m: &Manifest, pack: &RulePack) -> String {
    policy_coverage_of(m, &covered_terms(m, pack))
}

/// [`policy_coverage_hash`] from the covered terms already made ([`covered_terms`] or [`ManifestHashes::of`]).
fn policy_coverage_of<T: Serialize>(m: &Manifest, covered: &[T]) -> String {
    let text = serde_json::json!({ "policy_version": m.policy.version, "purposes": covered, "v": TERMS_VERSION });
    format!("sha256:{}", hex(&Sha256::digest(text.to_string().as_bytes())))
}

/// Whether `p` needs an explicit grant from an adult: consent basis, or any separate-consent trigger.
pub fn needs_opt_in(m: &Manifest, pack: &RulePack, p: &Purpose) -> bool {
    p.basis == Basis::Consent || !separate_consent_triggers(m, pack, p).is_empty()
}

/// The hash of everything a guardian's agreement to the children's rules covers: the rules' version and the terms
/// of every purpose that needs no opt-in (what an under-14 user's necessary processing rests on). `None` when the
/// manifest declares no `children_rules`. Exists so that whatever compares a recorded guardian agreement with a
/// manifest (the gate, `consentkit diff`) decides its lapse the same way, as [`policy_coverage_hash`] does for the
/// policy agreement.
pub fn children_rules_coverage_hash(m: &Manifest, pack: &RulePack) -> Option<String> {
    m.children_rules.as_ref()?;
    children_rules_coverage_of(m, &covered_terms(m, pack))
}

/// [`children_rules_coverage_hash`] from the covered terms already made.
fn children_rules_coverage_of<T: Serialize>(m: &Manifest, covered: &[T]) -> Option<String> {
    let rules = m.children_rules.as_ref()?;
    let text = serde_json::json!({ "children_rules_version": rules.version, "purposes": covered, "v": TERMS_VERSION });
    Some(format!("sha256:{}", hex(&Sha256::digest(text.to_string().as_bytes()))))
}

/// Every hash a compiled manifest carries, from one set of terms per purpose: open builds the terms once instead
/// of once per hash (the definition hashes, then the policy's and the children's rules' coverage again). Each value
/// is byte for byte what [`definition_hash`], [`policy_coverage_hash`] and [`children_rules_coverage_hash`] give.
pub struct ManifestHashes {
    /// [`definition_hash`] of each purpose, in manifest order.
    pub definitions: Vec<String>,
    /// [`policy_coverage_hash`].
    pub policy_coverage: String,
    /// [`children_rules_coverage_hash`].
    pub children_rules_coverage: Option<String>,
}

impl ManifestHashes {
    /// The hashes of `m` under `pack`.
    pub fn of(m: &Manifest, pack: &RulePack) -> ManifestHashes {
        let terms: Vec<ConsentTerms> = m.purposes.iter().map(|p| ConsentTerms::of(m, pack, p)).collect();
        // What `covered_terms` selects: no opt-in needed (basis necessary, no separate-consent trigger), by id.
        let mut covered: Vec<&ConsentTerms> =
            terms.iter().filter(|t| t.basis != "consent" && t.separate_consent.is_empty()).collect();
        covered.sort_by(|a, b| a.id.cmp(&b.id));
        ManifestHashes {
            definitions: terms.iter().map(ConsentTerms::hash).collect(),
            policy_coverage: policy_coverage_of(m, &covered),
            children_rules_coverage: children_rules_coverage_of(m, &covered),
        }
    }
}

/// The terms of every purpose an agreement (the policy, the children's rules) covers: those that need no opt-in,
/// sorted by id (reordering the manifest changes nothing). Exists so that the coverage hashes and the tools
/// explaining them (`consentkit diff`) list the same purposes.
pub fn covered_terms(m: &Manifest, pack: &RulePack) -> Vec<ConsentTerms> {
    let mut covered: Vec<ConsentTerms> =
        m.purposes.iter().filter(|p| !needs_opt_in(m, pack, p)).map(|p| ConsentTerms::of(m, pack, p)).collect();
    covered.sort_by(|a, b| a.id.cmp(&b.id));
    covered
}

#[cfg(test)]
mod one_pass_tests {
    use super::*;

    /// Open compiles every manifest with [`ManifestHashes::of`]; a byte of difference from the per-hash functions
    /// (which the CLI's `diff` and the recorded ledgers use) would lapse every consent on upgrade.
    #[test]
    fn the_one_pass_hashes_are_the_per_function_hashes_for_every_example_manifest() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(valid) = crate::Manifest::load(&std::fs::read(&path).unwrap()) else { continue };
            let (m, pack) = (&valid.manifest, &valid.pack);
            let hashes = ManifestHashes::of(m, pack);
            let expected: Vec<String> = m.purposes.iter().map(|p| definition_hash(m, pack, p)).collect();
            assert_eq!(hashes.definitions, expected, "{}", path.display());
            assert_eq!(hashes.policy_coverage, policy_coverage_hash(m, pack), "{}", path.display());
            assert_eq!(hashes.children_rules_coverage, children_rules_coverage_hash(m, pack), "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 5, "the example manifests load ({checked})");
    }
}
