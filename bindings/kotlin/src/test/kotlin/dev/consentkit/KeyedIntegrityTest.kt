package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.fail
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import kotlin.io.path.absolutePathString
import kotlin.io.path.exists

/**
 * The facade's [DeviceKeyStore] reaches the core: the database is keyed to the store, a lost key is re-keyed with
 * the state kept, a rolled-back file is refused, and [ConsentKit.verifyIntegrity] runs the full check.
 */
class KeyedIntegrityTest {
    /** An in-memory key store: a random HMAC-SHA256 key and the head, as the Android Keystore one keeps them. */
    private class FakeKeyStore : DeviceKeyStore {
        @Volatile var key: ByteArray? = null
        @Volatile var head: String? = null
        @Volatile var failMac = false
        val calls = java.util.concurrent.atomic.AtomicInteger()

        override fun ensureKey(): Boolean {
            calls.incrementAndGet()
            if (key != null) return true
            key = ByteArray(32).also { SecureRandom().nextBytes(it) }
            return false
        }

        override fun mac(data: ByteArray): ByteArray {
            calls.incrementAndGet()
            check(!failMac) { "key store unavailable" }
            val mac = Mac.getInstance("HmacSHA256")
            mac.init(SecretKeySpec(checkNotNull(key) { "no key" }, "HmacSHA256"))
            return mac.doFinal(data)
        }

        override fun loadHead(): String? = head.also { calls.incrementAndGet() }

        override fun storeHead(head: String) {
            calls.incrementAndGet()
            this.head = head
        }
    }

    private val options = ConsentKitOptions(manualClockStartMs = TestSupport.START_MS)

    private fun open(db: Path, store: DeviceKeyStore?, opts: ConsentKitOptions = options): ConsentKit =
        ConsentKit.openBlocking(db.absolutePathString(), TestSupport.read("examples/ride_hailing.json"), opts, deviceKey = store)

    @Test
    fun `open with a key store uses it and keeps no key file`() = runBlocking {
        val db = TestSupport.tempDb()
        val store = FakeKeyStore()
        open(db, store).use { kit ->
            assertNull(kit.state.value.recovery)
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
        assertNotNull(store.key)
        assertNotNull(store.head, "the head is stored with the key after a write")
        assertFalse(Path.of("$db.key").exists(), "no key file beside the database when a key store is given")
        assertFalse(Path.of("$db.head").exists())
    }

    @Test
    fun `reopening with the same store keeps the state`() = runBlocking {
        val db = TestSupport.tempDb()
        val store = FakeKeyStore()
        val before = open(db, store).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            kit.refuse("live_location")
            kit.state.value
        }
        open(db, store).use { kit ->
            val after = kit.state.value
            assertNull(after.recovery)
            assertEquals(before.copy(version = after.version), after)
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
    }

    @Test
    fun `a fresh store on the same file reports KEY_REPLACED and keeps the grant`() = runBlocking {
        val db = TestSupport.tempDb()
        open(db, FakeKeyStore()).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
        }
        val fresh = FakeKeyStore()
        open(db, fresh).use { kit ->
            val recovery = kit.state.value.recovery ?: fail("no recovery reported")
            assertEquals(RecoveryReason.KEY_REPLACED, recovery.reason)
            assertEquals("", recovery.quarantinedPath, "nothing is set aside when the key is replaced")
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
        // Re-keyed under the new key: the next open with it is quiet.
        open(db, fresh).use { kit ->
            assertNull(kit.state.value.recovery)
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
    }

    @Test
    fun `moving from the fallback files to a key store reports KEY_REPLACED once and keeps the state`() = runBlocking {
        val db = TestSupport.tempDb()
        open(db, null).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
        }
        val store = FakeKeyStore()
        open(db, store).use { kit ->
            assertEquals(RecoveryReason.KEY_REPLACED, kit.state.value.recovery?.reason)
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
        }
        open(db, store).use { kit -> assertNull(kit.state.value.recovery) }
    }

    @Test
    fun `a file restored from before a write reports ROLLED_BACK`() = runBlocking {
        val db = TestSupport.tempDb()
        val store = FakeKeyStore()
        open(db, store).use { kit -> kit.agreeToPolicy(kit.state.value.policyVersion) }
        val copies = snapshot(db)
        open(db, store).use { kit -> kit.grant("ads") }
        restore(copies, db)
        open(db, store).use { kit ->
            val recovery = kit.state.value.recovery ?: fail("no recovery reported")
            assertEquals(RecoveryReason.ROLLED_BACK, recovery.reason)
            assertTrue(Path.of(recovery.quarantinedPath).exists(), "the rolled-back file is set aside, not deleted")
            assertFalse(kit.state.value.policyAgreed, "safe default after a rollback")
            assertEquals(Decision.Denied(DenyReason.POLICY_NOT_AGREED), kit.decide("ads", "device_id"))
        }
    }

    @Test
    fun `verifyIntegrity passes on an intact database`() = runBlocking {
        val db = TestSupport.tempDb()
        open(db, FakeKeyStore()).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            kit.withdraw("ads")
            val check = kit.verifyIntegrity()
            assertTrue(check is IntegrityCheck.Passed, "got $check")
            check as IntegrityCheck.Passed
            assertTrue(check.rows >= 3, "rows: ${check.rows}")
            assertTrue(check.tookMs >= 0.0)
            assertNull(kit.state.value.recovery)
        }
    }

    @Test
    fun `without a key store the key and head files go to integrityDir`() = runBlocking {
        val db = TestSupport.tempDb()
        val dir = Files.createTempDirectory(db.parent, "integrity")
        open(db, null, options.copy(integrityDir = dir.absolutePathString())).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            assertTrue(kit.verifyIntegrity() is IntegrityCheck.Passed)
        }
        assertTrue(Files.list(dir).use { files -> files.count() } > 0, "key/head files in integrityDir")
        assertFalse(Path.of("$db.key").exists(), "not beside the database")
    }

    @Test
    fun `a failing key store fails the write with Storage and changes nothing`() = runBlocking {
        val db = TestSupport.tempDb()
        val store = FakeKeyStore()
        open(db, store).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            store.failMac = true
            val e = assertThrows<ConsentKitException.Storage> { runBlocking { kit.grant("ads") } }
            assertTrue(e.detail.contains("key store unavailable"), e.detail)
            store.failMac = false
            assertEquals(Decision.Denied(DenyReason.NOT_GRANTED), kit.decide("ads", "device_id"))
        }
    }

    /** Copies of the closed database's files (the db and any WAL/SHM beside it). */
    private fun snapshot(db: Path): Map<Path, ByteArray> =
        listOf(db, Path.of("$db-wal"), Path.of("$db-shm")).filter { it.exists() }.associateWith { Files.readAllBytes(it) }

    private fun restore(copies: Map<Path, ByteArray>, db: Path) {
        listOf(Path.of("$db-wal"), Path.of("$db-shm")).forEach { Files.deleteIfExists(it) }
        copies.forEach { (path, bytes) -> Files.write(path, bytes) }
    }
}
