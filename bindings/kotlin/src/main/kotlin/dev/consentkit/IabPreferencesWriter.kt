package dev.consentkit

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.distinctUntilChangedBy
import kotlinx.coroutines.launch

/**
 * Writes the IAB in-app keys — `IABTCF_*` (TCF CMP API v2, "In-App Details") and `IABGPP_*` (GPP CMP API, "In-App
 * Key Names") — to a [IabPreferenceStore], exactly as the core lists them, on every consent change.
 *
 * The keys are present only while the user's agreement to the current privacy policy holds: before the first
 * agreement, after [ConsentKit.eraseAll], or once a new policy version awaits agreement, every `IABTCF_` /
 * `IABGPP_` key is removed, so no SDK reads a stale or premature signal. Any key under those prefixes that the
 * current state does not list is removed too (the writer owns the prefixes, as the specs ask of a CMP).
 *
 * ```
 * val writer = IabPreferencesWriter(kit, SharedPreferencesIabStore.default(context))
 * writer.start(appScope)          // writes now and after every change
 * ```
 */
class IabPreferencesWriter(
    private val kit: ConsentKit,
    private val store: IabPreferenceStore,
    /** The regime to signal; null uses the manifest's `frameworks.jurisdiction` (default EU). */
    private val jurisdiction: FrameworkJurisdiction? = null,
) {
    private val lock = Any()

    /** Writes the keys of the current state (or removes them all when the policy agreement does not hold). */
    fun sync(): FrameworkSignals {
        val signals = kit.frameworkSignals(jurisdiction)
        write(if (kit.state.value.policyAgreed) signals.preferences else emptyList())
        return signals
    }

    /** Removes every `IABTCF_` / `IABGPP_` key (e.g. when the app stops using ConsentKit as its CMP). */
    fun clear() = write(emptyList())

    /** Writes now, then after every consent change, until [scope] is cancelled or the returned job is. */
    fun start(scope: CoroutineScope): Job = scope.launch {
        kit.state.distinctUntilChangedBy { it.version }.collect { sync() }
    }

    private fun write(preferences: List<FrameworkPreference>) = synchronized(lock) {
        val keep = HashSet<String>()
        for (p in preferences) {
            keep += p.key
            val int = p.intValue
            if (int != null) store.putInt(p.key, int.toInt()) else store.putString(p.key, p.textValue ?: "")
        }
        for (key in store.keys()) {
            if (key !in keep && PREFIXES.any { key.startsWith(it) }) store.remove(key)
        }
        store.commit()
    }

    private companion object {
        val PREFIXES = listOf("IABTCF_", "IABGPP_")
    }
}
