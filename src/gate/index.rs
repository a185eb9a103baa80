//! The manifest compiled for the hot path: every id interned to a small integer (its handle), per-purpose facts
//! precomputed. Built once when the manifest loads; never changes afterwards.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use crate::error::{clip, CoreError, CoreResult};
use crate::manifest::{Basis, Manifest};
use crate::valid::ValidManifest;

use super::manifest_id::ManifestId;
use crate::rules::{
    separate_consent_triggers, ManifestHashes, RulePack,
    SeparateConsentTrigger,
};

/// What kind of id a handle stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A purpose.
    Purpose,
    /// A data type.
    DataType,
    /// A feature.
    Feature,
    /// A third party.
    ThirdParty,
}

impl IdKind {
    /// Name used in errors.
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Purpose => "purpose",
            IdKind::DataType => "data_type",
            IdKind::Feature => "feature",
            IdKind::ThirdParty => "third_party",
        }
    }
}

/// A frequency limit, compiled.
#[derive(Debug, Clone)]
pub struct Limit {
    /// Data type handle.
    pub data_type: u32,
    /// Max collections per window.
    pub max: u32,
    /// Window, ms.
    pub window_ms: i64,
}

/// One purpose, compiled.
#[derive(Debug, Clone)]
pub struct PurposeInfo {
    /// Id.
    pub id: ManifestId,
    /// Why it needs separate consent (empty: it does not).
    pub separate: Vec<SeparateConsentTrigger>,
    /// Needs an explicit grant (consent basis or separate consent), even for adults.
    pub needs_opt_in: bool,
    /// Definition hash the consent is bound to.
    pub definition_hash: String,
    /// Data type handles it collects.
    pub data_types: Vec<u32>,
    /// Third-party handles it shares with.
    pub recipients: Vec<u32>,
    /// Frequency limits.
    pub limits: Vec<Limit>,
    /// A `tracking` purpose: it needs the tracking permission (ATT on iOS) as well as consent.
    pub tracking: bool,
}

/// The OS permission guarding a data type, compiled from the platform table ([`crate::rules::PlatformTable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OsGuard {
    /// Permission handle (position in the platform table).
    pub permission: u16,
    /// A limited grant is enough.
    pub accepts_limited: bool,
}

/// One tier, compiled.
#[derive(Debug, Clone)]
pub struct TierInfo {
    /// Id.
    pub id: ManifestId,
    /// Required purpose handles.
    pub requires: Vec<u32>,
}

/// One feature, compiled.
#[derive(Debug, Clone)]
pub struct FeatureInfo {
    /// Id.
    pub id: ManifestId,
    /// Tiers, richest first.
    pub tiers: Vec<TierInfo>,
}

/// The compiled manifest.
#[derive(Debug)]
pub struct Index {
    /// The manifest itself (for texts).
    pub manifest: Manifest,
    /// Its rule pack.
    pub pack: &'static RulePack,
    /// Purposes by handle.
    pub purposes: Vec<PurposeInfo>,
    /// Data type ids by handle: vocabulary and declared types, sorted.
    pub data_types: Vec<String>,
    /// Features by handle.
    pub features: Vec<FeatureInfo>,
    /// Third-party ids by handle.
    pub third_parties: Vec<String>,
    /// What a policy agreement covers ([`policy_coverage_hash`]): an agreement recorded with another value lapsed.
    pub policy_coverage: String,
    /// What a guardian's agreement to the children's rules covers (`None`: the manifest declares none).
    pub children_rules_coverage: Option<String>,
    /// The OS permission guarding each data type (by handle), if any.
    pub guards: Vec<Option<OsGuard>>,
    /// The tracking permission's handle (`None` only if the platform table were empty).
    pub tracking_permission: Option<u16>,
    /// Number of permissions in the platform table.
    pub permission_count: usize,
    /// Purposes (handles) whose recipients include each third party (by handle): a transfer to it, or its
    /// initialisation, is for these purposes.
    pub served_by: Vec<Vec<u32>>,
    ids: [IdMap; 4],
}

/// Id -> handle. FxHash: the keys are the app's own manifest ids (no untrusted input to flood), and SipHash's
/// per-lookup cost was most of the string `decide`.
type IdMap = HashMap<String, u32, FxBuildHasher>;

