package dev.consentkit

/**
 * A minimal JSON reader for the documents the core returns (transparency lists, receipts). It exists because the
 * facade has no JSON library at runtime (kotlinx.serialization is a test dependency only, and org.json is not on a
 * plain JVM), and these documents are small and produced by the core itself. Objects become `Map<String, Any?>`,
 * arrays `List<Any?>`, numbers `Long` (or `Double` with a fraction or exponent), plus `String`, `Boolean`, `null`.
 */
internal class JsonReader private constructor(private val text: String) {
    private var i = 0

    private fun fail(what: String): Nothing =
        throw ConsentKitException.Unexpected("cannot read the core's JSON: $what at offset $i")

    private fun skipSpace() {
        while (i < text.length && text[i].isWhitespace()) i++
    }

    private fun value(): Any? {
        skipSpace()
        if (i >= text.length) fail("unexpected end")
        return when (val c = text[i]) {
            '{' -> obj()
            '[' -> array()
            '"' -> string()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> if (c == '-' || c.isDigit()) number() else fail("unexpected '$c'")
        }
    }

    private fun literal(word: String, value: Any?): Any? {
        if (!text.startsWith(word, i)) fail("expected $word")
        i += word.length
        return value
    }

    private fun obj(): Map<String, Any?> {
        val out = LinkedHashMap<String, Any?>()
        i++
        skipSpace()
        if (text.getOrNull(i) == '}') return out.also { i++ }
        while (true) {
            skipSpace()
            if (text.getOrNull(i) != '"') fail("expected a key")
            val key = string()
            skipSpace()
            if (text.getOrNull(i) != ':') fail("expected ':'")
            i++
            out[key] = value()
            skipSpace()
            when (text.getOrNull(i)) {
                ',' -> i++
                '}' -> return out.also { i++ }
                else -> fail("expected ',' or '}'")
            }
        }
    }

    private fun array(): List<Any?> {
        val out = ArrayList<Any?>()
        i++
        skipSpace()
        if (text.getOrNull(i) == ']') return out.also { i++ }
        while (true) {
            out += value()
            skipSpace()
            when (text.getOrNull(i)) {
                ',' -> i++
                ']' -> return out.also { i++ }
                else -> fail("expected ',' or ']'")
            }
        }
    }

    private fun string(): String {
        val sb = StringBuilder()
        i++
        while (true) {
            if (i >= text.length) fail("unterminated string")
            val c = text[i++]
            when (c) {
                '"' -> return sb.toString()
                '\\' -> {
                    if (i >= text.length) fail("unterminated escape")
                    when (val e = text[i++]) {
                        '"', '\\', '/' -> sb.append(e)
                        'b' -> sb.append('\b')
                        'f' -> sb.append('\u000C')
                        'n' -> sb.append('\n')
                        'r' -> sb.append('\r')
                        't' -> sb.append('\t')
                        'u' -> {
                            if (i + 4 > text.length) fail("short \\u escape")
                            sb.append(text.substring(i, i + 4).toIntOrNull(16)?.toChar() ?: fail("bad \\u escape"))
                            i += 4
                        }
                        else -> fail("bad escape '\\$e'")
                    }
                }
                else -> sb.append(c)
            }
        }
    }

    private fun number(): Number {
        val start = i
        if (text[i] == '-') i++
        var fractional = false
        while (i < text.length) {
            val c = text[i]
            if (c.isDigit()) {
                i++
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                fractional = true
                i++
            } else {
                break
            }
        }
        val s = text.substring(start, i)
        return (if (fractional) s.toDoubleOrNull() else s.toLongOrNull()) ?: fail("bad number '$s'")
    }

    companion object {
        /** Parses one JSON document. @throws ConsentKitException.Unexpected when it is not valid JSON. */
        fun parse(text: String): Any? {
            val reader = JsonReader(text)
            val value = reader.value()
            reader.skipSpace()
            if (reader.i != text.length) reader.fail("trailing characters")
            return value
        }
    }
}

/** Typed access to a parsed JSON object: a missing or mistyped required field is the core's bug, reported as such. */
internal class JsonObject(private val map: Map<*, *>, private val where: String) {
    private fun fail(key: String, what: String): Nothing =
        throw ConsentKitException.Unexpected("cannot read the core's JSON: $where.$key $what")

    fun string(key: String): String = map[key] as? String ?: fail(key, "is not a string")
    fun stringOrNull(key: String): String? = map[key]?.let { it as? String ?: fail(key, "is not a string") }
    fun bool(key: String): Boolean = map[key] as? Boolean ?: fail(key, "is not a boolean")
    fun longOrNull(key: String): Long? = map[key]?.let { (it as? Number)?.toLong() ?: fail(key, "is not a number") }
    fun long(key: String): Long = longOrNull(key) ?: fail(key, "is missing")
    fun boolOrNull(key: String): Boolean? = map[key]?.let { it as? Boolean ?: fail(key, "is not a boolean") }
    fun list(key: String): List<*> = map[key] as? List<*> ?: fail(key, "is not an array")
    fun strings(key: String): List<String> = list(key).map { it as? String ?: fail(key, "has a non-string item") }
    fun objects(key: String): List<JsonObject> =
        list(key).map { JsonObject(it as? Map<*, *> ?: fail(key, "has a non-object item"), "$where.$key[]") }
    fun obj(key: String): JsonObject = JsonObject(map[key] as? Map<*, *> ?: fail(key, "is not an object"), "$where.$key")

    companion object {
        /** Parses [text], which must be a JSON object. */
        fun parse(text: String, where: String): JsonObject =
            JsonObject(JsonReader.parse(text) as? Map<*, *> ?: throw ConsentKitException.Unexpected("$where is not a JSON object"), where)
    }
}
