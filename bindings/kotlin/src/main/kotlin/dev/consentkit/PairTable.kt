package dev.consentkit

/**
 * (purpose id, data type id) → slot, in one probe: the hot path of `decide` and `collect`. Each slot holds one
 * combination; [pairOf] gives its index into the core's decision table (`purpose * dataTypes + dataType`), and each
 * [DecisionMirror] keeps its decisions by slot too, so `decide` is a probe plus one array read.
 *
 * Open addressing with both keys of a slot side by side in one array. Apps pass string constants, which are
 * interned, and [HandleIndex] interns the keys, so the first probe compares identities; equal-but-distinct strings,
 * collisions and misses go to a separate, rarely used method, which keeps the hot path small enough for the JIT to
 * inline it into the caller. (Two separate id lookups cost about twice as much: each is a chain of dependent reads.)
 *
 * Holds every combination, so a miss means an unknown id. Manifests with more than [MAX_PAIRS] combinations get a
 * one-slot table whose probe always misses, and the slow path looks the two ids up in their [IdTable]s; their slot
 * is then `capacity + pair`.
 */
internal class PairTable(
    private val purposeIds: IdTable,
    private val dataTypeIds: IdTable,
    purposes: List<String>,
    dataTypes: List<String>,
) {
    private val width = dataTypes.size
    private val hashed = purposes.size.toLong() * dataTypes.size <= MAX_PAIRS
    private val mask: Int

    /** `keys[2 * slot]` purpose, `keys[2 * slot + 1]` data type; null for an empty slot. */
    private val keys: Array<String?>

    /** Decision-table index per slot, -1 for an empty slot. */
    private val pairs: IntArray

    /** Number of slots, including the `capacity + pair` slots of an unhashed table. */
    val slots: Int

    init {
        var capacity = 1
        if (hashed) {
            capacity = 16
            while (capacity < purposes.size * dataTypes.size * 3) capacity = capacity shl 1
        }
        mask = capacity - 1
        keys = arrayOfNulls(2 * capacity)
        pairs = IntArray(capacity) { -1 }
        slots = if (hashed) capacity else capacity + purposes.size * dataTypes.size
        if (hashed) {
            purposes.forEachIndexed { p, purpose ->
                dataTypes.forEachIndexed { d, dataType ->
                    var i = hash(purpose, dataType)
                    while (keys[2 * i] != null) i = (i + 1) and mask
                    keys[2 * i] = purpose
                    keys[2 * i + 1] = dataType
                    pairs[i] = p * width + d
                }
            }
        }
    }

    /** The slot of (purpose, data type), or -1 if either id is unknown. */
    fun slotOf(purpose: String, dataType: String): Int {
        val i = hash(purpose, dataType)
        return if (keys[2 * i] === purpose && keys[2 * i + 1] === dataType) i else probe(purpose, dataType, i)
    }

    /** The decision-table index of an occupied [slot]. */
    fun pairOf(slot: Int): Int = if (slot <= mask) pairs[slot] else slot - mask - 1

    private fun probe(purpose: String, dataType: String, start: Int): Int {
        if (!hashed) {
            val p = purposeIds[purpose]
            val d = dataTypeIds[dataType]
            return if (p < 0 || d < 0) -1 else mask + 1 + p * width + d
        }
        var i = start
        while (true) {
            val p = keys[2 * i] ?: return -1
            if (p == purpose && keys[2 * i + 1] == dataType) return i
            i = (i + 1) and mask
        }
    }

    private fun hash(purpose: String, dataType: String): Int {
        val h = purpose.hashCode() * 31 + dataType.hashCode()
        return (h xor (h ushr 15)) and mask
    }

    companion object {
        /** Largest manifest (purposes × data types) that gets a hashed table (about 1 MB at the limit). */
        const val MAX_PAIRS = 32_768
    }
}
