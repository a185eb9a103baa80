//! The immutable decision snapshot the hot path reads: every (purpose, data type) decision and every feature's
//! resolved tier, computed once per state change. Swapped atomically after each durable write.

use super::index::Index;
use super::manifest_id::ManifestIds;
use super::os::{OsNext, OsPermissions, PermissionState};
use crate::store::{AgeBracket, ConsentState, PurposeChoice};

/// Why a decision is what it is. The numeric values are part of the FFI contract (scalar codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reason {
    /// Allowed.
    Allowed = 0,
    /// The privacy policy (current version) is not agreed.
    PolicyNotAgreed = 1,
    /// Needs an opt-in the user has not given.
    NotGranted = 2,
    /// The user refused.
    Refused = 3,
    /// The user withdrew.
    Withdrawn = 4,
    /// The purpose changed since the user agreed: consent lapsed.
    Lapsed = 5,
    /// The user is under the guardian age and no guardian consented.
    GuardianRequired = 6,
    /// The purpose does not declare this data type.
    NotDeclared = 7,
    /// The frequency limit is reached (collect only).
    FrequencyLimited = 8,
    /// The recipient is not declared for this purpose (collect only).
    RecipientNotDeclared = 9,
    /// Consent allows it, but the operating system's permission for the data type is not granted (or only in its
    /// limited form, which this data type does not accept).
    OsPermissionDenied = 10,
    /// A tracking purpose (or the advertising id) without the tracking authorisation: App Tracking Transparency on
    /// iOS, the advertising-id permission and ads-personalisation setting on Android.
    TrackingNotAuthorized = 11,
}

impl Reason {
    /// From the scalar code.
    pub fn from_code(code: u8) -> Option<Reason> {
        use Reason::*;
        Some(match code {
            0 => Allowed,
            1 => PolicyNotAgreed,
            2 => NotGranted,
            3 => Refused,
            4 => Withdrawn,
            5 => Lapsed,
            6 => GuardianRequired,
            7 => NotDeclared,
            8 => FrequencyLimited,
            9 => RecipientNotDeclared,
            10 => OsPermissionDenied,
            11 => TrackingNotAuthorized,
            _ => return None,
        })
    }
}

/// Whether the pack's guardian rules apply to a user of this age bracket: under 14, under a pack with a guardian
/// age. The one definition the decisions, the prompts and the write path share.
pub fn guardian_rules_apply(index: &Index, age: AgeBracket) -> bool {
    age == AgeBracket::Under14 && index.pack.guardian_age.is_some()
}

/// Whether the state's policy agreement holds under the manifest: this policy version and these necessary
/// purposes (the coverage hash), agreed by the right person (a child's guardian). The one definition the decisions
/// and the write path (grants before agreement) share.
pub fn policy_holds(index: &Index, state: &ConsentState) -> bool {
    let guardian_only = guardian_rules_apply(index, state.age);
    match &state.policy_agreed {
        Some((v, actor)) => {
            v == &index.manifest.policy.version
                && state.policy_coverage == index.policy_coverage
                && (!guardian_only || actor == "guardian")
        }
        None => false,
    }
}

