package dev.consentkit.android

import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import dev.consentkit.ConsentKit

/**
 * Writes the pending access counts whenever the app goes to the background (the process lifecycle's ON_STOP,
 * i.e. no activity of the app is visible any more), by calling [ConsentKit.onBackground]. The access log is then
 * exact up to the moment the user left the app, even if the process is killed afterwards.
 *
 * Call it once, on the main thread, right after opening ([ConsentKitAndroid.open] does it for you). Returns a
 * handle whose `close()` stops it (e.g. before closing the kit).
 */
fun ConsentKit.flushWhenBackgrounded(lifecycleOwner: LifecycleOwner = ProcessLifecycleOwner.get()): AutoCloseable {
    val observer = object : DefaultLifecycleObserver {
        override fun onStop(owner: LifecycleOwner) = onBackground()
    }
    val lifecycle = lifecycleOwner.lifecycle
    lifecycle.addObserver(observer)
    return AutoCloseable { lifecycle.removeObserver(observer) }
}
