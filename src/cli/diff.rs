//! `consentkit diff OLD NEW`: before a release, what lapses for users who consented under OLD when NEW ships.
//!
//! Every lapse is decided with the hashes the gate records (`definition_hash`, `policy_coverage_hash`,
//! `children_rules_coverage_hash` in `src/rules/terms.rs`), so the diff and the engine cannot disagree; the
//! field-by-field reasons come from [`ConsentTerms::changes`]. Exit 0 when nothing lapses, 1 when something does.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};

use super::lint::pretty;
use super::{emit, load_manifest, CmdResult, Failure, Format};
use crate::manifest::{Basis, Manifest, Purpose};
use crate::valid::ValidManifest;
use crate::rules::{
    children_rules_coverage_hash, covered_terms, needs_opt_in, policy_coverage_hash, separate_consent_triggers,
    ConsentTerms, RulePack, SeparateConsentTrigger,
};

/// `--help` of `diff`: its exit 1 means "something lapses", not lint errors.
pub(super) const EXIT_CODES: &str = "Exit codes: 0 nothing lapses; 1 something lapses, or NEW has lint errors; \
2 usage or I/O error, OLD missing or not a valid manifest.";

/// One changed field of a purpose's terms; values are the canonical JSON the hash is computed over.
#[derive(Debug, Clone, Serialize)]
struct Change {
    field: String,
    old: Value,
    new: Value,
}

/// What happens to a purpose's consent when NEW ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Unchanged,
    Lapses,
    Added,
    Removed,
}

/// One purpose of OLD or NEW and what happens to it.
#[derive(Debug, Serialize)]
struct PurposeDiff {
    id: String,
    status: Status,
    /// In NEW (in OLD for a removed purpose).
    needs_opt_in: bool,
    /// In OLD; `None` for an added purpose.
    needed_opt_in: Option<bool>,
    changes: Vec<Change>,
    /// Why it lapses or what users will see, in words.
    reasons: Vec<String>,
}

/// Why an agreement (the policy, the children's rules) lapses or changed.
#[derive(Debug, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
enum AgreementReason {
    VersionChanged {
        old: String,
        new: String,
    },
    /// Children's rules declared in NEW only: guardians never agreed to them.
    Added {
        version: String,
    },
    /// Children's rules dropped in NEW: nothing to agree to any more (not a lapse).
    Removed,
    PurposeAdded {
        purpose: String,
    },
    PurposeRemoved {
        purpose: String,
    },
    PurposeChanged {
        purpose: String,
        changes: Vec<Change>,
    },
    /// Same covered purposes in another order: the coverage hash depends on manifest order.
    OrderChanged,
}

/// The policy agreement or the guardian's agreement to the children's rules.
#[derive(Debug, Serialize)]
struct AgreementDiff {
    lapses: bool,
    reasons: Vec<AgreementReason>,
    /// The purposes of NEW the agreement covers (needing no opt-in): denied while it has lapsed.
    covers: Vec<String>,
}

/// A prompt users will see after the upgrade.
#[derive(Debug, Serialize)]
struct PromptDiff {
    /// `re_consent`, `just_in_time` or `guardian_consent` (the prompt planner's kinds).
    kind: &'static str,
    /// `None` for the policy and the children's rules.
    purpose: Option<String>,
    /// `app_start` or `feature`.
    when: &'static str,
    /// Who sees it.
    who: String,
    /// For `just_in_time`: the features whose tiers need the purpose.
    features: Vec<String>,
}

/// A feature that gives a poorer tier until users answer.
#[derive(Debug, Serialize)]
struct DegradedFeature {
    feature: String,
    from_tier: usize,
    from_tier_id: String,
    /// `None`: no tier at all until users answer.
    to_tier: Option<usize>,
    to_tier_id: Option<String>,
    waiting_for: Vec<String>,
}

/// The whole comparison.
#[derive(Debug, Serialize)]
struct Diff {
    purposes: Vec<PurposeDiff>,
    policy: AgreementDiff,
    children_rules: AgreementDiff,
    prompts: Vec<PromptDiff>,
    degraded_features: Vec<DegradedFeature>,
    lapses: bool,
}

