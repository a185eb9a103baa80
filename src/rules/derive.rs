//! Facts derived from a manifest under a rule pack: sensitivity of data types and why a purpose needs separate
//! consent. Derived, never declared (DESIGN.md §1), so an app cannot talk its way out of a separate prompt.

use super::pack::{RulePack, SeparateConsentTrigger};
use crate::manifest::{Manifest, Purpose};

/// Whether a data type is known to the manifest (vocabulary or declared).
pub fn is_declared_type(m: &Manifest, pack: &RulePack, id: &str) -> bool {
    pack.data_types.contains_key(id) || m.data_types.contains_key(id)
}

/// Whether a data type is sensitive: the vocabulary says so, or the app marks it so (it can never unmark).
pub fn is_sensitive(m: &Manifest, pack: &RulePack, id: &str) -> bool {
    pack.data_types.get(id).is_some_and(|t| t.sensitive) || m.data_types.get(id).is_some_and(|d| d.sensitive)
}

/// A user-facing description of a data type: the app's, else the vocabulary's, else the id.
pub fn describe_type(m: &Manifest, pack: &RulePack, id: &str) -> String {
    m.data_types
        .get(id)
        .and_then(|d| d.description.clone())
        .or_else(|| pack.data_types.get(id).map(|t| t.description.clone()))
        .unwrap_or_else(|| id.to_string())
}

/// Whether storing data in `region` is a transfer out of the app's home region.
pub fn is_cross_border(m: &Manifest, region: &str) -> bool {
    !region.is_empty() && !region.eq_ignore_ascii_case(&m.app.region)
}

/// Whether `p` sends personal information out of the app's home region: stored abroad, or given to a recipient
/// that processes it abroad (PIPL Art. 38-39). The one definition the gate, the prompts and the lists share.
pub fn purpose_crosses_border(m: &Manifest, p: &Purpose) -> bool {
    is_cross_border(m, &p.storage_region)
        || p.recipients.iter().any(|r| m.third_parties.iter().any(|t| &t.id == r && is_cross_border(m, &t.region)))
}

/// Why `p` needs separate consent under `pack` (empty: the policy agreement or a plain opt-in covers it).
pub fn separate_consent_triggers(m: &Manifest, pack: &RulePack, p: &Purpose) -> Vec<SeparateConsentTrigger> {
    use SeparateConsentTrigger::*;
    let mut out = Vec::new();
    if pack.triggers(Sensitive) && p.data_types.iter().any(|d| is_sensitive(m, pack, d)) {
        out.push(Sensitive);
    }
    if pack.triggers(ThirdParty) && !p.recipients.is_empty() {
        out.push(ThirdParty);
    }
    if pack.triggers(CrossBorder) && purpose_crosses_border(m, p) {
        out.push(CrossBorder);
    }
    if p.tracking {
        // Tracking needs explicit opt-in everywhere (Apple ATT), whatever the pack.
        out.push(Tracking);
    }
    out
}
