//! What an app declares in Apple's privacy manifest, derived from its ConsentKit manifest: every collected data type
//! with its Apple category, whether it is linked to the user and used for tracking, and the Apple purposes it serves;
//! whether the app tracks, and the domains it tracks through.

use std::collections::{BTreeMap, BTreeSet};

use crate::manifest::Manifest;
use crate::rules::{AccessedApi, StoreDeclarations};

/// One `NSPrivacyCollectedDataTypes` entry (names without Apple's prefixes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedType {
    /// Apple category, e.g. `PhoneNumber`.
    pub apple: String,
    /// `NSPrivacyCollectedDataTypeLinked`.
    pub linked: bool,
    /// `NSPrivacyCollectedDataTypeTracking`.
    pub tracking: bool,
    /// Apple purposes, e.g. `AppFunctionality`, sorted.
    pub purposes: Vec<String>,
}

/// A privacy manifest's content, independent of its encoding (names without Apple's prefixes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppleDeclaration {
    /// `NSPrivacyTracking`.
    pub tracking: bool,
    /// `NSPrivacyTrackingDomains`, sorted.
    pub tracking_domains: Vec<String>,
    /// `NSPrivacyCollectedDataTypes`, in the order of Apple's category list.
    pub collected: Vec<CollectedType>,
    /// `NSPrivacyAccessedAPITypes` (an app's export leaves these to the app: ConsentKit does not know its API use).
    pub accessed_apis: Vec<AccessedApi>,
}

/// Why an export cannot declare a manifest's data: the data types with no Apple category (lint CK028).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped(pub Vec<String>);

impl AppleDeclaration {
    /// The declaration of `m`: each Apple category its purposes collect once, linked if any of its data types is
    /// linked, tracking if any tracking purpose collects it, with the union of the purposes' Apple purposes.
    pub fn of(m: &Manifest, table: &StoreDeclarations) -> Result<AppleDeclaration, Unmapped> {
        let mut by_category: BTreeMap<String, CollectedType> = BTreeMap::new();
        let mut unmapped = BTreeSet::new();
        for p in &m.purposes {
            let kind = StoreDeclarations::purpose_kind(p);
            let apple_purpose = table.purpose_mapping(kind).map(|k| k.apple.clone()).unwrap_or_else(|| "Other".into());
            for d in &p.data_types {
                let Some(apple) = table.apple_data_type(m, d) else {
                    unmapped.insert(d.clone());
                    continue;
                };
                let entry = by_category.entry(apple.clone()).or_insert_with(|| CollectedType {
                    apple,
                    linked: false,
                    tracking: false,
                    purposes: Vec::new(),
                });
                entry.linked |= table.linked(m, d);
                entry.tracking |= p.tracking;
                if !entry.purposes.contains(&apple_purpose) {
                    entry.purposes.push(apple_purpose.clone());
                }
            }
        }
        if !unmapped.is_empty() {
            return Err(Unmapped(unmapped.into_iter().collect()));
        }
        let order: Vec<&String> = table.apple_data_types.iter().flat_map(|g| g.types.iter()).collect();
        let mut collected: Vec<CollectedType> = by_category.into_values().collect();
        collected.sort_by_key(|c| order.iter().position(|o| **o == c.apple).unwrap_or(usize::MAX));
        collected.iter_mut().for_each(|c| c.purposes.sort());
        let tracking_domains: BTreeSet<String> = m
            .purposes
            .iter()
            .filter(|p| p.tracking)
            .flat_map(|p| p.recipients.iter())
            .filter_map(|r| m.third_parties.iter().find(|t| &t.id == r))
            .flat_map(|t| t.tracking_domains.iter().map(|d| d.trim().to_ascii_lowercase()))
            .filter(|d| !d.is_empty())
            .collect();
        Ok(AppleDeclaration {
            tracking: m.purposes.iter().any(|p| p.tracking),
            tracking_domains: tracking_domains.into_iter().collect(),
            collected,
            accessed_apis: Vec::new(),
        })
    }

    /// What the ConsentKit iOS package itself declares (the table's `consentkit_sdk` entry).
    pub fn consentkit_sdk(table: &StoreDeclarations) -> AppleDeclaration {
        let own = &table.consentkit_sdk;
        AppleDeclaration {
            tracking: own.tracking,
            tracking_domains: own.tracking_domains.clone(),
            collected: own
                .collected
                .iter()
                .map(|c| CollectedType { apple: c.clone(), linked: false, tracking: false, purposes: Vec::new() })
                .collect(),
            accessed_apis: own.accessed_apis.clone(),
        }
    }
}