pub(super) fn run(old_path: &Path, new_path: &Path, format: Format) -> CmdResult {
    // OLD is what users consented under: if it does not load, no user could have, so it is a usage error (exit 2).
    // NEW is the release being checked: if it does not load, the release fails (exit 1), as with `lint`.
    let (_, old) = load_manifest(old_path).map_err(|f| Failure { code: 2, message: f.message })?;
    let (_, new) = load_manifest(new_path)?;
    if old.manifest.app.id != new.manifest.app.id {
        eprintln!(
            "warning: the manifests are of different apps ({} and {}): users of one never consented under the other",
            old.manifest.app.id, new.manifest.app.id
        );
    }
    let diff = Diff::compute(&old, &new);
    match format {
        Format::Text => emit(&diff.text(old_path, new_path, &new.manifest))?,
        Format::Json => {
            let mut doc = serde_json::to_value(&diff).unwrap_or_default();
            if let Some(o) = doc.as_object_mut() {
                o.insert("old".into(), json!(old_path.display().to_string()));
                o.insert("new".into(), json!(new_path.display().to_string()));
            }
            emit(&pretty(&doc))?;
        }
    }
    Ok(u8::from(diff.lapses))
}

fn changes(old: &ConsentTerms, new: &ConsentTerms) -> Vec<Change> {
    let value = |s: &str| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()));
    old.changes(new).into_iter().map(|(field, o, n)| Change { field, old: value(&o), new: value(&n) }).collect()
}

