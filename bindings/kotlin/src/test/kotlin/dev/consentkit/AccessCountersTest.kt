package dev.consentkit

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.concurrent.thread

/**
 * The facade's access counters on their own: the home thread (the first to count) counts without an atomic
 * read-modify-write, other threads in shared atomic cells, and drains racing with both take every count exactly once.
 */
class AccessCountersTest {
    // 2 purposes x 3 data types; pair 4 is not declared.
    private val declared = booleanArrayOf(true, true, true, true, false, true)

    private fun drainedByPair(counters: AccessCounters, into: LongArray) {
        for (e in counters.drain()) into[e.purpose.toInt() * 3 + e.dataType.toInt()] += e.count.toLong()
    }

    @Test
    fun `home and other threads count exactly while drains race with them`() {
        val counters = AccessCounters(width = 3, declared = declared, batchSize = 1_000)
        val pairs = intArrayOf(0, 1, 2, 3, 5)
        val perThread = 200_000
        val drained = LongArray(declared.size)
        val lock = Any()
        val counting = AtomicBoolean(true)
        // This thread counts first: it is the home thread; the four others count in the shared cells.
        assertFalse(counters.add(counters.counterOf(0)))
        val start = CountDownLatch(1)
        val others = (1..4).map { t ->
            thread {
                start.await()
                repeat(perThread) { i -> counters.add(counters.counterOf(pairs[(i + t) % pairs.size])) }
            }
        }
        val drainer = thread {
            start.await()
            while (counting.get()) synchronized(lock) { drainedByPair(counters, drained) }
        }
        start.countDown()
        repeat(perThread) { i -> counters.add(counters.counterOf(pairs[i % pairs.size])) }
        others.forEach { it.join() }
        counting.set(false)
        drainer.join()
        synchronized(lock) {
            drainedByPair(counters, drained)
            assertFalse(counters.hasPending())
        }
        val expected = LongArray(declared.size)
        expected[0] = 1
        for (t in 0..4) repeat(perThread) { i -> expected[pairs[(i + t) % pairs.size]]++ }
        assertEquals(expected.toList(), drained.toList())
    }

    @Test
    fun `the home thread asks for a batch every batchSize collections of a pair, other threads at batchSize pending`() {
        val counters = AccessCounters(width = 3, declared = declared, batchSize = 10)
        val c = counters.counterOf(1)
        val homeSignals = (1..25).filter { counters.add(c) }
        assertEquals(listOf(10, 20), homeSignals)
        var otherSignals = listOf<Int>()
        thread { otherSignals = (1..25).filter { counters.add(c) } }.join()
        assertEquals(listOf(10), otherSignals)
        assertTrue(counters.hasPending())
        assertEquals(50L, counters.drain().single().count.toLong())
        assertFalse(counters.hasPending())
    }

    @Test
    fun `counts put back after a failed send are taken by the next drain`() {
        val counters = AccessCounters(width = 3, declared = declared, batchSize = 100)
        repeat(7) { counters.add(counters.counterOf(5)) }
        val entries = counters.drain()
        assertFalse(counters.hasPending())
        counters.restore(entries)
        repeat(2) { counters.add(counters.counterOf(5)) }
        val again = counters.drain().single()
        assertEquals(1u, again.purpose)
        assertEquals(2u, again.dataType)
        assertEquals(9L, again.count.toLong())
    }
}
