//! Rule packs: versioned regulatory facts as data, embedded in the binary and parsed once.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

/// A data type of the rule pack vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VocabularyType {
    /// What it is.
    pub description: String,
    /// Sensitive personal information: needs separate consent.
    pub sensitive: bool,
    /// Why it is sensitive, with the confidence mark of the source (C = confirmed, M = unconfirmed memory).
    #[serde(default)]
    pub sensitive_basis: Option<String>,
}

/// One app category of the 2021 necessary-PI provisions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    /// Category id used in `app.category`.
    pub id: String,
    /// Number in the provisions (1..39).
    pub no: u32,
    /// Official Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The basic function service, in English.
    pub basic_function: String,
    /// The basic function service, in Chinese.
    pub basic_function_zh: String,
    /// Data types that may be treated as necessary for the basic function.
    pub necessary: Vec<String>,
    /// The basic function needs no personal information at all.
    pub no_pi_needed: bool,
    /// How well this entry was verified against the official text: app teams double-check "unconfirmed" ones.
    pub verification: String,
}

/// The app filing (备案) rules of a pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilingRules {
    /// Apps whose `app.region` is this must carry a filing number.
    pub required_for_region: String,
    /// Accepted one-character province abbreviations.
    pub provinces: String,
    /// The format as a regular expression, for documentation and other tools.
    pub pattern: String,
    /// Fewest digits in the operator's filing number.
    pub min_digits: usize,
    /// Most digits in the operator's filing number.
    pub max_digits: usize,
    /// The app suffix after the serial number.
    pub suffix: String,
    /// The public filing system where users check a number.
    pub url: String,
    /// Confidence in this rule.
    pub verification: String,
}

impl FilingRules {
    /// Whether `number` has the form `<province>ICP备<digits>号-<serial><suffix>`.
    pub fn matches(&self, number: &str) -> bool {
        let mut chars = number.chars();
        let Some(province) = chars.next() else { return false };
        if !self.provinces.contains(province) {
            return false;
        }
        let Some(rest) = chars.as_str().strip_prefix("ICP备") else { return false };
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits < self.min_digits || digits > self.max_digits {
            return false;
        }
        let Some(rest) = rest[digits..].strip_prefix("号-") else { return false };
        let Some(serial) = rest.strip_suffix(self.suffix.as_str()) else { return false };
        !serial.is_empty() && serial.chars().all(|c| c.is_ascii_digit())
    }
}

/// Why a purpose needs its own consent, asked on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeparateConsentTrigger {
    /// It touches a sensitive data type.
    Sensitive,
    /// It gives data to a third party.
    ThirdParty,
    /// It stores data outside the app's home region.
    CrossBorder,
    /// It tracks the user across apps.
    Tracking,
}

/// A versioned set of regulatory facts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RulePack {
    /// Pack id used in `rule_pack`.
    pub id: String,
    /// Version of the facts (semver).
    pub version: String,
    /// What the pack implements.
    pub title: String,
    /// The jurisdiction the pack is written for, if any (ISO 3166-1 alpha-2). An app whose `app.region` is the home
    /// region of some pack must use such a pack (lint CK025): this field, not the pack id, says which packs those are.
    pub home_region: Option<String>,
    /// Users younger than this need a guardian's consent.
    pub guardian_age: Option<u8>,
    /// After a refusal, the purpose is not proposed again for this many hours.
    pub reprompt_cooldown_hours: u32,
    /// Confidence in the cooldown rule.
    pub reprompt_cooldown_verification: String,
    /// What makes a purpose need separate consent.
    pub separate_consent_triggers: Vec<SeparateConsentTrigger>,
    /// App filing rules, if the jurisdiction has them.
    pub filing: Option<FilingRules>,
    /// Vocabulary of data types.
    pub data_types: BTreeMap<String, VocabularyType>,
    /// App categories and their necessary personal information.
    pub categories: Vec<Category>,
}

static CN_2021: Lazy<Option<RulePack>> = Lazy::new(|| parse_pack(include_str!("packs/cn-2021.json")));
static NONE: Lazy<Option<RulePack>> = Lazy::new(|| parse_pack(include_str!("packs/none.json")));

fn parse_pack(text: &str) -> Option<RulePack> {
    match serde_json::from_str(text) {
        Ok(pack) => Some(pack),
        Err(e) => {
            // Only reachable if a maintainer checks in a broken pack; the pack tests catch that first.
            log::error!("embedded rule pack does not parse: {e}");
            None
        }
    }
}

impl RulePack {
    /// The ids of every embedded pack.
    pub const IDS: [&'static str; 2] = ["cn-2021", "none"];

    /// The embedded pack with this id (parsed on first use).
    pub fn get(id: &str) -> Option<&'static RulePack> {
        match id {
            "cn-2021" => CN_2021.as_ref(),
            "none" => NONE.as_ref(),
            _ => None,
        }
    }

    /// Every embedded pack written for `region` (its `home_region`), in [`RulePack::IDS`] order.
    pub fn for_region(region: &str) -> impl Iterator<Item = &'static RulePack> + '_ {
        Self::IDS.iter().filter_map(|id| Self::get(id)).filter(move |p| p.home_region.as_deref() == Some(region))
    }

    /// The category with this id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// Reprompt cooldown in milliseconds.
    pub fn cooldown_ms(&self) -> i64 {
        i64::from(self.reprompt_cooldown_hours) * 3_600_000
    }

    /// Whether the pack treats this trigger as needing separate consent.
    pub fn triggers(&self, t: SeparateConsentTrigger) -> bool {
        self.separate_consent_triggers.contains(&t)
    }
}
