package dev.consentkit

/**
 * Google Consent Mode v2 for Firebase Analytics: the map `FirebaseAnalytics.setConsent` takes, and a helper that
 * calls it by reflection, so the app needs no compile-time dependency on Firebase (and nothing happens without it).
 *
 * ```
 * FirebaseConsentMode.apply(FirebaseAnalytics.getInstance(context), kit.frameworkSignals())
 * ```
 * On Android, `dev.consentkit.android.FirebaseConsent.update(context, kit)` finds the instance itself.
 */
object FirebaseConsentMode {
    private const val ANALYTICS = "com.google.firebase.analytics.FirebaseAnalytics"

    /** Signal → `"granted"` / `"denied"` (the names `ConsentType` and `ConsentStatus` use, lower case). */
    @JvmStatic
    fun map(signals: FrameworkSignals): Map<String, String> =
        signals.consentMode.mapValues { (_, granted) -> if (granted) "granted" else "denied" }

    /**
     * Calls `analytics.setConsent(Map<ConsentType, ConsentStatus>)` with every signal. Returns false (and changes
     * nothing) when [analytics] is not a FirebaseAnalytics or its SDK lacks a signal (an SDK older than Consent Mode v2).
     */
    @JvmStatic
    fun apply(analytics: Any, signals: FrameworkSignals): Boolean {
        val cls = analytics.javaClass
        if (cls.name != ANALYTICS) return false
        return try {
            val typeClass = Class.forName("$ANALYTICS\$ConsentType", true, cls.classLoader)
            val statusClass = Class.forName("$ANALYTICS\$ConsentStatus", true, cls.classLoader)
            val consent = LinkedHashMap<Any, Any>()
            for ((signal, granted) in signals.consentMode) {
                consent[enumValue(typeClass, signal.uppercase())] = enumValue(statusClass, if (granted) "GRANTED" else "DENIED")
            }
            cls.getMethod("setConsent", Map::class.java).invoke(analytics, consent)
            true
        } catch (e: ReflectiveOperationException) {
            false
        } catch (e: IllegalArgumentException) {
            false
        }
    }

    /** True when Firebase Analytics is on the class path of [loader]. */
    @JvmStatic
    fun isPresent(loader: ClassLoader? = FirebaseConsentMode::class.java.classLoader): Boolean =
        runCatching { Class.forName(ANALYTICS, false, loader) }.isSuccess

    private fun enumValue(cls: Class<*>, name: String): Any =
        cls.enumConstants?.firstOrNull { (it as Enum<*>).name == name }
            ?: throw IllegalArgumentException("$name is not a ${cls.simpleName}")
}
