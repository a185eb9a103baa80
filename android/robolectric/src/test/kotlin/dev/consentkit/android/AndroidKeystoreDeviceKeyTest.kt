package dev.consentkit.android

import android.app.Application
import android.content.Context
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitException
import dev.consentkit.Decision
import dev.consentkit.DenyReason
import dev.consentkit.RecoveryReason
import dev.consentkit.android.AndroidTestSupport.MANIFEST_ASSET
import dev.consentkit.android.AndroidTestSupport.app
import dev.consentkit.android.AndroidTestSupport.collected
import dev.consentkit.android.AndroidTestSupport.options
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.util.ReflectionHelpers
import org.robolectric.util.ReflectionHelpers.ClassParameter
import java.io.File

/**
 * [AndroidKeystoreDeviceKey] with a software key in place of the Android Keystore (Robolectric has none): the head
 * file in noBackupFilesDir, what the core makes of a lost key or a restored file, and the state across a
 * recreated process. The Keystore half (KeyGenerator/KeyStore "AndroidKeyStore") needs a device.
 */
@RunWith(RobolectricTestRunner::class)
class AndroidKeystoreDeviceKeyTest {
    private val alias = "com.example/consent db"

    private fun open(context: Context, keys: HmacKeySource): ConsentKit =
        ConsentKitAndroid.openBlocking(context, MANIFEST_ASSET, options = options, deviceKey = AndroidKeystoreDeviceKey(context, alias, keys))

    private val db: File get() = File(app.noBackupFilesDir, "consentkit.db")
    private val headFile: File get() = File(File(app.noBackupFilesDir, AndroidKeystoreDeviceKey.HEAD_DIR), "com.example_consent_db.head")

    @Test
    fun `the head is kept in noBackupFilesDir under the alias and replaced on each write`() {
        val keys = SoftwareKeys()
        open(app, keys).useBlocking { kit ->
            assertTrue("database in noBackupFilesDir", db.exists())
            runBlocking { kit.agreeToPolicy(kit.state.value.policyVersion) }
            val afterAgree = headFile.readText()
            assertTrue(afterAgree.isNotBlank())
            runBlocking { kit.grant("ads") }
            assertNotEquals("a new head after the grant", afterAgree, headFile.readText())
        }
        assertNotNull("the key was created through the key source", keys.key)
        assertEquals("no temporary file left", listOf(headFile.name), headFile.parentFile!!.list()!!.toList())
        assertFalse("no fallback key file beside the database", File("${db.path}.key").exists())
        assertFalse(File("${db.path}.head").exists())
    }

    @Test
    fun `the state survives a recreated process`() {
        // The Keystore outlives the process; everything else is built again.
        val keys = SoftwareKeys()
        open(app, keys).useBlocking { kit ->
            runBlocking {
                kit.agreeToPolicy(kit.state.value.policyVersion)
                kit.grant("ads")
                kit.refuse("live_location")
            }
            repeat(3) { kit.collect("ride", "phone_number") }
        }
        val freshApp = Application()
        ReflectionHelpers.callInstanceMethod<Unit>(freshApp, "attach", ClassParameter.from(Context::class.java, app.baseContext))
        open(freshApp, keys).useBlocking { kit ->
            val state = kit.state.value
            assertNull("no recovery: ${state.recovery}", state.recovery)
            assertTrue(state.policyAgreed)
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
            assertEquals(Decision.Denied(DenyReason.REFUSED), kit.decide("live_location", "location"))
            assertEquals("counts written by close", 3L, collected(kit, "ride", "phone_number"))
        }
    }

    @Test
    fun `a lost key reports KEY_REPLACED and keeps the state`() {
        open(app, SoftwareKeys()).useBlocking { kit ->
            runBlocking {
                kit.agreeToPolicy(kit.state.value.policyVersion)
                kit.grant("ads")
            }
        }
        val newKeys = SoftwareKeys() // e.g. the Keystore was reset
        open(app, newKeys).useBlocking { kit ->
            assertEquals(RecoveryReason.KEY_REPLACED, kit.state.value.recovery?.reason)
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
        open(app, newKeys).useBlocking { kit -> assertNull("re-keyed: quiet next time", kit.state.value.recovery) }
    }

    @Test
    fun `a database restored from before a write reports ROLLED_BACK`() {
        val keys = SoftwareKeys()
        open(app, keys).useBlocking { kit -> runBlocking { kit.agreeToPolicy(kit.state.value.policyVersion) } }
        val files = listOf(db, File("${db.path}-wal"), File("${db.path}-shm"))
        val copies = files.filter { it.exists() }.associateWith { it.readBytes() }
        open(app, keys).useBlocking { kit -> runBlocking { kit.grant("ads") } }
        files.forEach { it.delete() }
        copies.forEach { (file, bytes) -> file.writeBytes(bytes) }
        open(app, keys).useBlocking { kit ->
            assertEquals(RecoveryReason.ROLLED_BACK, kit.state.value.recovery?.reason)
            assertFalse("safe default after a rollback", kit.state.value.policyAgreed)
        }
    }

    @Test
    fun `the default key store needs the Android Keystore, which only a device has`() {
        // ConsentKitAndroid.open's default deviceKey: under Robolectric there is no "AndroidKeyStore" provider.
        val e = assertThrows(ConsentKitException.Storage::class.java) {
            ConsentKitAndroid.openBlocking(app, MANIFEST_ASSET, options = options)
        }
        assertTrue(e.message, e.detail.contains("AndroidKeyStore") || e.detail.contains("KeyStore"))
    }
}