/// Folds the OS layer into one purpose's decisions: writes the row of decision codes for its data types and returns
/// the purpose's decision and the permission blocking it. Precedence (docs/rules.md): a refused tracking
/// authorisation first, whatever the ledger says; then the consent reasons; then the tracking authorisation not
/// (yet) given; then each data type's OS permission. A guarded data type whose permission was never reported is
/// denied once the app enabled the permission layer, and the advertising id always needs the tracking permission.
fn fold_os(index: &Index, os: &OsPermissions, p: &super::index::PurposeInfo, consent: Reason, row: &mut [u8]) -> (Reason, Option<u16>) {
    let tracking = index.tracking_permission;
    let att_refused = p.tracking && tracking.is_some_and(|t| os.refused(t));
    let att_missing = p.tracking && tracking.is_some_and(|t| !os.lets(t, false, !os.enabled));
    let mut purpose = match () {
        _ if att_refused => Reason::TrackingNotAuthorized,
        _ if consent != Reason::Allowed => consent,
        _ if att_missing => Reason::TrackingNotAuthorized,
        _ => Reason::Allowed,
    };
    let mut blocker = (att_refused || att_missing).then_some(tracking).flatten();
    for &d in &p.data_types {
        let cell = match index.guards[d as usize] {
            _ if purpose != Reason::Allowed => purpose,
            Some(g) if Some(g.permission) == tracking && !os.lets(g.permission, false, false) => {
                blocker.get_or_insert(g.permission);
                Reason::TrackingNotAuthorized
            }
            Some(g) if !os.lets(g.permission, g.accepts_limited, !os.enabled) => {
                blocker.get_or_insert(g.permission);
                Reason::OsPermissionDenied
            }
            _ => Reason::Allowed,
        };
        row[d as usize] = cell as u8;
    }
    if purpose == Reason::Allowed {
        if let Some(first) = p.data_types.iter().map(|&d| row[d as usize]).find(|&c| c != Reason::Allowed as u8) {
            purpose = Reason::from_code(first).unwrap_or(Reason::OsPermissionDenied);
        }
    }
    // A blocker only matters to the planner while consent allows the purpose (or the tracking answer is a no).
    if consent != Reason::Allowed && !att_refused {
        blocker = None;
    }
    (purpose, blocker)
}

/// A feature's resolution in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Index of the richest allowed tier; `None` when even the basic tier is not available (before policy
    /// agreement, for a feature without a browse tier).
    pub tier: Option<u16>,
    /// Purposes missing for the next richer tier (empty at the richest tier).
    pub missing: Vec<u32>,
    /// Their ids, built once per snapshot so that a `resolve` answer shares them instead of copying strings.
    pub missing_ids: ManifestIds,
}

/// The decision snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Increases with every state change (the mirror's version).
    pub version: u64,
    /// Current policy version agreed.
    pub policy_agreed: bool,
    /// The user once agreed to a policy (which may no longer hold): the policy prompt is then a re-consent.
    pub had_agreement: bool,
    /// Age bracket.
    pub age: AgeBracket,
    /// The pack's guardian rules apply ([`guardian_rules_apply`]): only the guardian's answers count.
    pub guardian_only: bool,
    /// Decision per purpose, both layers folded in: consent, then the OS permissions of its data types and, for a
    /// tracking purpose, the tracking authorisation. What tiers, transfers and SDK starts follow.
    pub purpose_reason: Vec<Reason>,
    /// Decision per purpose from consent alone (the ledger): what the prompt planner asks for first.
    pub consent_reason: Vec<Reason>,
    /// Per purpose: the OS permission that blocks it while consent allows it (or would, for a refused tracking
    /// authorisation, whatever consent says), by platform-table handle.
    pub blocked_by: Vec<Option<u16>>,
    /// The permission states the platform reported (memory only, never in the ledger).
    pub os: OsPermissions,
    /// Decision codes, purpose-major: `table[p * data_types + d]`.
    pub table: Vec<u8>,
    /// Number of data types (row width of `table`).
    pub width: usize,
    /// Resolution per feature.
    pub resolutions: Vec<Resolution>,
    /// Last refusal or withdrawal time per purpose (cooldown), never later than when it was first seen (see
    /// [`Snapshot::clamp_future`]).
    pub refused_at: Vec<Option<i64>>,
    /// When the policy was last declined (clamped the same way).
    pub policy_declined_at: Option<i64>,
    /// The stamps as recorded, before clamping: lets the next snapshot keep an earlier clamp.
    recorded: (Vec<Option<i64>>, Option<i64>),
    /// The user is a child, the app has children's rules, and the guardian has not agreed to their current version.
    pub children_rules_pending: bool,
}

