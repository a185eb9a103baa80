package dev.consentkit.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import dev.consentkit.DeviceKeyStore
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.Mac
import javax.crypto.SecretKey

/**
 * The Android [DeviceKeyStore]: it exists so the consent database is authenticated with a key that neither the file
 * nor a backup contains (docs/adr/0007-keyed-integrity.md), which lets ConsentKit refuse a rewritten or
 * rolled-back database at open.
 *
 * - The key is an HMAC-SHA256 key generated inside the Android Keystore under [alias] (`PURPOSE_SIGN`; hardware
 *   backed where the device has it). Its bytes never enter the app's memory, it is never backed up, and it is
 *   deleted when the app is uninstalled. A database that reaches another device or outlives the key (kept outside
 *   `noBackupFilesDir`, or the Keystore was reset) opens with [dev.consentkit.RecoveryReason.KEY_REPLACED]:
 *   verified in full, state kept, re-keyed.
 * - The latest chain head is a small file `consentkit/<alias>.head` in [Context.getNoBackupFilesDir] (characters
 *   other than letters, digits and `._-` in the alias become `_`), which Auto Backup and device-to-device transfer
 *   never copy: a backup restore cannot bring an older head back together with an older database. Nothing needs
 *   to be excluded in the app's backup rules for it.
 *
 * Use one alias per database file. Framework APIs only (API 23+). Pass it to [dev.consentkit.ConsentKit.open] or
 * [ConsentKitAndroid.open] (which uses one by default).
 */
class AndroidKeystoreDeviceKey internal constructor(
    context: Context,
    /** The Android Keystore alias of the key, also the head file's name; one per database. */
    private val alias: String,
    /** Where the key lives: the Android Keystore in apps; a software key in the Robolectric tests. */
    private val keys: HmacKeySource,
) : DeviceKeyStore {
    /** The key store for [alias] (by default [DEFAULT_ALIAS]): the Keystore key, the head in `noBackupFilesDir`. */
    @JvmOverloads
    constructor(context: Context, alias: String = DEFAULT_ALIAS) : this(context, alias, AndroidKeyStoreKeys(alias))

    private val headFile =
        File(File(context.applicationContext.noBackupFilesDir, HEAD_DIR), alias.replace(Regex("[^A-Za-z0-9._-]"), "_") + ".head")
    private val lock = Any()

    @Volatile
    private var key: SecretKey? = null

    override fun ensureKey(): Boolean = synchronized(lock) {
        val existing = keys.load()
        if (existing != null) {
            key = existing
            return true
        }
        key = keys.generate()
        false
    }

    override fun mac(data: ByteArray): ByteArray {
        val secret = key ?: synchronized(lock) { key ?: keys.load()?.also { key = it } }
            ?: throw IllegalStateException("no key under alias \"$alias\" (ensureKey was not called, or it was deleted)")
        // A Mac instance is not thread-safe; one per call (calls are rare: once per open and per consent write).
        return Mac.getInstance(HMAC_SHA256).run {
            init(secret)
            doFinal(data)
        }
    }

    override fun loadHead(): String? = synchronized(lock) {
        if (headFile.exists()) headFile.readText(Charsets.UTF_8) else null
    }

    /** Writes the head to a temporary file, syncs it, and renames it over the old one, so a crash keeps either. */
    override fun storeHead(head: String): Unit = synchronized(lock) {
        val dir = headFile.parentFile!!
        if (!dir.isDirectory && !dir.mkdirs()) throw IOException("cannot create $dir")
        val tmp = File(dir, "${headFile.name}.tmp")
        FileOutputStream(tmp).use { out ->
            out.write(head.toByteArray(Charsets.UTF_8))
            out.fd.sync()
        }
        if (!tmp.renameTo(headFile)) throw IOException("cannot replace $headFile")
    }

    /** Names used by default. */
    companion object {
        /** The alias [ConsentKitAndroid.open] derives from when none is given. */
        const val DEFAULT_ALIAS: String = "dev.consentkit.device_key"

        /** The directory under `noBackupFilesDir` holding the head files. */
        const val HEAD_DIR: String = "consentkit"

        /** The MAC algorithm (the value of `KeyProperties.KEY_ALGORITHM_HMAC_SHA256`). */
        internal const val HMAC_SHA256 = "HmacSHA256"
    }
}

/**
 * Where [AndroidKeystoreDeviceKey] gets its HMAC key. It exists so the head-file half of the class runs under
 * Robolectric, which has no `AndroidKeyStore` provider: the tests pass a software key, apps always get
 * [AndroidKeyStoreKeys].
 */
internal interface HmacKeySource {
    /** The existing key, or null if there is none (never created, or deleted with the app's data). */
    fun load(): SecretKey?

    /** Creates the key and returns it. */
    fun generate(): SecretKey
}

/** An HMAC-SHA256 key inside the Android Keystore under [alias] (`PURPOSE_SIGN`; it never leaves the Keystore). */
internal class AndroidKeyStoreKeys(private val alias: String) : HmacKeySource {
    override fun load(): SecretKey? = androidKeyStore().getKey(alias, null) as? SecretKey

    override fun generate(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256, ANDROID_KEY_STORE)
        generator.init(KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN).build())
        return generator.generateKey()
    }

    private fun androidKeyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEY_STORE).apply { load(null) }

    private companion object {
        const val ANDROID_KEY_STORE = "AndroidKeyStore"
    }
}
