package dev.consentkit

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The hot-path id tables find every id by identity and by equality, and miss unknown ids. */
class LookupTablesTest {
    private fun ids(prefix: String, n: Int) = List(n) { "$prefix$it".intern() }

    /** An equal string that is not the same instance (as built at run time, or decoded from JSON). */
    private fun copy(s: String) = String(s.toCharArray())

    @Test
    fun `IdTable finds every id and misses others`() {
        for (n in listOf(0, 1, 7, 64, 1000)) {
            val list = ids("id_", n)
            val table = IdTable(list)
            list.forEachIndexed { handle, id ->
                assertEquals(handle, table[id])
                assertEquals(handle, table[copy(id)])
            }
            assertEquals(-1, table["nope"])
            assertEquals(-1, table[""])
        }
    }

    @Test
    fun `PairTable finds every pair, small and over the size limit`() {
        for ((p, d) in listOf(0 to 5, 3 to 51, 40 to 300, 200 to 200)) {
            val purposes = ids("p", p)
            val dataTypes = ids("d", d)
            val table = PairTable(IdTable(purposes), IdTable(dataTypes), purposes, dataTypes)
            val slots = HashSet<Int>()
            var pastFirstSlot = 0
            purposes.forEachIndexed { pi, purpose ->
                dataTypes.forEachIndexed { di, dataType ->
                    val slot = table.slotOf(purpose, dataType)
                    assertEquals(pi * d + di, table.pairOf(slot))
                    assertTrue(slot in 0 until table.slots)
                    assertTrue(slots.add(slot), "one slot per pair")
                    if ((pi + di) % 7 == 0) assertEquals(slot, table.slotOf(copy(purpose), copy(dataType)))
                    // ConsentKit's own first probe (decide, collect), then slotAfter.
                    val home = PairTable.hash(purpose, dataType, table.shift)
                    if (table.keys[2 * home] !== purpose || table.keys[2 * home + 1] !== dataType) {
                        pastFirstSlot++
                        assertEquals(slot, table.slotAfter(home, purpose, dataType))
                    }
                }
                assertEquals(-1, table.slotOf(purpose, "nope"))
            }
            dataTypes.firstOrNull()?.let { assertEquals(-1, table.slotOf("nope", it)) }
            if (p * d >= 1000) assertTrue(pastFirstSlot > 0, "collisions are exercised")
        }
    }
}
