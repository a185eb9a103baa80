package dev.consentkit.android

import android.content.Context
import android.content.SharedPreferences
import dev.consentkit.IabPreferenceStore

/**
 * The IAB in-app keys' home on Android: the app's default SharedPreferences, where the TCF and GPP CMP API specs
 * say SDKs read `IABTCF_*` / `IABGPP_*` (`PreferenceManager.getDefaultSharedPreferences`). Changes are batched in
 * one editor and applied together on [commit], so an SDK listening for changes never sees half a state.
 *
 * ```
 * IabPreferencesWriter(kit, SharedPreferencesIabStore.default(context)).start(appScope)
 * ```
 */
class SharedPreferencesIabStore(private val prefs: SharedPreferences) : IabPreferenceStore {
    private val lock = Any()
    private var editor: SharedPreferences.Editor? = null

    private fun edit(block: SharedPreferences.Editor.() -> Unit) = synchronized(lock) {
        (editor ?: prefs.edit().also { editor = it }).block()
    }

    override fun keys(): Set<String> = prefs.all.keys.toSet()
    override fun putInt(key: String, value: Int) = edit { putInt(key, value) }
    override fun putString(key: String, value: String) = edit { putString(key, value) }
    override fun remove(key: String) = edit { remove(key) }

    override fun commit() = synchronized(lock) {
        editor?.apply()
        editor = null
    }

    companion object {
        /**
         * The default SharedPreferences of [context]'s application (`<package>_preferences`, the file
         * `PreferenceManager.getDefaultSharedPreferences` opens, without the deprecated android.preference API).
         */
        @JvmStatic
        fun default(context: Context): SharedPreferencesIabStore {
            val app = context.applicationContext ?: context
            return SharedPreferencesIabStore(app.getSharedPreferences("${app.packageName}_preferences", Context.MODE_PRIVATE))
        }
    }
}
