//! Google Consent Mode v2: four signals, each `granted` or `denied`, that Firebase Analytics / Google Analytics and
//! Google's ad SDKs read (`setConsent`). A signal is granted only when every app purpose that drives it is allowed
//! right now; a signal no purpose drives is denied (fail closed: an unmapped signal never reads as consent).

use std::collections::BTreeMap;

/// The Consent Mode v2 signals, by the names Firebase and gtag use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConsentSignal {
    /// `analytics_storage`: storage (and identifiers) for analytics.
    AnalyticsStorage,
    /// `ad_storage`: storage (and identifiers) for advertising.
    AdStorage,
    /// `ad_user_data`: sending user data to Google for advertising.
    AdUserData,
    /// `ad_personalization`: personalised advertising (remarketing).
    AdPersonalization,
}

impl ConsentSignal {
    /// All four, in a fixed order.
    pub const ALL: [ConsentSignal; 4] = [Self::AnalyticsStorage, Self::AdStorage, Self::AdUserData, Self::AdPersonalization];

    /// The wire name (`analytics_storage`, ...), as Firebase's `ConsentType` and gtag spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::AnalyticsStorage => "analytics_storage",
            Self::AdStorage => "ad_storage",
            Self::AdUserData => "ad_user_data",
            Self::AdPersonalization => "ad_personalization",
        }
    }

    /// The signal with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// True for the three advertising signals (a tracking purpose must drive at least one of them).
    pub fn is_ad_signal(self) -> bool {
        !matches!(self, Self::AnalyticsStorage)
    }
}

/// The Consent Mode map: every signal with `true` = granted, `false` = denied.
pub type ConsentModeMap = BTreeMap<ConsentSignal, bool>;

/// Computes the map: a signal is granted iff `drivers` lists at least one purpose for it and `allowed` says yes for
/// every one of them.
pub fn consent_mode<'a>(
    drivers: impl Fn(ConsentSignal) -> &'a [String],
    allowed: impl Fn(&str) -> bool,
) -> ConsentModeMap {
    ConsentSignal::ALL
        .into_iter()
        .map(|s| {
            let purposes = drivers(s);
            (s, !purposes.is_empty() && purposes.iter().all(|p| allowed(p)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_only_when_every_driver_is_allowed_and_denies_unmapped_signals() {
        let ads = vec!["ads".to_string(), "ad_measure".to_string()];
        let analytics = vec!["analytics".to_string()];
        let none: Vec<String> = vec![];
        let drivers = |s: ConsentSignal| -> &[String] {
            match s {
                ConsentSignal::AnalyticsStorage => &analytics,
                ConsentSignal::AdStorage | ConsentSignal::AdUserData => &ads,
                ConsentSignal::AdPersonalization => &none,
            }
        };
        let m = consent_mode(drivers, |p| p == "analytics" || p == "ads");
        assert!(m[&ConsentSignal::AnalyticsStorage]);
        assert!(!m[&ConsentSignal::AdStorage], "ad_measure is not allowed");
        assert!(!m[&ConsentSignal::AdPersonalization], "no purpose drives it");
        let m = consent_mode(drivers, |_| true);
        assert_eq!(m.values().filter(|&&g| g).count(), 3);
        assert_eq!(ConsentSignal::from_name("ad_user_data"), Some(ConsentSignal::AdUserData));
    }
}
