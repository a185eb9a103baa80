package dev.consentkit

import dev.consentkit.internal.AccessEntry
import java.util.concurrent.atomic.AtomicLongArray

/**
 * Lock-free counts of collections the facade allowed from its mirror, waiting to be sent to the core in one
 * `recordAccess` batch. One counter per declared (purpose, data type), for the app itself: collections with a
 * recipient are answered and counted by the core (only it knows a purpose's recipients).
 *
 * @param declared per (purpose, data type), purpose-major: whether the manifest declares the pair (the core's
 *   decision code is not "not declared"; that never changes for an instance).
 */
internal class AccessCounters(
    private val width: Int,
    declared: BooleanArray,
) {
    /** The counter of each pair, or -1 for an undeclared pair. */
    private val slotOfPair = IntArray(declared.size) { -1 }

    /** The pair of each counter. */
    private val pairOfSlot: IntArray

    private val counts: AtomicLongArray

    init {
        var slots = 0
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) slotOfPair[pair] = slots++ }
        pairOfSlot = IntArray(slots)
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) pairOfSlot[slotOfPair[pair]] = pair }
        counts = AtomicLongArray(slots)
    }

    /**
     * Counts one collection of a declared [pair]; returns the pair's pending count after it. The caller sends a
     * batch when it reaches the threshold exactly (testing `==`, not `>=`, keeps the collectors from all
     * contending on the send flag while a send is on its way) and arms the flush timer when it is 1.
     */
    fun add(pair: Int): Long = counts.incrementAndGet(slotOfPair[pair])

    /** Takes every pending count (resetting it) as batch entries for the core. */
    fun drain(): List<AccessEntry> {
        val out = ArrayList<AccessEntry>()
        for (slot in 0 until counts.length()) {
            if (counts.get(slot) == 0L) continue
            val n = counts.getAndSet(slot, 0)
            if (n == 0L) continue
            val pair = pairOfSlot[slot]
            out += AccessEntry(
                purpose = (pair / width).toUInt(),
                dataType = (pair % width).toUInt(),
                recipient = UInt.MAX_VALUE,
                count = n.toULong(),
            )
        }
        return out
    }

    /** Puts counts back after a failed send, so none is lost. */
    fun restore(entries: List<AccessEntry>) {
        for (e in entries) {
            counts.addAndGet(slotOfPair[e.purpose.toInt() * width + e.dataType.toInt()], e.count.toLong())
        }
    }
}