/// Why the covered purposes differ; `OrderChanged` when the hashes differ for no other reason.
fn coverage_reasons(old: &[ConsentTerms], new: &[ConsentTerms], hashes_differ: bool, out: &mut Vec<AgreementReason>) {
    for n in new {
        match old.iter().find(|o| o.id == n.id) {
            None => out.push(AgreementReason::PurposeAdded { purpose: n.id.clone() }),
            Some(o) if o != n => {
                out.push(AgreementReason::PurposeChanged { purpose: n.id.clone(), changes: changes(o, n) })
            }
            Some(_) => {}
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        out.push(AgreementReason::PurposeRemoved { purpose: o.id.clone() });
    }
    if hashes_differ && out.is_empty() {
        out.push(AgreementReason::OrderChanged);
    }
}

/// Why `p` needs an opt-in under NEW, in words.
fn opt_in_because(m: &Manifest, pack: &RulePack, p: &Purpose) -> String {
    let triggers = separate_consent_triggers(m, pack, p);
    let mut why = Vec::new();
    if p.basis == Basis::Consent {
        why.push("its basis is consent".to_string());
    }
    if !triggers.is_empty() {
        let names: Vec<String> = triggers.iter().map(trigger_name).collect();
        why.push(format!("separate consent: {}", names.join(", ")));
    }
    why.join("; ")
}

/// A trigger as the manifest and the JSON output spell it (`cross_border`).
fn trigger_name(t: &SeparateConsentTrigger) -> String {
    json!(t).as_str().unwrap_or_default().to_string()
}

/// The features of `m` with a tier that needs purpose `id`.
fn features_needing(m: &Manifest, id: &str) -> Vec<String> {
    m.features
        .iter()
        .filter(|f| f.tiers.iter().any(|t| t.requires.iter().any(|r| r == id)))
        .map(|f| f.id.clone())
        .collect()
}

impl Diff {
    fn compute(old: &ValidManifest, new: &ValidManifest) -> Diff {
        let (om, op, nm, np) = (&old.manifest, old.pack, &new.manifest, new.pack);
        let (old_covered, new_covered) = (covered_terms(om, op), covered_terms(nm, np));

        let policy_differs = policy_coverage_hash(om, op) != policy_coverage_hash(nm, np);
        let mut reasons = Vec::new();
        if om.policy.version != nm.policy.version {
            reasons.push(AgreementReason::VersionChanged {
                old: om.policy.version.clone(),
                new: nm.policy.version.clone(),
            });
        }
        coverage_reasons(&old_covered, &new_covered, policy_differs, &mut reasons);
        let covers: Vec<String> = new_covered.iter().map(|t| t.id.clone()).collect();
        let policy = AgreementDiff { lapses: policy_differs, reasons, covers: covers.clone() };

        let children_rules = match (&om.children_rules, &nm.children_rules) {
            (None, None) => AgreementDiff { lapses: false, reasons: Vec::new(), covers: Vec::new() },
            (Some(_), None) => {
                AgreementDiff { lapses: false, reasons: vec![AgreementReason::Removed], covers: Vec::new() }
            }
            (None, Some(n)) => AgreementDiff {
                lapses: true,
                reasons: vec![AgreementReason::Added { version: n.version.clone() }],
                covers,
            },
            (Some(o), Some(n)) => {
                let differs = children_rules_coverage_hash(om, op) != children_rules_coverage_hash(nm, np);
                let mut reasons = Vec::new();
                if o.version != n.version {
                    reasons.push(AgreementReason::VersionChanged { old: o.version.clone(), new: n.version.clone() });
                }
                coverage_reasons(&old_covered, &new_covered, differs, &mut reasons);
                AgreementDiff { lapses: differs, reasons, covers }
            }
        };

        let mut purposes: Vec<PurposeDiff> =
            nm.purposes.iter().map(|p| purpose_diff(old, new, p, policy.lapses)).collect();
        for p in om.purposes.iter().filter(|p| !nm.purposes.iter().any(|n| n.id == p.id)) {
            purposes.push(PurposeDiff {
                id: p.id.clone(),
                status: Status::Removed,
                needs_opt_in: needs_opt_in(om, op, p),
                needed_opt_in: Some(needs_opt_in(om, op, p)),
                changes: Vec::new(),
                reasons: vec!["removed in NEW: its consent is no longer used".into()],
            });
        }

        let prompts = prompts(om, nm, &purposes, &policy, &children_rules);
        let degraded_features = degraded(nm, &purposes, policy.lapses);
        let lapses = policy.lapses || children_rules.lapses || purposes.iter().any(|p| p.status == Status::Lapses);
        Diff { purposes, policy, children_rules, prompts, degraded_features, lapses }
    }
}

/// What happens to NEW's purpose `p` (the rules of the gate: docs/cli.md `diff`).
fn purpose_diff(old: &ValidManifest, new: &ValidManifest, p: &Purpose, policy_lapses: bool) -> PurposeDiff {
    let (om, op, nm, np) = (&old.manifest, old.pack, &new.manifest, new.pack);
    let needs = needs_opt_in(nm, np, p);
    let Some(o) = om.purposes.iter().find(|o| o.id == p.id) else {
        let reason = if needs {
            let at = features_needing(nm, &p.id);
            format!("needs opt-in ({}): users are asked just in time{}", opt_in_because(nm, np, p), opening(&at))
        } else {
            "needs no opt-in: covered by the policy agreement, which users agree to again".to_string()
        };
        return PurposeDiff {
            id: p.id.clone(),
            status: Status::Added,
            needs_opt_in: needs,
            needed_opt_in: None,
            changes: Vec::new(),
            reasons: vec![reason],
        };
    };
    let needed = needs_opt_in(om, op, o);
    let (old_terms, new_terms) = (ConsentTerms::of(om, op, o), ConsentTerms::of(nm, np, p));
    let mut reasons = Vec::new();
    let lapses = if needs {
        if !needed {
            reasons.push(format!(
                "now needs opt-in because {}: there was never a grant, users are asked just in time{}",
                opt_in_because(nm, np, p),
                opening(&features_needing(nm, &p.id))
            ));
            true
        } else {
            let differs = old_terms.hash() != new_terms.hash();
            let more: Vec<String> = new_terms
                .separate_consent
                .iter()
                .filter(|t| !old_terms.separate_consent.contains(t))
                .map(trigger_name)
                .collect();
            if !more.is_empty() {
                reasons.push(format!("new separate-consent reason: {}", more.join(", ")));
            }
            if differs {
                reasons.push(
                    "its terms changed: the grant lapses, users who granted it are asked again at app start".into(),
                );
            }
            differs
        }
    } else {
        if needed {
            reasons.push("no longer needs its own opt-in: now covered by the policy agreement".into());
        }
        if policy_lapses {
            reasons.push("covered by the policy agreement, which lapses: denied until users agree again".into());
        }
        policy_lapses
    };
    PurposeDiff {
        id: p.id.clone(),
        status: if lapses { Status::Lapses } else { Status::Unchanged },
        needs_opt_in: needs,
        needed_opt_in: Some(needed),
        changes: changes(&old_terms, &new_terms),
        reasons,
    }
}

fn opening(features: &[String]) -> String {
    if features.is_empty() {
        " (no feature needs it: only from settings)".into()
    } else {
        format!(" when they open {}", features.join(", "))
    }
}

fn prompts(
    om: &Manifest,
    nm: &Manifest,
    purposes: &[PurposeDiff],
    policy: &AgreementDiff,
    children: &AgreementDiff,
) -> Vec<PromptDiff> {
    let mut out = Vec::new();
    let prompt = |kind, purpose: Option<&str>, when, who: String, features| PromptDiff {
        kind,
        purpose: purpose.map(str::to_string),
        when,
        who,
        features,
    };
    if policy.lapses {
        out.push(prompt(
            "re_consent",
            None,
            "app_start",
            format!("users who agreed to policy {}", om.policy.version),
            Vec::new(),
        ));
    }
    if children.lapses {
        out.push(prompt("guardian_consent", None, "app_start", "guardians of under-14 users".into(), Vec::new()));
    }
    for p in purposes {
        let features = features_needing(nm, &p.id);
        match (p.status, p.needs_opt_in, p.needed_opt_in) {
            (Status::Lapses, true, Some(true)) => {
                out.push(prompt("re_consent", Some(&p.id), "app_start", "users who granted it".into(), Vec::new()))
            }
            (Status::Lapses, true, _) | (Status::Added, true, _) => {
                out.push(prompt("just_in_time", Some(&p.id), "feature", "every user".into(), features))
            }
            _ => {}
        }
    }
    out
}

/// For a user who granted everything under OLD: each NEW feature whose richest tier is not available right after
/// the upgrade, the tier it falls to and what it waits for.
fn degraded(nm: &Manifest, purposes: &[PurposeDiff], policy_lapses: bool) -> Vec<DegradedFeature> {
    // Still valid: an opt-in purpose that existed in OLD and did not lapse; a covered purpose. Nothing while the
    // policy agreement has lapsed: until the user agrees again every purpose is denied (docs/rules.md §1), so every
    // feature falls to its browse tier.
    let valid: BTreeSet<&str> = purposes
        .iter()
        .filter(|_| !policy_lapses)
        .filter(|p| if p.needs_opt_in { p.status == Status::Unchanged } else { p.status != Status::Removed })
        .map(|p| p.id.as_str())
        .collect();
    let ok = |r: &String| valid.contains(r.as_str());
    nm.features
        .iter()
        .filter_map(|f| {
            let richest = f.tiers.first()?;
            let to = f.tiers.iter().position(|t| t.requires.iter().all(ok));
            if to == Some(0) {
                return None;
            }
            let mut waiting_for: Vec<String> = Vec::new();
            for r in richest.requires.iter().filter(|r| !ok(r)) {
                if !waiting_for.contains(r) {
                    waiting_for.push(r.clone());
                }
            }
            Some(DegradedFeature {
                feature: f.id.clone(),
                from_tier: 0,
                from_tier_id: richest.id.clone(),
                to_tier: to,
                to_tier_id: to.map(|t| f.tiers[t].id.clone()),
                waiting_for,
            })
        })
        .collect()
}

impl AgreementReason {
    fn text(&self) -> String {
        match self {
            AgreementReason::VersionChanged { old, new } => format!("version {old} -> {new}"),
            AgreementReason::Added { version } => {
                format!("declared in NEW (version {version}): guardians never agreed to it")
            }
            AgreementReason::Removed => "no longer declared in NEW (nothing to agree to)".into(),
            AgreementReason::PurposeAdded { purpose } => {
                format!("covers {purpose} now (added, or no longer needs its own opt-in)")
            }
            AgreementReason::PurposeRemoved { purpose } => {
                format!("no longer covers {purpose} (removed, or it needs its own opt-in now)")
            }
            AgreementReason::PurposeChanged { purpose, changes } => {
                let mut s = format!("covered purpose {purpose} changed");
                push_changes(&mut s, changes, "        ");
                s
            }
            AgreementReason::OrderChanged => "the covered purposes are listed in another order".into(),
        }
    }
}

fn push_changes(s: &mut String, changes: &[Change], indent: &str) {
    for c in changes {
        s.push_str(&format!("\n{indent}{}: {} -> {}", c.field, c.old, c.new));
    }
}

fn agreement_text(out: &mut String, title: &str, a: &AgreementDiff, version: Option<&str>, denied: &str) {
    let state = match version {
        None if a.reasons.is_empty() => "not declared".to_string(),
        _ if a.lapses => "LAPSES".to_string(),
        Some(v) => format!("holds (version {v})"),
        None => "holds".to_string(),
    };
    out.push_str(&format!("\n{title}: {state}\n"));
    for r in &a.reasons {
        out.push_str(&format!("    {}\n", r.text()));
    }
    if a.lapses && !a.covers.is_empty() {
        out.push_str(&format!("    {denied}: {}\n", a.covers.join(", ")));
    }
}

impl Diff {
    fn text(&self, old: &Path, new: &Path, nm: &Manifest) -> String {
        let mut out =
            format!("consentkit diff: {} -> {} ({})\n\npurposes\n", old.display(), new.display(), nm.app.name);
        let width = self.purposes.iter().map(|p| p.id.len()).max().unwrap_or(0);
        for p in &self.purposes {
            let status = match p.status {
                Status::Unchanged => "unchanged",
                Status::Lapses => "LAPSES",
                Status::Added => "added",
                Status::Removed => "removed",
            };
            let basis = if p.needs_opt_in { "opt-in" } else { "covered by the policy" };
            out.push_str(&format!("  {:width$}  {status} ({basis})\n", p.id));
            let mut s = String::new();
            push_changes(&mut s, &p.changes, "      ");
            if !s.is_empty() {
                out.push_str(&s[1..]);
                out.push('\n');
            }
            for r in &p.reasons {
                out.push_str(&format!("      {r}\n"));
            }
        }
        let denied = "denied until users agree again";
        agreement_text(&mut out, "policy agreement", &self.policy, Some(&nm.policy.version), denied);
        let (children, version) = (&self.children_rules, nm.children_rules.as_ref().map(|c| c.version.as_str()));
        let denied = "denied to under-14 users until a guardian agrees again";
        agreement_text(&mut out, "children's rules (guardian agreement)", children, version, denied);
        if !self.prompts.is_empty() {
            out.push_str("\nprompts users will see\n");
            for p in &self.prompts {
                let what = match (&p.purpose, p.kind) {
                    (Some(id), _) => format!(" for {id}"),
                    (None, "guardian_consent") => " for the children's rules".to_string(),
                    (None, _) => " for the privacy policy".to_string(),
                };
                let when = if p.when == "app_start" {
                    "at app start".to_string()
                } else {
                    opening(&p.features)[1..].to_string()
                };
                out.push_str(&format!("  {}{what}: {when}, {}\n", p.kind, p.who));
            }
        }
        if !self.degraded_features.is_empty() {
            out.push_str("\nfeatures that degrade until users answer (for a user who granted everything before)\n");
            if self.policy.lapses {
                out.push_str(
                    "  (the policy agreement lapses: every feature stays on its browse tier until users agree again;\n   \
                     opt-in grants whose terms did not change hold again after that)\n",
                );
            }
            for f in &self.degraded_features {
                let to = match (&f.to_tier_id, f.to_tier) {
                    (Some(id), Some(t)) => format!("{id} (tier {t})"),
                    _ => "no tier at all".to_string(),
                };
                out.push_str(&format!(
                    "  {}: {} (tier 0) -> {to}, waiting for {}\n",
                    f.feature,
                    f.from_tier_id,
                    f.waiting_for.join(", ")
                ));
            }
        }
        let lapsed: Vec<&str> =
            self.purposes.iter().filter(|p| p.status == Status::Lapses).map(|p| p.id.as_str()).collect();
        if self.lapses {
            let mut what = Vec::new();
            if !lapsed.is_empty() {
                what.push(format!("purpose {}", lapsed.join(", ")));
            }
            if self.policy.lapses {
                what.push("the policy agreement".into());
            }
            if self.children_rules.lapses {
                what.push("the guardian agreement to the children's rules".into());
            }
            out.push_str(&format!("\nresult: lapses when NEW ships: {} (exit 1)\n", what.join("; ")));
        } else {
            out.push_str("\nresult: nothing lapses (exit 0)\n");
        }
        out
    }
}