impl Snapshot {
    /// Computes the snapshot for a state. Pure: same inputs, same snapshot. The rules, their sources and the
    /// precedence of the deny reasons are docs/rules.md; this is their one implementation.
    pub fn build(index: &Index, state: &ConsentState, os: &OsPermissions, version: u64) -> Snapshot {
        let guardian_only = guardian_rules_apply(index, state.age);
        let policy_agreed = policy_holds(index, state);
        // A child's necessary processing rides on the guardian's separate agreement to the children's rules.
        let children_rules_agreed = match (&index.children_rules_coverage, &state.children_rules) {
            (Some(coverage), Some(a)) => &a.coverage == coverage && a.actor == "guardian",
            _ => false,
        };
        let consent_reason: Vec<Reason> = index
            .purposes
            .iter()
            .map(|p| {
                if !policy_agreed {
                    return Reason::PolicyNotAgreed;
                }
                // A grant recorded before the policy was agreed counts only once confirmed after it.
                let record = state.purposes.get(p.id.as_str()).filter(|r| !(r.choice == PurposeChoice::Granted && r.before_policy));
                match record {
                    Some(r) if r.choice == PurposeChoice::Refused => Reason::Refused,
                    Some(r) if r.choice == PurposeChoice::Withdrawn => Reason::Withdrawn,
                    Some(r) if r.definition_hash != p.definition_hash && (p.needs_opt_in || guardian_only) => Reason::Lapsed,
                    Some(r) if guardian_only && r.actor != "guardian" && (p.needs_opt_in || !children_rules_agreed) => {
                        Reason::GuardianRequired
                    }
                    Some(_) => Reason::Allowed,
                    None if guardian_only && (p.needs_opt_in || !children_rules_agreed) => Reason::GuardianRequired,
                    None if p.needs_opt_in => Reason::NotGranted,
                    None => Reason::Allowed,
                }
            })
            .collect();
        let width = index.data_types.len();
        let mut table = vec![Reason::NotDeclared as u8; index.purposes.len() * width];
        let mut purpose_reason = Vec::with_capacity(index.purposes.len());
        let mut blocked_by = Vec::with_capacity(index.purposes.len());
        for (pi, p) in index.purposes.iter().enumerate() {
            let (reason, blocker) = fold_os(index, os, p, consent_reason[pi], &mut table[pi * width..(pi + 1) * width]);
            purpose_reason.push(reason);
            blocked_by.push(blocker);
        }
        let resolutions = index
            .features
            .iter()
            .map(|f| {
                let allowed = |t: &super::index::TierInfo| t.requires.iter().all(|&r| purpose_reason[r as usize] == Reason::Allowed);
                let tier = f.tiers.iter().position(allowed);
                let next_richer = match tier {
                    Some(0) => None,
                    Some(t) => Some(t - 1),
                    None => f.tiers.len().checked_sub(1),
                };
                let missing: Vec<u32> = next_richer
                    .map(|t| {
                        f.tiers[t].requires.iter().copied().filter(|&r| purpose_reason[r as usize] != Reason::Allowed).collect()
                    })
                    .unwrap_or_default();
                let missing_ids = missing.iter().map(|&p| index.purposes[p as usize].id.clone()).collect();
                Resolution { tier: tier.map(|t| t as u16), missing, missing_ids }
            })
            .collect();
        // A cooldown runs from the latest refusal or withdrawal, until a later grant ends it (it survives erasure).
        let refused_at: Vec<Option<i64>> = index
            .purposes
            .iter()
            .map(|p| {
                let granted_since = |at: i64| {
                    state.purposes.get(p.id.as_str()).is_some_and(|r| r.choice == PurposeChoice::Granted && r.at_ms >= at)
                };
                state.refusals.get(p.id.as_str()).copied().filter(|&at| !granted_since(at))
            })
            .collect();
        Snapshot {
            version,
            policy_agreed,
            had_agreement: state.policy_agreed.is_some(),
            age: state.age,
            guardian_only,
            purpose_reason,
            consent_reason,
            blocked_by,
            os: os.clone(),
            table,
            width,
            resolutions,
            recorded: (refused_at.clone(), state.policy_declined_at),
            refused_at,
            policy_declined_at: state.policy_declined_at,
            children_rules_pending: guardian_only && index.manifest.children_rules.is_some() && !children_rules_agreed,
        }
    }

