package dev.consentkit.sample

import android.app.Application
import dev.consentkit.ConsentKit
import dev.consentkit.android.AndroidKeystoreDeviceKey
import dev.consentkit.android.ConsentKitAndroid
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async

/** Opens the one ConsentKit of the process, off the main thread; screens await [kit]. */
class SampleApp : Application() {
    private val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    /**
     * The process's ConsentKit (manifest: the ride-hailing example; database keyed to the Android Keystore; flushes
     * its counts when the app goes to the background).
     */
    lateinit var kit: Deferred<ConsentKit>
        private set

    override fun onCreate() {
        super.onCreate()
        kit = appScope.async(Dispatchers.IO) {
            // The recommended open: the database in noBackupFilesDir (ConsentKitAndroid does that), authenticated
            // with an HMAC key in the Android Keystore whose chain head is kept in noBackupFilesDir too. Passed
            // explicitly here to show it; it is also ConsentKitAndroid.open's default.
            ConsentKitAndroid.open(
                this@SampleApp,
                "ride_hailing.json",
                deviceKey = AndroidKeystoreDeviceKey(this@SampleApp, "dev.consentkit.sample.consent_db"),
            )
        }
    }
}
