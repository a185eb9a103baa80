package dev.consentkit

import dev.consentkit.internal.DeviceKeyException
import dev.consentkit.internal.DeviceKeyStore as CoreDeviceKeyStore

/**
 * The platform key store that authenticates the consent database, passed to [ConsentKit.open]. It exists so the
 * key that lets the SDK check "this file was written here, in this order, and not rolled back" lives outside the file: anyone
 * who can write the database can recompute its hashes, but not MAC them without this key
 * (docs/adr/0007-keyed-integrity.md). On Android use `dev.consentkit.android.AndroidKeystoreDeviceKey`.
 *
 * Without one, ConsentKit keeps a key file and a head file next to the database (or in
 * [ConsentKitOptions.integrityDir]), which stops accidents and naive edits but not an attacker who can rewrite
 * those files too.
 *
 * One key store per database. Calls are rare (once per open, once per consent write) and may come from any thread.
 * Any exception thrown here makes the open or the write fail with [ConsentKitException.Storage]; nothing is set
 * aside because of it.
 */
interface DeviceKeyStore {
    /**
     * Makes sure the key exists, creating it if needed. Returns whether it existed before this call: a database
     * keyed under a key that is gone is verified in full and re-keyed ([RecoveryReason.KEY_REPLACED]).
     */
    fun ensureKey(): Boolean

    /** HMAC-SHA256 of [data] under the key (32 bytes). */
    fun mac(data: ByteArray): ByteArray

    /**
     * The latest chain head given to [storeHead], or null if none was stored. It must be kept outside the database
     * and out of backups: a backup that restores it with an older database defeats rollback detection.
     */
    fun loadHead(): String?

    /** Stores the latest chain head (a short text), replacing the previous one; durable before it returns. */
    fun storeHead(head: String)
}

/** Adapts the app's [DeviceKeyStore] to the generated callback interface; its exceptions become the core's error. */
internal class DeviceKeyAdapter(private val store: DeviceKeyStore) : CoreDeviceKeyStore {
    override fun ensureKey(): Boolean = keyStoreCall { store.ensureKey() }

    override fun mac(data: ByteArray): ByteArray = keyStoreCall { store.mac(data) }

    override fun loadHead(): String? = keyStoreCall { store.loadHead() }

    override fun storeHead(head: String) = keyStoreCall { store.storeHead(head) }
}

/**
 * Runs an app-provided key-store call for the core: its exceptions become the core's typed error (the device-key and
 * receipt-key adapters share it), so an app's key store never throws an unknown exception across the boundary.
 */
internal inline fun <T> keyStoreCall(block: () -> T): T =
    try {
        block()
    } catch (e: DeviceKeyException) {
        throw e
    } catch (e: Exception) {
        throw DeviceKeyException.Failed("${e.javaClass.simpleName}: ${e.message}")
    }
