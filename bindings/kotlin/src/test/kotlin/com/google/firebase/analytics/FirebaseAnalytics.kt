package com.google.firebase.analytics

/**
 * Test double of Firebase Analytics' consent API, with the same class and member names, so the reflection in
 * dev.consentkit.FirebaseConsentMode is exercised on the JVM without the Firebase SDK. It records what it is given.
 */
class FirebaseAnalytics {
    enum class ConsentType { AD_STORAGE, ANALYTICS_STORAGE, AD_USER_DATA, AD_PERSONALIZATION }
    enum class ConsentStatus { GRANTED, DENIED }

    val received = mutableListOf<Map<ConsentType, ConsentStatus>>()

    fun setConsent(consentSettings: Map<ConsentType, ConsentStatus>) {
        received += consentSettings
    }
}
