package dev.consentkit.android

import android.app.Activity
import android.app.Application
import android.content.ComponentCallbacks2
import android.content.Context
import android.content.res.Configuration
import android.os.Bundle
import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * Ties a [ConsentKit] to the app's visibility with framework APIs only (no AndroidX), so the library needs nothing
 * beyond the platform and runs as is under Robolectric:
 *
 * - **background** (no activity of the app is started any more, or `onTrimMemory(TRIM_MEMORY_UI_HIDDEN)`): calls
 *   [ConsentKit.onBackground], which writes the pending access counts, so the access log is exact up to the moment
 *   the user left the app even if the process is killed afterwards;
 * - **foreground** (the first activity starts again after a background): calls [ConsentKit.refresh] on the
 *   dispatcher, which picks up consent changes another process of the app wrote meanwhile.
 *
 * Started activities are counted with [Application.ActivityLifecycleCallbacks]; an activity stopped for a
 * configuration change (rotation) does not count as leaving. If the hooks are registered while activities are
 * already started (e.g. the kit was opened off the main thread after the first activity), the count starts low:
 * it never goes below zero, and the worst case is one early flush, never a missed one; `TRIM_MEMORY_UI_HIDDEN`,
 * which the system sends when the whole UI is hidden, backs it up. One flush per background either way.
 *
 * Create it with [followAppLifecycle] ([ConsentKitAndroid.open] does by default). [close] unregisters it; after
 * the kit is closed the hooks do nothing and unregister themselves at the next foreground.
 */
class AppLifecycleHooks internal constructor(
    private val kit: ConsentKit,
    context: Context,
    dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    private val application: Application = context.applicationContext as? Application
        ?: throw IllegalArgumentException("the context's applicationContext is not an Application: ${context.applicationContext}")
    private val scope = CoroutineScope(SupervisorJob() + dispatcher)

    // Lifecycle callbacks and onTrimMemory arrive on the main thread: no lock needed for these two.
    private var startedActivities = 0
    private var inBackground = false

    /** The job of the last foreground refresh (tests). */
    @Volatile
    internal var lastRefresh: Job? = null
        private set

    /** Why the last foreground refresh failed, or null if it did not (tests). */
    @Volatile
    internal var lastRefreshFailure: Exception? = null
        private set

    /** How many times the hooks told the kit the app went to the background (tests). */
    @Volatile
    internal var backgroundCount: Int = 0
        private set

    private val activityCallbacks = object : Application.ActivityLifecycleCallbacks {
        override fun onActivityStarted(activity: Activity) {
            startedActivities++
            if (inBackground) {
                inBackground = false
                onForeground()
            }
        }

        override fun onActivityStopped(activity: Activity) {
            startedActivities = maxOf(0, startedActivities - 1)
            // A rotation stops the old instance before the new one starts: not a trip to the background.
            if (startedActivities == 0 && !activity.isChangingConfigurations) onBackgrounded()
        }

        override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) = Unit
        override fun onActivityResumed(activity: Activity) = Unit
        override fun onActivityPaused(activity: Activity) = Unit
        override fun onActivitySaveInstanceState(activity: Activity, outState: Bundle) = Unit
        override fun onActivityDestroyed(activity: Activity) = Unit
    }

    private val componentCallbacks = object : ComponentCallbacks2 {
        override fun onTrimMemory(level: Int) {
            // UI_HIDDEN and the higher levels (BACKGROUND, ...) all mean no UI is visible; lower ones are foreground.
            if (level >= ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN) onBackgrounded()
        }

        override fun onConfigurationChanged(newConfig: Configuration) = Unit

        @Deprecated("Deprecated in Android 14; onTrimMemory is the signal used here")
        override fun onLowMemory() = Unit
    }

    init {
        // Both registrations are thread-safe in the framework: opening off the main thread is fine.
        application.registerActivityLifecycleCallbacks(activityCallbacks)
        application.registerComponentCallbacks(componentCallbacks)
    }

    private fun onBackgrounded() {
        if (inBackground) return
        inBackground = true
        backgroundCount++
        kit.onBackground()
    }

    private fun onForeground() {
        lastRefresh = scope.launch {
            try {
                kit.refresh()
                lastRefreshFailure = null
            } catch (e: ConsentKitException.Closed) {
                lastRefreshFailure = e
                close()
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                lastRefreshFailure = e
                // Another process's changes are also picked up within about a second; a failed refresh is not fatal.
            }
        }
    }

    /** Unregisters the hooks (e.g. before closing the kit yourself); calling it again does nothing. */
    override fun close() {
        application.unregisterActivityLifecycleCallbacks(activityCallbacks)
        application.unregisterComponentCallbacks(componentCallbacks)
        scope.cancel()
    }
}

/**
 * Flushes this kit's access counts when the app goes to the background and refreshes it when the app comes back
 * (see [AppLifecycleHooks]); it exists so an app that opens [ConsentKit] itself gets what [ConsentKitAndroid.open]
 * wires by default. Call it once per kit, from any thread; [dispatcher] runs the foreground refresh. Returns the
 * hooks: `close()` them to stop.
 */
@JvmOverloads
fun ConsentKit.followAppLifecycle(context: Context, dispatcher: CoroutineDispatcher = Dispatchers.IO): AppLifecycleHooks =
    AppLifecycleHooks(this, context, dispatcher)
