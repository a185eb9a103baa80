package dev.consentkit.android

import android.app.Activity
import android.content.ComponentCallbacks2
import dev.consentkit.Decision
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitException
import dev.consentkit.WriteResult
import dev.consentkit.android.AndroidTestSupport.MANIFEST_ASSET
import dev.consentkit.android.AndroidTestSupport.app
import dev.consentkit.android.AndroidTestSupport.collected
import dev.consentkit.android.AndroidTestSupport.options
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import java.io.File

/**
 * The framework-API lifecycle hooks: the last started activity stopping (or TRIM_MEMORY_UI_HIDDEN) hands the
 * pending access counts to the database; the first activity starting after that refreshes the kit.
 */
@RunWith(RobolectricTestRunner::class)
class AppLifecycleHooksTest {
    private fun openAgreed(followAppLifecycle: Boolean = true): ConsentKit {
        val kit = ConsentKitAndroid.openBlocking(
            app, MANIFEST_ASSET, options = options, followAppLifecycle = followAppLifecycle, deviceKey = null,
        )
        runBlocking { kit.agreeToPolicy(kit.state.value.policyVersion) }
        return kit
    }

    private fun collectPhone(kit: ConsentKit, times: Int) =
        repeat(times) { assertEquals(Decision.Allowed, kit.collect("ride", "phone_number")) }

    private fun awaitBackgroundFlush(kit: ConsentKit) = runBlocking {
        checkNotNull(kit.lastBackgroundFlush) { "no background flush was started" }.join()
    }

    @Test
    fun `ConsentKitAndroid open flushes the counts when the last activity stops`() {
        openAgreed().useBlocking { kit ->
            val activity = Robolectric.buildActivity(Activity::class.java).setup()
            collectPhone(kit, 5)
            assertEquals("held in the facade until a flush", 0L, collected(kit, "ride", "phone_number"))
            assertNull(kit.lastBackgroundFlush)

            activity.pause().stop()
            awaitBackgroundFlush(kit)
            assertEquals(5L, kit.collectionsSent)
            assertEquals(5L, collected(kit, "ride", "phone_number"))
        }
    }

    @Test
    fun `the app is in the background only when no activity is started`() {
        openAgreed(followAppLifecycle = false).useBlocking { kit ->
            kit.followAppLifecycle(app).use { hooks ->
                val first = Robolectric.buildActivity(Activity::class.java).setup()
                val second = Robolectric.buildActivity(Activity::class.java).setup()
                collectPhone(kit, 3)
                first.pause().stop()
                assertEquals("one activity still visible", 0, hooks.backgroundCount)
                assertNull(kit.lastBackgroundFlush)
                second.pause().stop()
                assertEquals(1, hooks.backgroundCount)
                awaitBackgroundFlush(kit)
                assertEquals(3L, collected(kit, "ride", "phone_number"))
            }
        }
    }

    @Test
    fun `a rotation is not a trip to the background`() {
        openAgreed(followAppLifecycle = false).useBlocking { kit ->
            kit.followAppLifecycle(app).use { hooks ->
                val activity = Robolectric.buildActivity(Activity::class.java).setup()
                activity.recreate()
                assertEquals(0, hooks.backgroundCount)
                assertNull(hooks.lastRefresh)
                activity.pause().stop()
                assertEquals(1, hooks.backgroundCount)
            }
        }
    }

    @Test
    fun `TRIM_MEMORY_UI_HIDDEN flushes, and a stop after it does not flush again`() {
        openAgreed(followAppLifecycle = false).useBlocking { kit ->
            kit.followAppLifecycle(app).use { hooks ->
                val activity = Robolectric.buildActivity(Activity::class.java).setup()
                collectPhone(kit, 4)
                @Suppress("DEPRECATION") // a foreground level: must not count as background
                app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_LOW)
                assertEquals(0, hooks.backgroundCount)

                app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN)
                assertEquals(1, hooks.backgroundCount)
                awaitBackgroundFlush(kit)
                assertEquals(4L, collected(kit, "ride", "phone_number"))

                activity.pause().stop()
                assertEquals("one flush per trip to the background", 1, hooks.backgroundCount)
            }
        }
    }

    @Test
    fun `coming back to the foreground refreshes the kit`() {
        openAgreed(followAppLifecycle = false).useBlocking { kit ->
            kit.followAppLifecycle(app).use { hooks ->
                val activity = Robolectric.buildActivity(Activity::class.java).setup()
                assertNull("the first start is not a return", hooks.lastRefresh)
                activity.pause().stop()
                activity.restart().resume()
                val refresh = hooks.lastRefresh ?: throw AssertionError("no refresh when the activity came back")
                runBlocking { refresh.join() }
                assertFalse("refresh was cancelled", refresh.isCancelled)
                assertNull("refresh failed", hooks.lastRefreshFailure)
                // The next trip to the background flushes again.
                collectPhone(kit, 2)
                activity.pause().stop()
                assertEquals(2, hooks.backgroundCount)
                awaitBackgroundFlush(kit)
                assertEquals(2L, collected(kit, "ride", "phone_number"))
            }
        }
    }

    @Test
    fun `the suspend open and close work from a coroutine, with the database in noBackupFilesDir`(): Unit = runBlocking {
        val kit = ConsentKitAndroid.open(app, MANIFEST_ASSET, options = options, followAppLifecycle = false, deviceKey = null)
        assertTrue(File(app.noBackupFilesDir, "consentkit.db").exists())
        assertEquals(WriteResult.Recorded, kit.agreeToPolicy(kit.state.value.policyVersion))
        collectPhone(kit, 2)
        kit.close()
        ConsentKitAndroid.openBlocking(app, MANIFEST_ASSET, options = options, followAppLifecycle = false, deviceKey = null)
            .useBlocking { again ->
                assertTrue("the agreement is on disk", again.state.value.policyAgreed)
                assertEquals("close() wrote the counts", 2L, collected(again, "ride", "phone_number"))
            }
    }

    @Test
    fun `hooks of a closed kit unregister themselves when the app comes back`() {
        val kit = openAgreed(followAppLifecycle = false)
        val hooks = kit.followAppLifecycle(app)
        val activity = Robolectric.buildActivity(Activity::class.java).setup()
        activity.pause().stop()
        kit.closeBlocking()
        activity.restart().resume()
        runBlocking { checkNotNull(hooks.lastRefresh).join() }
        assertTrue(hooks.lastRefreshFailure is ConsentKitException.Closed)
        activity.pause().stop()
        assertEquals("unregistered: no second background", 1, hooks.backgroundCount)
    }

    @Test
    fun `closed hooks no longer flush`() {
        openAgreed(followAppLifecycle = false).useBlocking { kit ->
            val hooks = kit.followAppLifecycle(app)
            val activity = Robolectric.buildActivity(Activity::class.java).setup()
            hooks.close()
            collectPhone(kit, 2)
            activity.pause().stop()
            app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN)
            assertEquals(0, hooks.backgroundCount)
            assertNull(kit.lastBackgroundFlush)
        }
    }
}