impl Index {
    /// Compiles a validated manifest.
    pub fn build(valid: ValidManifest) -> Self {
        let ValidManifest { manifest: m, pack, .. } = valid;
        let mut ids: [IdMap; 4] = Default::default();
        let mut data_types: Vec<String> = pack.data_types.keys().chain(m.data_types.keys()).cloned().collect();
        data_types.sort();
        data_types.dedup();
        for (i, d) in data_types.iter().enumerate() {
            ids[IdKind::DataType as usize].insert(d.clone(), i as u32);
        }
        let third_parties: Vec<String> = m.third_parties.iter().map(|t| t.id.clone()).collect();
        for (i, t) in third_parties.iter().enumerate() {
            ids[IdKind::ThirdParty as usize].insert(t.clone(), i as u32);
        }
        for (i, p) in m.purposes.iter().enumerate() {
            ids[IdKind::Purpose as usize].insert(p.id.clone(), i as u32);
        }
        for (i, f) in m.features.iter().enumerate() {
            ids[IdKind::Feature as usize].insert(f.id.clone(), i as u32);
        }
        let h = |kind: IdKind, id: &String| ids[kind as usize].get(id).copied().unwrap_or(u32::MAX);
        // The consent terms of each purpose are made once for all the hashes (open is latency-bound).
        let hashes = ManifestHashes::of(&m, pack);
        let purposes: Vec<PurposeInfo> = m
            .purposes
            .iter()
            .zip(hashes.definitions)
            .map(|(p, definition_hash)| {
                let separate = separate_consent_triggers(&m, pack, p);
                PurposeInfo {
                    id: ManifestId::new(&p.id),
                    tracking: p.tracking,
                    needs_opt_in: p.basis == Basis::Consent || !separate.is_empty(),
                    separate,
                    definition_hash,
                    data_types: p.data_types.iter().map(|d| h(IdKind::DataType, d)).collect(),
                    recipients: p.recipients.iter().map(|r| h(IdKind::ThirdParty, r)).collect(),
                    limits: p
                        .frequency
                        .iter()
                        .map(|f| Limit {
                            data_type: h(IdKind::DataType, &f.data_type),
                            max: f.max,
                            window_ms: i64::from(f.per_seconds) * 1000,
                        })
                        .collect(),
                }
            })
            .collect();
        let features = m
            .features
            .iter()
            .map(|f| FeatureInfo {
                id: ManifestId::new(&f.id),
                tiers: f
                    .tiers
                    .iter()
                    .map(|t| TierInfo { id: ManifestId::new(&t.id), requires: t.requires.iter().map(|r| h(IdKind::Purpose, r)).collect() })
                    .collect(),
            })
            .collect();
        let (policy_coverage, children_rules_coverage) = (hashes.policy_coverage, hashes.children_rules_coverage);
        let mut served_by = vec![Vec::new(); third_parties.len()];
        for (p, info) in purposes.iter().enumerate() {
            for &r in &info.recipients {
                if let Some(list) = served_by.get_mut(r as usize) {
                    list.push(p as u32);
                }
            }
        }
        let table = crate::rules::PlatformTable::get();
        let guards = data_types
            .iter()
            .map(|d| {
                let g = table.guard(d)?;
                Some(OsGuard { permission: table.handle(&g.permission)?, accepts_limited: g.accepts_limited })
            })
            .collect();
        Index {
            guards,
            tracking_permission: table.handle(&table.tracking_permission),
            permission_count: table.permissions.len(),
            manifest: m,
            pack,
            purposes,
            data_types,
            features,
            third_parties,
            policy_coverage,
            children_rules_coverage,
            served_by,
            ids,
        }
    }

    /// The handle of an id, or a typed error naming the unknown id.
    pub fn handle(&self, kind: IdKind, id: &str) -> CoreResult<u32> {
        self.ids[kind as usize].get(id).copied().ok_or_else(|| CoreError::UnknownId { kind: kind.name(), id: clip(id) })
    }

    /// Number of handles of a kind.
    pub fn count(&self, kind: IdKind) -> usize {
        match kind {
            IdKind::Purpose => self.purposes.len(),
            IdKind::DataType => self.data_types.len(),
            IdKind::Feature => self.features.len(),
            IdKind::ThirdParty => self.third_parties.len(),
        }
    }

    /// The manifest purpose behind a handle.
    pub fn purpose_decl(&self, p: u32) -> &crate::manifest::Purpose {
        &self.manifest.purposes[p as usize]
    }
}