    /// Clamps stamps that lie after `now_ms` (a clock that was ahead when they were written, before a restart or in
    /// another process) to `now_ms`, keeping the clamp of `prev` for a stamp it already saw: a cooldown then ends at
    /// most its nominal length after the stamp was first seen, and a corrected clock never stretches it further.
    pub fn clamp_future(&mut self, prev: Option<&Snapshot>, now_ms: i64) {
        let clamp = |recorded: Option<i64>, prev_recorded: Option<Option<i64>>, prev_clamped: Option<Option<i64>>| match recorded {
            Some(at) if prev_recorded == Some(recorded) => prev_clamped.flatten().or(Some(at)),
            Some(at) => Some(at.min(now_ms)),
            None => None,
        };
        for p in 0..self.refused_at.len() {
            let (pr, pc) = (prev.map(|s| s.recorded.0[p]), prev.map(|s| s.refused_at[p]));
            self.refused_at[p] = clamp(self.recorded.0[p], pr, pc);
        }
        self.policy_declined_at =
            clamp(self.recorded.1, prev.map(|s| s.recorded.1), prev.map(|s| s.policy_declined_at));
    }

    /// Decision code for a (purpose, data type) pair of valid handles.
    #[inline]
    pub fn code(&self, purpose: u32, data_type: u32) -> u8 {
        self.table[purpose as usize * self.width + data_type as usize]
    }

    /// Whether a purpose is allowed.
    #[inline]
    pub fn allowed(&self, purpose: u32) -> bool {
        self.purpose_reason[purpose as usize] == Reason::Allowed
    }

    /// Whether asking for `purpose` now respects the cooldown after a refusal or a withdrawal (a withdrawal is a
    /// refusal for the cooldown; only the user's own request from settings brings the purpose back sooner).
    pub fn may_ask(&self, purpose: u32, now_ms: i64, cooldown_ms: i64) -> bool {
        self.refused_at[purpose as usize].map_or(true, |at| now_ms - at >= cooldown_ms)
    }

    /// Whether asking now respects the cooldown for any purpose missing from the feature's next richer tier (or for
    /// the policy, before agreement). `now` is read only when a refusal or a declined policy makes the answer depend
    /// on time.
    pub fn can_ask(&self, feature: u32, cooldown_ms: i64, now: impl FnOnce() -> i64) -> bool {
        let mut now = Some(now);
        let mut read = None;
        let mut now = || *read.get_or_insert_with(|| now.take().map_or(0, |f| f()));
        if !self.policy_agreed {
            return self.policy_declined_at.is_none() || self.may_ask_policy(now(), cooldown_ms);
        }
        self.resolutions[feature as usize].missing.iter().any(|&p| {
            let pi = p as usize;
            match self.blocked_by[pi] {
                // Consent first; a refused tracking authorisation makes asking for the consent pointless.
                _ if self.consent_reason[pi] != Reason::Allowed => {
                    self.blocked_by[pi].is_none() && (self.refused_at[pi].is_none() || self.may_ask(p, now(), cooldown_ms))
                }
                Some(perm) => matches!(self.os_next(perm, now(), cooldown_ms), OsNext::Request | OsNext::OpenSettings),
                None => false,
            }
        })
    }

    /// What the app may do next about a permission blocking a purpose (the 48 h cooldown after a denial).
    pub fn os_next(&self, permission: u16, now_ms: i64, cooldown_ms: i64) -> OsNext {
        self.os.next(permission, now_ms, cooldown_ms)
    }

    /// Whether asking for policy agreement now respects the cooldown after a decline.
    pub fn may_ask_policy(&self, now_ms: i64, cooldown_ms: i64) -> bool {
        self.policy_declined_at.map_or(true, |at| now_ms - at >= cooldown_ms)
    }

    /// The earliest time a cooldown ends after `now_ms`, if any (when a time-based rule changes an answer).
    pub fn next_change_ms(&self, now_ms: i64, cooldown_ms: i64) -> Option<i64> {
        let os_denials = self.os.states.iter().flatten().filter(|r| r.state == PermissionState::Denied).map(|r| &r.since_ms);
        self.refused_at
            .iter()
            .flatten()
            .chain(self.policy_declined_at.iter())
            .chain(os_denials)
            .map(|at| at + cooldown_ms)
            .filter(|&t| t > now_ms)
            .min()
    }
}
