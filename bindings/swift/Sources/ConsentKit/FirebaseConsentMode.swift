// Google Consent Mode v2 for Firebase Analytics on iOS, compiled only where the FirebaseAnalytics module is
// importable (an app target or package that depends on Firebase); elsewhere, pass
// ``FrameworkSignals/firebaseConsent`` to Firebase yourself. Not built on the Linux host (no Firebase there).
#if canImport(FirebaseAnalytics)
import FirebaseAnalytics

extension FrameworkSignals {
    /// Calls `Analytics.setConsent` with the four Consent Mode v2 signals of this state.
    public func applyToFirebase() {
        func status(_ signal: String) -> ConsentStatus { consentMode[signal] == true ? .granted : .denied }
        Analytics.setConsent([
            .analyticsStorage: status("analytics_storage"),
            .adStorage: status("ad_storage"),
            .adUserData: status("ad_user_data"),
            .adPersonalization: status("ad_personalization"),
        ])
    }
}
#endif
