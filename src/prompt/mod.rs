//! The prompt planner: what the app should ask next, and why, with the texts the manifest gives. Never bundles
//! separate-consent purposes (a prompt is about one purpose) and respects the cooldown after a refusal. It also
//! orders the operating system's dialogs after ours: our consent for a purpose first, then the OS permission
//! request with its explanation (never at app start, never for a permission no purpose of the feature needs), the
//! same cooldown after an OS denial, and "open the system settings" after a permanent one (docs/rules.md).

mod permission;

pub use permission::{permission_request, PermissionRequest};

use crate::gate::{Index, OsNext, Reason, Snapshot};
use crate::rules::{describe_type, is_sensitive, purpose_crosses_border, SeparateConsentTrigger};

/// What prompted the question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The app starts (policy agreement, re-consent after a change).
    AppStart,
    /// The user opens a feature (just-in-time consent for its next richer tier).
    Feature(u32),
    /// The user explicitly asks, from a settings screen, to enable a purpose: the cooldown does not apply.
    Settings(u32),
}

/// The kind of prompt to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// Ask the user to agree to the privacy policy (first launch).
    PolicyAgreement,
    /// Ask for one purpose, in context.
    JustInTime,
    /// Ask again: the policy version or the purpose's definition changed.
    ReConsent,
    /// The user is under the guardian age: a guardian must answer.
    GuardianConsent,
    /// Our consent is given: request the OS permission now, showing `permission.explanation` beside the system
    /// dialog.
    OsPermission,
    /// The OS permission is denied for good: offer to open the system settings (only when the user starts the
    /// feature, or asks from the app's settings).
    OpenSettings,
}

/// One data type as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTypeText {
    /// Id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Sensitive personal information.
    pub sensitive: bool,
}

/// One recipient as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientText {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Privacy contact.
    pub contact: Option<String>,
}

/// Everything the user must be told about one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeText {
    /// Id.
    pub id: String,
    /// Why.
    pub description: String,
    /// What.
    pub data_types: Vec<DataTypeText>,
    /// Who receives it.
    pub recipients: Vec<RecipientText>,
    /// Where it is stored.
    pub storage_region: String,
    /// Stored outside the app's home region.
    pub cross_border: bool,
    /// How long, in days.
    pub retention_days: Option<u32>,
    /// Why it needs a separate consent (empty: it does not).
    pub separate_consent: Vec<SeparateConsentTrigger>,
}

/// A prompt for the app to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The kind.
    pub kind: PromptKind,
    /// The purpose asked for (`None` for the policy agreement).
    pub purpose: Option<PurposeText>,
    /// Policy version to agree to or in force.
    pub policy_version: String,
    /// Policy URL.
    pub policy_url: String,
    /// The purposes the policy agreement covers (for a policy prompt), with their texts.
    pub covers: Vec<PurposeText>,
    /// For a child: the children's personal-information rules the guardian must agree to (separately from the
    /// policy, with `agreeToChildrenRules`) before the child's necessary processing may start.
    pub children_rules: Option<DocumentRef>,
    /// For an OS step (`OsPermission`, `OpenSettings`): the permission, with the explanation to show.
    pub permission: Option<PermissionRequest>,
}

/// A published document the user (or guardian) agrees to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRef {
    /// Version agreed to.
    pub version: String,
    /// Where it is published.
    pub url: String,
}

/// The user-facing text of a purpose.
pub fn purpose_text(index: &Index, p: u32) -> PurposeText {
    let m = &index.manifest;
    let decl = index.purpose_decl(p);
    PurposeText {
        id: decl.id.clone(),
        description: decl.description.clone().unwrap_or_default(),
        data_types: decl
            .data_types
            .iter()
            .map(|d| DataTypeText {
                id: d.clone(),
                description: describe_type(m, index.pack, d),
                sensitive: is_sensitive(m, index.pack, d),
            })
            .collect(),
        recipients: decl
            .recipients
            .iter()
            .filter_map(|r| m.third_parties.iter().find(|t| &t.id == r))
            .map(|t| RecipientText { id: t.id.clone(), name: t.name.clone(), region: t.region.clone(), contact: t.contact.clone() })
            .collect(),
        storage_region: decl.storage_region.clone(),
        cross_border: purpose_crosses_border(m, decl),
        retention_days: decl.retention_days,
        separate_consent: index.purposes[p as usize].separate.clone(),
    }
}

