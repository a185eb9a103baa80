package dev.consentkit.android

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.content.SharedPreferences
import android.content.pm.PackageManager
import android.graphics.Color
import android.net.Uri
import android.os.Build
import android.provider.Settings
import android.view.Gravity
import android.view.ViewGroup
import android.widget.FrameLayout
import android.widget.TextView
import dev.consentkit.ConsentKit
import dev.consentkit.OsPermission
import dev.consentkit.PermissionRequest
import dev.consentkit.PermissionState
import dev.consentkit.Prompt
import dev.consentkit.osPermissionTable
import dev.consentkit.setPermissionState

/**
 * Android's runtime permissions reported to a [ConsentKit], with framework APIs only (no AndroidX):
 * `checkSelfPermission`, `requestPermissions` and its result, `shouldShowRequestPermissionRationale` to tell a
 * denial the system will ask again about from a permanent one, and a plain top-of-screen explanation shown while the
 * system dialog is up (MIIT: tell the user the purpose at the same time as the request).
 *
 * - Create it in the activity's `onCreate` (it reports every permission's state at once: a process restart starts
 *   from the truth) and call [reportAll] again in `onResume` (the user may have changed them in the settings).
 * - When [ConsentKit.nextPrompt] returns a [Prompt.OsStep] ([Prompt.OsPermission], [Prompt.OpenSettings]), pass it
 *   to [perform]; forward the activity's `onRequestPermissionsResult` to [onRequestPermissionsResult].
 *
 * Which Android permissions make up each ConsentKit permission (`location`, `camera`, `photos`, ...) comes from the
 * core's platform table, filtered by the device's API level and by what the app's manifest declares. A permission
 * the app does not declare on this API level is reported [PermissionState.RESTRICTED] (it cannot be granted); one
 * that does not exist yet on this API level (e.g. `ACTIVITY_RECOGNITION` before Android 10, `AD_ID` before 13) is
 * [PermissionState.GRANTED]. The time of a denial is kept in [SharedPreferences], so the core's 48 h cooldown
 * survives a restart. The `tracking` permission (AD_ID) is install-time: it is granted unless the app reports the
 * user's "opt out of ads personalisation" with [reportAdsOptOut].
 */
