package dev.consentkit.android

import android.content.Context
import dev.consentkit.ConsentKit
import dev.consentkit.FirebaseConsentMode
import dev.consentkit.FrameworkJurisdiction
import dev.consentkit.frameworkSignals

/**
 * Google Consent Mode v2 for Firebase Analytics without a compile-time dependency: finds
 * `FirebaseAnalytics.getInstance(context)` by reflection and passes it the current signals. Call it after every
 * consent change (e.g. from the same collector that runs an IabPreferencesWriter).
 */
object FirebaseConsent {
    /** Sends the current Consent Mode map to Firebase; false when Firebase Analytics is not in the app. */
    @JvmStatic
    @JvmOverloads
    fun update(context: Context, kit: ConsentKit, jurisdiction: FrameworkJurisdiction? = null): Boolean {
        val analytics = try {
            Class.forName("com.google.firebase.analytics.FirebaseAnalytics")
                .getMethod("getInstance", Context::class.java)
                .invoke(null, context.applicationContext ?: context)
        } catch (e: ReflectiveOperationException) {
            return false
        } ?: return false
        return FirebaseConsentMode.apply(analytics, kit.frameworkSignals(jurisdiction))
    }
}
