package dev.consentkit.android

import android.content.Context
import dev.consentkit.ConsentKit
import dev.consentkit.IabPreferencesWriter
import dev.consentkit.use
import dev.consentkit.android.AndroidTestSupport.app
import dev.consentkit.android.AndroidTestSupport.options
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import java.io.File

/**
 * The IAB keys land in the app's default SharedPreferences, where ad SDKs read them, with the types the specs give
 * (numbers as ints, the rest as strings), and leave it on erasure; Firebase absent means the helper does nothing.
 */
@RunWith(RobolectricTestRunner::class)
class SharedPreferencesIabStoreTest {
    private val manifest: String =
        File(System.getProperty("consentkit.rootDir") ?: "../..", "examples/ride_hailing_global.json").readText()

    @Test
    fun writerFillsAndEmptiesTheDefaultSharedPreferences() = runBlocking {
        val kit = ConsentKit.open(File(app.noBackupFilesDir, "iab.db").path, manifest, options)
        kit.use {
            val prefs = app.getSharedPreferences("${app.packageName}_preferences", Context.MODE_PRIVATE)
            prefs.edit().putString("app_theme", "dark").apply()
            val writer = IabPreferencesWriter(kit, SharedPreferencesIabStore.default(app))
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            val signals = writer.sync()
            assertEquals(1, prefs.getInt("IABTCF_gdprApplies", -1))
            assertEquals(300, prefs.getInt("IABTCF_CmpSdkID", -1))
            assertEquals(signals.tcString, prefs.getString("IABTCF_TCString", null))
            assertEquals("01110010000", prefs.getString("IABTCF_PurposeConsents", null))
            assertEquals("2", prefs.getString("IABGPP_GppSID", null))
            assertFalse(FirebaseConsent.update(app, kit))

            kit.eraseAll()
            writer.sync()
            assertTrue(prefs.all.keys.none { it.startsWith("IABTCF_") || it.startsWith("IABGPP_") })
            assertEquals("dark", prefs.getString("app_theme", null))
        }
    }
}
