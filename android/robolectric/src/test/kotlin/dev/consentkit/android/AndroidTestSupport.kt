package dev.consentkit.android

import android.app.Application
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitOptions
import org.json.JSONObject
import org.robolectric.RuntimeEnvironment
import org.robolectric.util.ReflectionHelpers
import java.security.SecureRandom
import javax.crypto.SecretKey
import javax.crypto.spec.SecretKeySpec
import kotlin.time.Duration.Companion.hours

/** Shared pieces of the Robolectric tests: the test app, the manifest asset, and what the database holds. */
internal object AndroidTestSupport {
    /** The manifest asset (examples/ride_hailing.json, zipped into the test assets APK by pom.xml). */
    const val MANIFEST_ASSET = "ride_hailing.json"

    /** 2026-01-01T00:00Z, the scenarios' start, on a manual clock. */
    private const val START_MS = 1_767_225_600_000L

    /** No timer flush during a test: only the lifecycle hooks (or close) hand the counts over. */
    val options = ConsentKitOptions(manualClockStartMs = START_MS, collectFlushInterval = 1.hours)

    /**
     * The Application Robolectric created for this test (fresh files directories per test), with the test assets
     * (an assets-only APK built by pom.xml, holding [MANIFEST_ASSET]) added to its AssetManager.
     */
    val app: Application
        get() = RuntimeEnvironment.getApplication().also { app ->
            if (app !== assetsInstalledIn) {
                val apk = checkNotNull(System.getProperty("consentkit.testAssetsApk")) { "run through Maven (pom.xml)" }
                // AssetManager.addAssetPath is hidden API; Robolectric reads assets from APK paths only.
                val cookie = ReflectionHelpers.callInstanceMethod<Int>(
                    app.assets, "addAssetPath", ReflectionHelpers.ClassParameter.from(String::class.java, apk),
                )
                check(cookie != 0) { "could not add $apk to the test app's assets" }
                assetsInstalledIn = app
            }
        }

    private var assetsInstalledIn: Application? = null

    /**
     * Times (purpose, data type) was collected according to the database's access log: the core's transparency
     * lists, which count what was handed to the core (they write the core's own pending counts first, not the
     * facade's, so counts still held in the facade are not in them).
     */
    fun collected(kit: ConsentKit, purpose: String, dataType: String): Long {
        val rows = JSONObject(kit.core.transparencyListsJson()).getJSONArray("collection")
        for (i in 0 until rows.length()) {
            val row = rows.getJSONObject(i)
            if (row.getString("purpose") == purpose && row.getString("data_type") == dataType) {
                return if (row.isNull("count")) 0 else row.getLong("count")
            }
        }
        error("no collection row for $purpose/$dataType")
    }
}

/**
 * Runs [block], then closes the kit on this thread ([ConsentKit.closeBlocking]): the JUnit 4 tests here are not
 * coroutines, and ConsentKit's own `use` is `suspend`.
 */
internal inline fun <R> ConsentKit.useBlocking(block: (ConsentKit) -> R): R =
    try {
        block(this)
    } finally {
        closeBlocking()
    }

/**
 * A software HMAC key standing in for the Android Keystore, which Robolectric does not provide. Like the Keystore
 * it outlives the objects that use it (a new [AndroidKeystoreDeviceKey] over the same instance finds the key).
 */
internal class SoftwareKeys : HmacKeySource {
    @Volatile
    var key: SecretKey? = null

    override fun load(): SecretKey? = key

    override fun generate(): SecretKey =
        SecretKeySpec(ByteArray(32).also { SecureRandom().nextBytes(it) }, AndroidKeystoreDeviceKey.HMAC_SHA256).also { key = it }
}
