package dev.consentkit

/**
 * (purpose id, data type id) → slot, in one probe: the hot path of `decide` and `collect`. Each slot holds one
 * combination; [pairOf] gives its index into the core's decision table (`purpose * dataTypes + dataType`), and each
 * [DecisionMirror] keeps its decisions by slot too, so `decide` is a probe plus one array read.
 *
 * Open addressing by identity, with both keys of a slot side by side in one array. The keys are the interned ids
 * ([HandleIndex]) and apps pass string constants, which are interned too, so a probe compares references, and
 * [hash] combines the two strings' [System.identityHashCode]s (a read of each one's header). Not `String.hashCode`:
 * the JIT inlines its hash loop (for strings whose hash is not cached yet) into every caller, twice here, and that
 * made `decide` about twice as slow. Pairs that are not at their first slot, equal-but-distinct strings and
 * unknown ids go to separate, rarely used methods, which keeps the hot path small enough for the JIT to inline it
 * into the caller; for strings that are not the interned ids they look both ids up in their [IdTable]s and probe
 * again with the interned ones.
 *
 * Holds every combination, so a miss means an unknown id. Manifests with more than [MAX_PAIRS] combinations get a
 * table with no keys, whose probe always misses, and the slow path looks the two ids up in their [IdTable]s; their
 * slot is then `capacity + pair`.
 */
internal class PairTable(
    private val purposeIds: IdTable,
    private val dataTypeIds: IdTable,
    private val purposes: List<String>,
    private val dataTypes: List<String>,
) {
    private val width = dataTypes.size
    private val hashed = purposes.size.toLong() * dataTypes.size <= MAX_PAIRS

    /** Number of hashed slots, a power of two. */
    private val capacity: Int

    /**
     * `keys[2 * slot]` purpose, `keys[2 * slot + 1]` data type; null for an empty slot. [ConsentKit] keeps its own
     * reference for `decide` and `collect` and probes the first slot itself (one dependent read less than [slotOf]),
     * then calls [slotAfter].
     */
    val keys: Array<String?>

    /** The [hash] shift of this table: `32 - log2(capacity)`. */
    val shift: Int

    /** Decision-table index per slot, -1 for an empty slot. */
    private val pairs: IntArray

    /** Number of slots, including the `capacity + pair` slots of an unhashed table. */
    val slots: Int

    init {
        // At most an eighth full (a quarter for the largest tables, to stay within about 1 MB), so a pair is seldom
        // past its first slot. An unhashed table has two empty slots (one would need a shift of 32, read as 0).
        var capacity = 2
        if (hashed) {
            capacity = 16
            val n = purposes.size * dataTypes.size
            while (capacity < n * 8 && capacity < MAX_PAIRS * 4) capacity = capacity shl 1
        }
        this.capacity = capacity
        shift = 32 - Integer.numberOfTrailingZeros(capacity)
        keys = arrayOfNulls(2 * capacity)
        pairs = IntArray(capacity) { -1 }
        slots = if (hashed) capacity else capacity + purposes.size * dataTypes.size
        if (hashed) {
            purposes.forEachIndexed { p, purpose ->
                dataTypes.forEachIndexed { d, dataType ->
                    var i = hash(purpose, dataType, shift)
                    while (keys[2 * i] != null) i = (i + 1) and (capacity - 1)
                    keys[2 * i] = purpose
                    keys[2 * i + 1] = dataType
                    pairs[i] = p * width + d
                }
            }
        }
    }

    /** The slot of (purpose, data type), or -1 if either id is unknown. */
    fun slotOf(purpose: String, dataType: String): Int {
        val i = hash(purpose, dataType, shift)
        return if (keys[2 * i] === purpose && keys[2 * i + 1] === dataType) i else slotAfter(i, purpose, dataType)
    }

    /** [slotOf] when (purpose, data type) is not at its first slot [home]: probes on, then [slowSlotOf]. */
    fun slotAfter(home: Int, purpose: String, dataType: String): Int {
        var i = home
        while (true) {
            i = (i + 1) and (capacity - 1)
            val p = keys[2 * i] ?: return slowSlotOf(purpose, dataType)
            if (p === purpose && keys[2 * i + 1] === dataType) return i
        }
    }

    /** The decision-table index of an occupied [slot]. */
    fun pairOf(slot: Int): Int = if (slot < capacity) pairs[slot] else slot - capacity

    /** Strings that are not the interned ids, unknown ids, and every pair of an unhashed table. */
    private fun slowSlotOf(purpose: String, dataType: String): Int {
        val p = purposeIds[purpose]
        val d = dataTypeIds[dataType]
        return when {
            p < 0 || d < 0 -> -1
            hashed -> slotOf(purposes[p], dataTypes[d])
            else -> capacity + p * width + d
        }
    }

    companion object {
        /** Largest manifest (purposes × data types) that gets a hashed table (about 1 MB at the limit). */
        const val MAX_PAIRS = 32_768

        /**
         * The first slot of (purpose, data type) in a table with this [shift]: Fibonacci hashing of the two identity
         * hashes (the top bits of the product), so `0 until 1 shl (32 - shift)`.
         */
        fun hash(purpose: String, dataType: String, shift: Int): Int =
            ((System.identityHashCode(purpose) * 31 + System.identityHashCode(dataType)) * -0x61c88647) ushr shift
    }
}
