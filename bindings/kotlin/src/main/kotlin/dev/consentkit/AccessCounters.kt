package dev.consentkit

import dev.consentkit.internal.AccessEntry
import java.util.concurrent.atomic.AtomicLongArray

/**
 * Lock-free counts of collections the facade allowed from its mirror, waiting to be sent to the core in one
 * `recordAccess` batch. One counter per declared (purpose, data type) and recipient (the app itself or one of the
 * manifest's third parties).
 *
 * @param declared per (purpose, data type), purpose-major: whether the manifest declares the pair (the core's
 *   decision code is not "not declared"; that never changes for an instance).
 */
internal class AccessCounters(
    private val width: Int,
    thirdParties: Int,
    declared: BooleanArray,
    private val batchSize: Int,
) {
    /** Counters per pair: slot 0 is the app itself, slot 1 + t third party t. */
    private val stride = thirdParties + 1

    /** First counter of each pair, or -1 for an undeclared pair. */
    private val base = IntArray(declared.size) { -1 }

    /** The pair of each counter block (counter / stride). */
    private val pairOfBlock: IntArray

    private val counts: AtomicLongArray

    init {
        var blocks = 0
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) base[pair] = stride * blocks++ }
        pairOfBlock = IntArray(blocks)
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) pairOfBlock[base[pair] / stride] = pair }
        counts = AtomicLongArray(blocks * stride)
    }

    /**
     * Counts one collection of a declared [pair] for [recipient] (a third-party handle, or -1 for the app).
     * Returns true exactly once per batch of a counter, when it reaches the threshold: the caller then queues a
     * send, which drains every counter. (Testing `==`, not `>=`, keeps the collectors from all contending on the
     * send flag while a send is on its way; counts restored after a failed send wait for the next send.)
     */
    fun add(pair: Int, recipient: Int): Boolean = counts.incrementAndGet(base[pair] + recipient + 1) == batchSize.toLong()

    /** Takes every pending count (resetting it) as batch entries for the core. */
    fun drain(): List<AccessEntry> {
        val out = ArrayList<AccessEntry>()
        for (slot in 0 until counts.length()) {
            if (counts.get(slot) == 0L) continue
            val n = counts.getAndSet(slot, 0)
            if (n == 0L) continue
            val pair = pairOfBlock[slot / stride]
            val recipient = slot % stride - 1
            out += AccessEntry(
                purpose = (pair / width).toUInt(),
                dataType = (pair % width).toUInt(),
                recipient = if (recipient < 0) UInt.MAX_VALUE else recipient.toUInt(),
                count = n.toULong(),
            )
        }
        return out
    }

    /** Puts counts back after a failed send, so none is lost. */
    fun restore(entries: List<AccessEntry>) {
        for (e in entries) {
            val pair = e.purpose.toInt() * width + e.dataType.toInt()
            val recipient = if (e.recipient == UInt.MAX_VALUE) -1 else e.recipient.toInt()
            counts.addAndGet(base[pair] + recipient + 1, e.count.toLong())
        }
    }
}
