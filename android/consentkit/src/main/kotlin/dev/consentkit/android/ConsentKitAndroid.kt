package dev.consentkit.android

import android.content.Context
import android.os.Handler
import android.os.Looper
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitOptions
import dev.consentkit.DeviceKeyStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.io.File

/**
 * Opening ConsentKit the Android way: manifest from the app's assets, database in `noBackupFilesDir`, authenticated
 * with a key in the Android Keystore.
 */
object ConsentKitAndroid {
    /**
     * Opens ConsentKit for the manifest asset [manifestAsset] (e.g. `"consent_manifest.json"` in `src/main/assets`),
     * with its database [databaseName] in [Context.getNoBackupFilesDir]: consent belongs to this device and must
     * not be restored onto another one by Auto Backup. With [flushOnBackground], also wires
     * [flushWhenBackgrounded] to the process lifecycle.
     *
     * [deviceKey] authenticates the database (by default an [AndroidKeystoreDeviceKey] whose alias names the
     * database, its head file in `noBackupFilesDir`). Pass null to use the key-file fallback instead: `<db>.key` and
     * `<db>.head` beside the database (or in [ConsentKitOptions.integrityDir]). A database first opened with the
     * fallback and then with a Keystore key reports [dev.consentkit.RecoveryReason.KEY_REPLACED] once (state kept).
     *
     * Reads the asset and opens SQLite: call it off the main thread, once per process, and share the instance
     * (e.g. hold it in your Application or your dependency graph).
     *
     * @throws dev.consentkit.ConsentKitException.InvalidManifest if the manifest fails the lint, with every
     *   diagnostic (run `consentkit lint` on it at build time to catch that earlier).
     */
    @JvmStatic
    @JvmOverloads
    fun open(
        context: Context,
        manifestAsset: String,
        databaseName: String = "consentkit.db",
        options: ConsentKitOptions = ConsentKitOptions(),
        dispatcher: CoroutineDispatcher = Dispatchers.IO,
        flushOnBackground: Boolean = true,
        deviceKey: DeviceKeyStore? = AndroidKeystoreDeviceKey(context, "${AndroidKeystoreDeviceKey.DEFAULT_ALIAS}.$databaseName"),
    ): ConsentKit {
        val app = context.applicationContext
        val manifest = app.assets.open(manifestAsset).bufferedReader().use { it.readText() }
        val db = File(app.noBackupFilesDir, databaseName)
        val kit = ConsentKit.open(db.path, manifest, options, dispatcher, deviceKey)
        if (flushOnBackground) {
            // Lifecycle observers must be added on the main thread.
            if (Looper.myLooper() == Looper.getMainLooper()) {
                kit.flushWhenBackgrounded()
            } else {
                Handler(Looper.getMainLooper()).post { kit.flushWhenBackgrounded() }
            }
        }
        return kit
    }
}