/// Decides the next prompt, or `None` when nothing should be asked now.
///
/// When the user once agreed to a policy that no longer holds (another version, or changed necessary purposes), the
/// policy prompt is `re_consent`. For a child (under the guardian age of the pack) every prompt
/// is addressed to the guardian (`guardian_consent`), whatever its reason.
pub fn next_prompt(index: &Index, snap: &Snapshot, trigger: &Trigger, now_ms: i64) -> Option<Prompt> {
    let cooldown = index.pack.cooldown_ms();
    let guardian = snap.guardian_only;
    let policy = &index.manifest.policy;
    let children_rules = || {
        index.manifest.children_rules.as_ref().map(|c| DocumentRef { version: c.version.clone(), url: c.url.clone() })
    };
    let prompt = |kind, purpose, covers, children_rules| Prompt {
        kind,
        purpose,
        policy_version: policy.version.clone(),
        policy_url: policy.url.clone(),
        covers,
        children_rules,
        permission: None,
    };
    let covers = || {
        (0..index.purposes.len() as u32).filter(|&p| !index.purposes[p as usize].needs_opt_in).map(|p| purpose_text(index, p)).collect()
    };
    let explicit = matches!(trigger, Trigger::Settings(_));
    if !snap.policy_agreed {
        if !explicit && !snap.may_ask_policy(now_ms, cooldown) {
            return None;
        }
        let kind = if guardian {
            PromptKind::GuardianConsent
        } else if snap.had_agreement {
            PromptKind::ReConsent
        } else {
            PromptKind::PolicyAgreement
        };
        let rules = if snap.children_rules_pending { children_rules() } else { None };
        return Some(prompt(kind, None, covers(), rules));
    }
    if snap.children_rules_pending {
        // Nothing the child does works before this: asked first, on every trigger.
        return Some(prompt(PromptKind::GuardianConsent, None, covers(), children_rules()));
    }
    let kind_for = |p: u32| match snap.consent_reason[p as usize] {
        _ if guardian => PromptKind::GuardianConsent,
        Reason::Lapsed => PromptKind::ReConsent,
        _ => PromptKind::JustInTime,
    };
    // The next step for one purpose: our consent first, then the OS permission blocking it.
    let step = |p: u32| -> Option<(PromptKind, Option<u16>)> {
        let pi = p as usize;
        if snap.consent_reason[pi] != Reason::Allowed {
            // A refused tracking authorisation (blocked_by set while consent does not allow) makes asking for our
            // consent pointless, unless the user asks from the settings.
            let ask = explicit || (snap.blocked_by[pi].is_none() && snap.may_ask(p, now_ms, cooldown));
            return ask.then_some((kind_for(p), None));
        }
        let perm = snap.blocked_by[pi]?;
        match snap.os_next(perm, now_ms, cooldown) {
            OsNext::Request => Some((PromptKind::OsPermission, Some(perm))),
            OsNext::WaitUntil(_) if explicit => Some((PromptKind::OsPermission, Some(perm))),
            OsNext::OpenSettings => Some((PromptKind::OpenSettings, Some(perm))),
            OsNext::WaitUntil(_) | OsNext::Never => None,
        }
    };
    let candidate = match trigger {
        // Never an OS request at app start: permissions are asked when the feature that needs them starts.
        Trigger::AppStart => (0..index.purposes.len() as u32)
            .find(|&p| snap.consent_reason[p as usize] == Reason::Lapsed && snap.may_ask(p, now_ms, cooldown))
            .map(|p| (p, (kind_for(p), None))),
        Trigger::Feature(f) => snap.resolutions[*f as usize].missing.iter().find_map(|&p| step(p).map(|s| (p, s))),
        Trigger::Settings(p) => if snap.allowed(*p) { None } else { step(*p).map(|s| (*p, s)) },
    };
    candidate.map(|(p, (kind, perm))| {
        let mut out = prompt(kind, Some(purpose_text(index, p)), Vec::new(), None);
        out.permission = perm.and_then(|perm| permission_request(index, p, perm));
        out
    })
}
