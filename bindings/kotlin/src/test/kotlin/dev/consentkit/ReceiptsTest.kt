package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECPoint
import java.security.spec.ECPublicKeySpec

/**
 * The receipts pair from Kotlin: batches come out with native types, acknowledging moves on idempotently, and a
 * [ReceiptKeyStore] over `java.security` (as the Android Keystore signs: SHA256withECDSA, DER) signs receipts the
 * core accepts: the core verifies every signature under the store's public key before a batch leaves, so a batch
 * coming back means the JCA signatures verified; the batch carries that key, which parses back into the same key.
 */
class ReceiptsTest {
    private class JcaKeyStore : ReceiptKeyStore {
        val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()

        override fun publicKey(): ByteArray {
            val w = (pair.public as ECPublicKey).w
            return byteArrayOf(4) + fixed(w.affineX) + fixed(w.affineY)
        }

        override fun sign(data: ByteArray): ByteArray =
            Signature.getInstance("SHA256withECDSA").run { initSign(pair.private); update(data); sign() }
    }

    @Test
    fun batchesAcknowledgeAndAJavaSecurityKeySignsThem() = runBlocking {
        TestSupport.open().use { kit ->
            assertEquals(0, kit.pendingReceipts().count)
            kit.agreeToPolicy("2026-11-01")
            kit.grant("ads")
            kit.withdraw("ads")
            val keys = JcaKeyStore()
            val first = kit.pendingReceipts(max = 2, keyStore = keys)
            assertEquals(2, first.count)
            assertEquals(2L, first.upTo)
            assertTrue(first.body.contains(first.installId))
            verifyAll(first.body, keys)

            kit.acknowledgeReceipts(first.upTo)
            kit.acknowledgeReceipts(1) // older: changes nothing
            val rest = kit.pendingReceipts(keyStore = keys)
            assertEquals(1, rest.count)
            assertEquals(3L, rest.upTo)
            assertThrows<ConsentKitException.InvalidArgument> { runBlocking { kit.acknowledgeReceipts(99) } }
            kit.acknowledgeReceipts(rest.upTo)
            assertEquals(0, kit.pendingReceipts(keyStore = keys).count)
        }
    }

    @Test
    fun aFailingKeyStoreIsAStorageErrorAndLosesNothing() = runBlocking {
        TestSupport.open().use { kit ->
            kit.agreeToPolicy("2026-11-01")
            val broken = object : ReceiptKeyStore {
                override fun publicKey(): ByteArray = throw IllegalStateException("keystore locked")
                override fun sign(data: ByteArray): ByteArray = ByteArray(0)
            }
            assertThrows<ConsentKitException.Storage> { runBlocking { kit.pendingReceipts(keyStore = broken) } }
            assertEquals(1, kit.pendingReceipts().count)
        }
    }

    /** The batch carries one signature and hash per receipt, and the store's public key in the documented form. */
    private fun verifyAll(body: String, keys: JcaKeyStore) {
        val sigs = Regex("\"signature\":\"([0-9a-f]+)\"").findAll(body).map { it.groupValues[1] }.toList()
        val hashes = Regex("\"receipt_hash\":\"([0-9a-f]+)\"").findAll(body).map { it.groupValues[1] }.toList()
        assertEquals(2, sigs.size)
        assertEquals(2, hashes.size)
        val pub = Regex("\"public_key\":\"([0-9a-f]+)\"").find(body)!!.groupValues[1]
        assertEquals(hex(keys.publicKey()), pub)
        // The batch's key parses back into a JCA key equal to the store's.
        val params = (keys.pair.public as ECPublicKey).params
        val x = BigInteger(1, unhex(pub.substring(2, 66)))
        val y = BigInteger(1, unhex(pub.substring(66)))
        val parsed = KeyFactory.getInstance("EC").generatePublic(ECPublicKeySpec(ECPoint(x, y), params))
        assertEquals(keys.pair.public, parsed)
    }

    private companion object {
        fun fixed(n: BigInteger): ByteArray {
            val b = n.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
            return ByteArray(32 - b.size) + b
        }
        fun hex(b: ByteArray) = b.joinToString("") { "%02x".format(it) }
        fun unhex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
    }
}
