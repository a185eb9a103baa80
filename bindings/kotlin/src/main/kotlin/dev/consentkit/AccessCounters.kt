package dev.consentkit

import dev.consentkit.internal.AccessEntry
import java.util.concurrent.atomic.AtomicLongArray

/**
 * Counts of collections the facade allowed from its mirror, waiting to be sent to the core in one `recordAccess`
 * batch. One counter per declared (purpose, data type), for the app itself: collections with a recipient are
 * answered and counted by the core (only it knows a purpose's recipients).
 *
 * Two sets of cells, so that the thread that collects most (in an app, the one that collects first: usually the
 * main thread) counts without an atomic read-modify-write, whose full fence costs that thread more than the rest
 * of `collect` together (issue 17):
 * - the *home* thread (the first thread to count) keeps its own counts, which only grow: it reads its cell and
 *   writes it back with an ordered store (no lock, no fence; no other thread writes them), and a drain takes what
 *   has grown since the previous drain;
 * - every other thread increments a shared atomic cell, which a drain resets with `getAndSet`.
 * Either way every count is taken by exactly one drain: none is lost, none is sent twice.
 *
 * [drain], [restore] and [hasPending] must be called under one lock (the facade's flush lock): they keep how much of
 * the home counts was taken.
 *
 * @param declared per (purpose, data type), purpose-major: whether the manifest declares the pair (the core's
 *   decision code is not "not declared"; that never changes for an instance).
 * @param batchSize how many collections of one pair make a batch worth sending ([ConsentKitOptions.collectBatchSize]).
 */
internal class AccessCounters(
    private val width: Int,
    declared: BooleanArray,
    private val batchSize: Long,
) {
    /** The counter of each pair, or -1 for an undeclared pair. */
    private val counterOfPair = IntArray(declared.size) { -1 }

    /** The pair of each counter. */
    private val pairOfCounter: IntArray

    /** Counts of threads other than the home thread, reset by each drain. */
    private val shared: AtomicLongArray

    /** The home thread's counts since open: written by it alone (ordered stores), read by drains. */
    private val home: AtomicLongArray

    /** How much of each [home] count drains have taken (under the drain lock). */
    private val homeTaken: LongArray

    /** The home thread's own: the [home] count at which it asks for a batch send next. */
    private val homeNextSend: LongArray

    /** The thread that counts in [home]: the first one to count (null until then); it never changes. */
    @Volatile
    private var homeThread: Thread? = null

    init {
        var counters = 0
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) counterOfPair[pair] = counters++ }
        pairOfCounter = IntArray(counters)
        declared.forEachIndexed { pair, isDeclared -> if (isDeclared) pairOfCounter[counterOfPair[pair]] = pair }
        shared = AtomicLongArray(counters)
        home = AtomicLongArray(counters)
        homeTaken = LongArray(counters)
        homeNextSend = LongArray(counters) { batchSize }
    }

    /** The counter of a declared [pair] (what [add] takes), or -1 for an undeclared one. */
    fun counterOf(pair: Int): Int = counterOfPair[pair]

    /**
     * Counts one collection on [counter] (see [counterOf]); returns whether the caller should send a batch now: on
     * the home thread every [batchSize] of its collections of the pair, on another thread when the shared count
     * reaches [batchSize] exactly (`==`, not `>=`, keeps the collectors from all contending on the send flag while
     * a send is on its way).
     */
    fun add(counter: Int): Boolean {
        if (Thread.currentThread() !== homeThread) return addElsewhere(counter)
        // Only this thread writes home[counter]: read, then an ordered store, instead of a locked increment.
        val count = home.get(counter) + 1
        home.lazySet(counter, count)
        if (count != homeNextSend[counter]) return false
        homeNextSend[counter] = count + batchSize
        return true
    }

    /** [add] on a thread that is not (yet) the home thread. */
    private fun addElsewhere(counter: Int): Boolean {
        if (homeThread == null && claimHome()) return add(counter)
        return shared.incrementAndGet(counter) == batchSize
    }

    /** Makes the calling thread the home thread if there is none yet; returns whether it is now. */
    private fun claimHome(): Boolean = synchronized(this) {
        if (homeThread == null) homeThread = Thread.currentThread()
        homeThread === Thread.currentThread()
    }

    /** Takes every pending count as batch entries for the core (under the drain lock). */
    fun drain(): List<AccessEntry> {
        val out = ArrayList<AccessEntry>()
        for (counter in 0 until pairOfCounter.size) {
            var n = if (shared.get(counter) == 0L) 0L else shared.getAndSet(counter, 0)
            val homeCount = home.get(counter)
            if (homeCount != homeTaken[counter]) {
                n += homeCount - homeTaken[counter]
                homeTaken[counter] = homeCount
            }
            if (n == 0L) continue
            val pair = pairOfCounter[counter]
            out += AccessEntry(
                purpose = (pair / width).toUInt(),
                dataType = (pair % width).toUInt(),
                recipient = UInt.MAX_VALUE,
                count = n.toULong(),
            )
        }
        return out
    }

    /** Whether a count is waiting for a drain (under the drain lock). */
    fun hasPending(): Boolean {
        for (counter in 0 until pairOfCounter.size) {
            if (shared.get(counter) != 0L || home.get(counter) != homeTaken[counter]) return true
        }
        return false
    }

    /** Puts counts back after a failed send, so none is lost (into the shared cells: any thread may hold them). */
    fun restore(entries: List<AccessEntry>) {
        for (e in entries) {
            shared.addAndGet(counterOfPair[e.purpose.toInt() * width + e.dataType.toInt()], e.count.toLong())
        }
    }
}
