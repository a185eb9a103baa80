package dev.consentkit

/**
 * Where the IAB in-app keys go: on Android the app's default SharedPreferences (`dev.consentkit.android`'s
 * `SharedPreferencesIabStore`), in tests [InMemoryIabPreferenceStore]. The specs store numbers as integers and
 * everything else as strings.
 */
interface IabPreferenceStore {
    /** Every key currently stored (the writer removes the `IABTCF_` / `IABGPP_` ones it no longer writes). */
    fun keys(): Set<String>

    /** Stores an integer value. */
    fun putInt(key: String, value: Int)

    /** Stores a string value. */
    fun putString(key: String, value: String)

    /** Removes a key. */
    fun remove(key: String)

    /** Makes the batch of changes since the last call visible together (SharedPreferences' `apply`). */
    fun commit() {}
}

/** A map-backed [IabPreferenceStore] for tests and for apps that forward the keys themselves. Thread-safe. */
class InMemoryIabPreferenceStore : IabPreferenceStore {
    private val values = java.util.concurrent.ConcurrentHashMap<String, Any>()

    /** A copy of every key and value. */
    fun snapshot(): Map<String, Any> = HashMap(values)

    /** The value of [key] (an `Int` or a `String`), or null. */
    operator fun get(key: String): Any? = values[key]

    override fun keys(): Set<String> = HashSet(values.keys)
    override fun putInt(key: String, value: Int) { values[key] = value }
    override fun putString(key: String, value: String) { values[key] = value }
    override fun remove(key: String) { values.remove(key) }
}
