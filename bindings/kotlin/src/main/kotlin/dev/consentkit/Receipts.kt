package dev.consentkit

import dev.consentkit.internal.DeviceKeyException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import dev.consentkit.internal.ReceiptKeyStore as CoreReceiptKeyStore

/**
 * The next batch of signed consent receipts for the app to upload (docs/receipts.md), as
 * [ConsentKit.pendingReceipts] returns it. It exists so the operator's server can prove what this install consented
 * to, while ConsentKit itself never opens a network connection: the app POSTs [body] with its own HTTP client and,
 * once the receiver answered 2xx, calls [ConsentKit.acknowledgeReceipts] with [upTo].
 */
data class PendingReceipts(
    /** The random install id the receipts carry (never a hardware or advertising id). */
    val installId: String,
    /** The request body for the receiver's `POST /v1/receipts` (`Content-Type: application/json`). */
    val body: String,
    /** Receipts in the batch; 0 means there is nothing to send. */
    val count: Int,
    /** Pass to [ConsentKit.acknowledgeReceipts] after a 2xx answer. */
    val upTo: Long,
)

/**
 * A per-install P-256 key pair that signs receipts, held by the platform: on Android the Keystore
 * (`KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, "AndroidKeyStore")` with
 * `ECGenParameterSpec("secp256r1")`, `PURPOSE_SIGN`, `DIGEST_SHA256`). Without one, receipts are signed with a key
 * file beside the database (JVM, tests), which protects nothing against someone who can read the app's files.
 */
interface ReceiptKeyStore {
    /** The public key as a SEC1 uncompressed point (65 bytes: 0x04, x, y); creates the key pair on first use. */
    fun publicKey(): ByteArray

    /** `SHA256withECDSA` over [data]: DER (what `java.security.Signature` returns) or raw r‖s. */
    fun sign(data: ByteArray): ByteArray
}

/** Adapts the app's [ReceiptKeyStore] to the generated callback interface; its exceptions become the core's error. */
internal class ReceiptKeyAdapter(private val store: ReceiptKeyStore) : CoreReceiptKeyStore {
    override fun publicKey(): ByteArray = keyStoreCall { store.publicKey() }

    override fun sign(data: ByteArray): ByteArray = keyStoreCall { store.sign(data) }
}

/**
 * The next at most [max] (1..500) signed receipts not yet acknowledged; the same ones again until
 * [acknowledgeReceipts]. Signs on the IO dispatcher (a platform key store may take milliseconds per receipt).
 *
 * @throws ConsentKitException.InvalidArgument for [max] < 1; [ConsentKitException.Storage] when the key store fails
 *   or returns a signature that does not verify.
 */
suspend fun ConsentKit.pendingReceipts(max: Int = 200, keyStore: ReceiptKeyStore? = null): PendingReceipts =
    withContext(Dispatchers.IO) {
        val n = max.coerceAtLeast(0).toUInt()
        val batch = callCore {
            if (keyStore == null) core.pendingReceipts(n) else core.pendingReceiptsWithKey(n, ReceiptKeyAdapter(keyStore))
        }
        PendingReceipts(batch.installId, batch.body, batch.count.toInt(), batch.upTo)
    }

/**
 * Marks the receipts up to [upTo] (a batch's [PendingReceipts.upTo]) as delivered. Idempotent: an older or
 * repeated value changes nothing.
 *
 * @throws ConsentKitException.InvalidArgument when [upTo] is beyond the last consent record.
 */
suspend fun ConsentKit.acknowledgeReceipts(upTo: Long): Unit =
    withContext(Dispatchers.IO) { callCore { core.acknowledgeReceipts(upTo) } }
