package dev.consentkit.android

import android.content.Context
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitOptions
import dev.consentkit.DeviceKeyStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

/**
 * Opening ConsentKit the Android way: manifest from the app's assets, database in `noBackupFilesDir`, authenticated
 * with a key in the Android Keystore, access counts flushed when the app leaves the screen. It exists so an app gets
 * those choices, each easy to get wrong (a database in backed-up storage, a key beside the file, counts lost when the
 * process is killed in the background), from one call.
 */
object ConsentKitAndroid {
    /**
     * Opens ConsentKit for the manifest asset [manifestAsset] (e.g. `"consent_manifest.json"` in `src/main/assets`),
     * with its database [databaseName] in [Context.getNoBackupFilesDir]: consent belongs to this device and must
     * not be restored onto another one by Auto Backup. With [followAppLifecycle], also registers
     * [AppLifecycleHooks] on the Application (framework callbacks, no AndroidX): the pending access counts are
     * written when the app goes to the background and [ConsentKit.refresh] runs on [dispatcher] when it comes back.
     * Those hooks stay registered for the kit's lifetime; call [ConsentKit.followAppLifecycle] yourself (with
     * `followAppLifecycle = false`) to get a handle you can close.
     *
     * [deviceKey] authenticates the database (by default an [AndroidKeystoreDeviceKey] whose alias names the
     * database, its head file in `noBackupFilesDir`); any other [DeviceKeyStore] can be passed instead (tests pass
     * one because Robolectric has no Android Keystore). Pass null to use the key-file fallback instead: `<db>.key` and
     * `<db>.head` beside the database (or in [ConsentKitOptions.integrityDir]). A database first opened with the
     * fallback and then with a Keystore key reports [dev.consentkit.RecoveryReason.KEY_REPLACED] once (state kept).
     *
     * Reads the asset and opens SQLite on [dispatcher] (a `suspend` call: it never blocks the caller's thread).
     * Call it once per process and share the instance (e.g. hold it in your Application or your dependency graph);
     * Java callers and code outside coroutines use [openBlocking].
     *
     * @throws dev.consentkit.ConsentKitException.InvalidManifest if the manifest fails the lint, with every
     *   diagnostic (run `consentkit lint` on it at build time to catch that earlier).
     */
    suspend fun open(
        context: Context,
        manifestAsset: String,
        databaseName: String = "consentkit.db",
        options: ConsentKitOptions = ConsentKitOptions(),
        dispatcher: CoroutineDispatcher = Dispatchers.IO,
        followAppLifecycle: Boolean = true,
        deviceKey: DeviceKeyStore? = AndroidKeystoreDeviceKey(context, "${AndroidKeystoreDeviceKey.DEFAULT_ALIAS}.$databaseName"),
    ): ConsentKit = withContext(dispatcher) {
        openBlocking(context, manifestAsset, databaseName, options, dispatcher, followAppLifecycle, deviceKey)
    }

    /**
     * [open] on the calling thread, for Java and code outside coroutines: it reads the asset and opens SQLite, so
     * call it off the main thread. Close the instance with [ConsentKit.closeBlocking] (or `close()` from a
     * coroutine).
     */
    @JvmStatic
    @JvmOverloads
    fun openBlocking(
        context: Context,
        manifestAsset: String,
        databaseName: String = "consentkit.db",
        options: ConsentKitOptions = ConsentKitOptions(),
        dispatcher: CoroutineDispatcher = Dispatchers.IO,
        followAppLifecycle: Boolean = true,
        deviceKey: DeviceKeyStore? = AndroidKeystoreDeviceKey(context, "${AndroidKeystoreDeviceKey.DEFAULT_ALIAS}.$databaseName"),
    ): ConsentKit {
        val app = context.applicationContext
        val manifest = app.assets.open(manifestAsset).bufferedReader().use { it.readText() }
        val db = File(app.noBackupFilesDir, databaseName)
        val kit = ConsentKit.openBlocking(db.path, manifest, options, dispatcher, deviceKey)
        if (followAppLifecycle) {
            try {
                kit.followAppLifecycle(app, dispatcher)
            } catch (t: Throwable) {
                runCatching { kit.closeBlocking() }.exceptionOrNull()?.let(t::addSuppressed)
                throw t
            }
        }
        return kit
    }
}