class PermissionBridge(
    private val kit: ConsentKit,
    private val activity: Activity,
    private val prefs: SharedPreferences = activity.getSharedPreferences(PREFS, Context.MODE_PRIVATE),
    private val now: () -> Long = System::currentTimeMillis,
) {
    private val table: List<OsPermission> = osPermissionTable()
    /** What the app's manifest requests; null when the package manager does not say (then every name counts). */
    private val declared: Set<String>? = declaredPermissions(activity)
    private var pending: Pending? = null
    private var explanationView: TextView? = null

    private class Pending(val permission: String, val names: Array<String>, val done: (PermissionState) -> Unit)

    init {
        reportAll()
    }

    /** Reports the current state of every permission in the table. */
    fun reportAll() {
        for (p in table) kit.setPermissionState(p.id, stateOf(p), deniedSince(p.id))
    }

    /** The app's own "opt out of ads personalisation" answer (Play services' setting, read by the app): reported as the `tracking` state. */
    fun reportAdsOptOut(optedOut: Boolean) {
        prefs.edit().putBoolean(KEY_ADS_OPT_OUT, optedOut).apply()
        table.firstOrNull { it.id == TRACKING }?.let { kit.setPermissionState(it.id, stateOf(it), null) }
    }

    /**
     * Carries out the OS step of a prompt: [Prompt.OsPermission] shows the explanation at the top of the screen
     * and the system dialog (the outcome arrives through [onRequestPermissionsResult], then [done] is called);
     * [Prompt.OpenSettings] opens the app's page in the system settings. Returns false for any other prompt
     * (the app shows our own consent prompts itself) or when nothing can be requested.
     */
    fun perform(prompt: Prompt, done: (PermissionState) -> Unit = {}): Boolean = when (prompt) {
        is Prompt.OsPermission -> request(prompt.permission, done)
        is Prompt.OpenSettings -> {
            activity.startActivity(
                Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", activity.packageName, null)),
            )
            true
        }
        is Prompt.Policy, is Prompt.ChildrenRulesAgreement, is Prompt.Purpose -> false
    }

    private fun request(request: PermissionRequest, done: (PermissionState) -> Unit): Boolean {
        val p = table.firstOrNull { it.id == request.id } ?: return false
        val names = runtimeNames(p).toTypedArray()
        if (names.isEmpty() || pending != null) return false
        pending = Pending(p.id, names, done)
        prefs.edit().putBoolean(KEY_ASKED + p.id, true).apply()
        showExplanation(request.explanation)
        activity.requestPermissions(names, REQUEST_CODE)
        return true
    }

    /** Forward the activity's `onRequestPermissionsResult` here; returns whether it was this bridge's request. */
    fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray): Boolean {
        val current = pending
        if (requestCode != REQUEST_CODE || current == null) return false
        pending = null
        hideExplanation()
        val p = table.first { it.id == current.permission }
        val state = stateOf(p)
        val editor = prefs.edit()
        if (state == PermissionState.DENIED || state == PermissionState.DENIED_PERMANENTLY) {
            editor.putLong(KEY_DENIED_AT + p.id, now())
        } else {
            editor.remove(KEY_DENIED_AT + p.id)
        }
        editor.apply()
        kit.setPermissionState(p.id, state, deniedSince(p.id))
        current.done(state)
        return true
    }

    /** The state of one permission now, from the framework. */
    fun stateOf(p: OsPermission): PermissionState {
        val sdk = Build.VERSION.SDK_INT
        val applicable = p.android.filter { it.appliesOn(sdk) }
        if (applicable.isEmpty()) return PermissionState.GRANTED // not guarded on this Android version
        val usable = applicable.filter { isDeclared(it.name) }
        if (usable.isEmpty()) return PermissionState.RESTRICTED
        if (p.id == TRACKING && prefs.getBoolean(KEY_ADS_OPT_OUT, false)) return PermissionState.DENIED_PERMANENTLY
        fun granted(name: String) = activity.checkSelfPermission(name) == PackageManager.PERMISSION_GRANTED
        if (usable.any { !it.limited && (it.installTime || granted(it.name)) }) return PermissionState.GRANTED
        if (usable.any { it.limited && granted(it.name) }) return PermissionState.LIMITED
        if (!prefs.getBoolean(KEY_ASKED + p.id, false)) return PermissionState.NOT_DETERMINED
        // Asked and not granted: the system asks again only while it wants a rationale shown.
        return if (usable.any { activity.shouldShowRequestPermissionRationale(it.name) }) {
            PermissionState.DENIED
        } else {
            PermissionState.DENIED_PERMANENTLY
        }
    }

    private fun runtimeNames(p: OsPermission): List<String> =
        p.android.filter { it.appliesOn(Build.VERSION.SDK_INT) && !it.installTime && isDeclared(it.name) }.map { it.name }

    private fun isDeclared(name: String): Boolean = declared?.contains(name) ?: true

    private fun deniedSince(id: String): Long? = prefs.getLong(KEY_DENIED_AT + id, -1L).takeIf { it >= 0 }

    private fun showExplanation(text: String) {
        hideExplanation()
        val view = TextView(activity).apply {
            this.text = text
            setBackgroundColor(Color.argb(0xF0, 0x20, 0x20, 0x20))
            setTextColor(Color.WHITE)
            val pad = (16 * resources.displayMetrics.density).toInt()
            setPadding(pad, pad * 2, pad, pad)
            contentDescription = text
        }
        val decor = activity.window.decorView as ViewGroup
        decor.addView(view, FrameLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT, Gravity.TOP))
        explanationView = view
    }

    private fun hideExplanation() {
        explanationView?.let { (it.parent as? ViewGroup)?.removeView(it) }
        explanationView = null
    }

    /** The explanation shown now, or null (tests and UI checks). */
    val explanationShown: String? get() = explanationView?.text?.toString()

    companion object {
        /** The request code the bridge uses with `requestPermissions`. */
        const val REQUEST_CODE = 0x4B43

        private const val PREFS = "dev.consentkit.permissions"
        private const val KEY_ASKED = "asked."
        private const val KEY_DENIED_AT = "deniedAt."
        private const val KEY_ADS_OPT_OUT = "adsOptOut"
        private const val TRACKING = "tracking"

        @Suppress("DEPRECATION")
        private fun declaredPermissions(context: Context): Set<String>? =
            runCatching {
                context.packageManager.getPackageInfo(context.packageName, PackageManager.GET_PERMISSIONS).requestedPermissions
            }.getOrNull()?.toSet()
    }
}
