package dev.consentkit

import com.google.firebase.analytics.FirebaseAnalytics
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * The IAB key writer and the Firebase Consent Mode helper against a fake preference store and a stand-in
 * FirebaseAnalytics: keys appear with the policy agreement, follow every change, disappear on erasure, and the
 * store keeps keys that are not the IAB's.
 */
class IabPreferencesWriterTest {
    private fun open() = TestSupport.open("examples/ride_hailing_global.json")

    private fun iabKeys(store: InMemoryIabPreferenceStore) = store.keys().filter { it.startsWith("IABTCF_") || it.startsWith("IABGPP_") }.toSet()

    @Test
    fun `keys follow the agreement, every grant and the erasure`() = runBlocking {
        open().use { kit ->
            val store = InMemoryIabPreferenceStore()
            store.putString("app_theme", "dark")
            store.putString("IABTCF_PublisherRestrictions9", "stale from another CMP")
            val writer = IabPreferencesWriter(kit, store)
            writer.sync()
            assertEquals(emptySet<String>(), iabKeys(store), "nothing before the policy is agreed")

            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            val signals = writer.sync()
            assertEquals(signals.preferences.map { it.key }.toSet(), iabKeys(store), "exactly the core's keys")
            assertEquals(1, store["IABTCF_gdprApplies"])
            assertEquals(300, store["IABTCF_CmpSdkID"])
            assertEquals(4, store["IABTCF_PolicyVersion"])
            assertEquals("CN", store["IABTCF_PublisherCC"])
            assertEquals("01110010000", store["IABTCF_PurposeConsents"])
            assertEquals(signals.tcString, store["IABTCF_TCString"])
            assertEquals(signals.gppString, store["IABGPP_HDR_GppString"])
            assertEquals("2_7", store["IABGPP_HDR_Sections"])
            assertEquals("2", store["IABGPP_GppSID"])
            assertNull(store["IABTCF_PublisherRestrictions9"], "a key the state does not list is removed")
            assertEquals("dark", store["app_theme"], "other keys are left alone")
            val decoded = IabStrings.decodeTcString(store["IABTCF_TCString"] as String)
            assertEquals(listOf(2, 3, 4, 7), decoded.purposesConsent.map { it.toInt() })

            kit.withdraw("ads")
            writer.sync()
            assertEquals("00000000000", store["IABTCF_PurposeConsents"])

            kit.eraseAll()
            writer.sync()
            assertEquals(emptySet<String>(), iabKeys(store), "erasure removes every IAB key")
            assertEquals("dark", store["app_theme"])
        }
    }

    @Test
    fun `started writer updates the store after each change`() = runBlocking {
        open().use { kit ->
            val store = InMemoryIabPreferenceStore()
            val scope = CoroutineScope(Dispatchers.Default)
            try {
                IabPreferencesWriter(kit, store).start(scope)
                kit.agreeToPolicy(kit.state.value.policyVersion)
                kit.grant("analytics")
                withTimeout(5_000) { while (store["IABTCF_PurposeConsents"] != "00000001100") delay(10) }
                kit.eraseAll()
                withTimeout(5_000) { while (store["IABTCF_TCString"] != null) delay(10) }
            } finally {
                scope.cancel()
            }
        }
    }

    @Test
    fun `the US jurisdiction writes no TC string and puts usnat in force`() = runBlocking {
        open().use { kit ->
            val store = InMemoryIabPreferenceStore()
            kit.agreeToPolicy(kit.state.value.policyVersion)
            IabPreferencesWriter(kit, store, FrameworkJurisdiction.US).sync()
            assertEquals(0, store["IABTCF_gdprApplies"])
            assertNull(store["IABTCF_TCString"])
            assertEquals("7", store["IABGPP_GppSID"])
            assertTrue((store["IABGPP_7_String"] as String).isNotEmpty())
        }
    }

    @Test
    fun `consent mode reaches Firebase through reflection`() = runBlocking {
        open().use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("analytics")
            val signals = kit.frameworkSignals()
            assertEquals(
                mapOf("analytics_storage" to "granted", "ad_storage" to "denied", "ad_user_data" to "denied", "ad_personalization" to "denied"),
                FirebaseConsentMode.map(signals),
            )
            val firebase = FirebaseAnalytics()
            assertTrue(FirebaseConsentMode.apply(firebase, signals))
            val sent = firebase.received.single()
            assertEquals(FirebaseAnalytics.ConsentStatus.GRANTED, sent[FirebaseAnalytics.ConsentType.ANALYTICS_STORAGE])
            assertEquals(FirebaseAnalytics.ConsentStatus.DENIED, sent[FirebaseAnalytics.ConsentType.AD_PERSONALIZATION])
            assertEquals(4, sent.size)
            assertFalse(FirebaseConsentMode.apply(Any(), signals), "not Firebase: nothing called")
            assertTrue(FirebaseConsentMode.isPresent())
        }
    }

    @Test
    fun `bad strings are typed errors`() {
        assertThrows<ConsentKitException.InvalidArgument> { IabStrings.decodeTcString("not a TC string") }
        assertThrows<ConsentKitException.InvalidArgument> { IabStrings.decodeGppString("DBACNY~x") }
    }
}
