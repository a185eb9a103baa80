package dev.consentkit

/**
 * A read-only id → handle map for the hot path: open addressing over two flat arrays. Apps pass string constants,
 * which the JVM and ART intern, and the keys are interned strings ([HandleIndex]), so the first probe compares
 * identities; anything else (equal but distinct strings,
 * collisions, misses) takes a separate, rarely used method. That keeps the compiled hot path small enough for the
 * JIT to inline it into the caller, which matters more than the probe itself.
 */
internal class IdTable(ids: List<String>) {
    private val mask: Int
    private val keys: Array<String?>
    private val handles: IntArray

    init {
        // At most a quarter full: a lookup almost always ends at its first slot.
        var capacity = 8
        while (capacity < ids.size * 4) capacity = capacity shl 1
        mask = capacity - 1
        keys = arrayOfNulls(capacity)
        handles = IntArray(capacity)
        ids.forEachIndexed { handle, id ->
            var i = slot(id)
            while (keys[i] != null && keys[i] != id) i = (i + 1) and mask
            if (keys[i] == null) {
                keys[i] = id
                handles[i] = handle
            }
        }
    }

    /** The handle of [id], or -1 when the manifest has no such id. */
    operator fun get(id: String): Int {
        val i = slot(id)
        return if (keys[i] === id) handles[i] else probe(id, i)
    }

    private fun probe(id: String, start: Int): Int {
        var i = start
        while (true) {
            val key = keys[i] ?: return -1
            if (key == id) return handles[i]
            i = (i + 1) and mask
        }
    }

    private fun slot(id: String): Int {
        val h = id.hashCode()
        return (h xor (h ushr 16)) and mask
    }
}
