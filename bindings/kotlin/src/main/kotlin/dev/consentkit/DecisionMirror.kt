package dev.consentkit

import dev.consentkit.internal.DecisionTable

/**
 * An immutable copy of the core's decision table for one state version: the decision code of every
 * (purpose, data type), which pairs have a frequency limit, and every feature's resolved [Tier]. The facade answers
 * `decide` and `resolve` from it without crossing the FFI boundary; the core computed every entry.
 */
internal class DecisionMirror private constructor(
    /** The core snapshot version the table was computed from. */
    val version: Long,
    /** When a cooldown ends and an answer changes (UTC ms), or [Long.MAX_VALUE] when none is pending. */
    val nextChangeMs: Long,
    /** Number of data types: `codes[purpose * width + dataType]`. */
    val width: Int,
    /** Core decision codes (0 = allowed), purpose-major. */
    val codes: ByteArray,
    /** Non-zero where a frequency limit applies, so `collect` must ask the core. */
    val limited: ByteArray,
    /** [codes] decoded once and laid out by [PairTable] slot, so `decide` is a probe and one array read. */
    val decisionsBySlot: Array<Decision>,
    /**
     * By [PairTable] slot: the facade's access counter when `collect` may answer and count locally (the pair is
     * allowed and has no frequency limit), else -1; so the common `collect` is a probe, one array read and a count.
     */
    val countersBySlot: IntArray,
    /** The resolved tier of each feature, by feature handle. */
    val tiers: Array<Tier>,
    /** Set after close: every read fails with [ConsentKitException.Closed] (its arrays are empty, too). */
    val closed: Boolean,
) {
    /**
     * Whether this table replaces [other]: a later state version, or the same version computed later (a cooldown
     * ended, so `nextChangeMs` moved on). Equal tables are not newer.
     */
    fun isNewerThan(other: DecisionMirror): Boolean =
        version > other.version || (version == other.version && nextChangeMs > other.nextChangeMs)

    companion object {
        /** The mirror of a closed instance. */
        val CLOSED = DecisionMirror(Long.MAX_VALUE, Long.MAX_VALUE, 0, ByteArray(0), ByteArray(0), emptyArray(), IntArray(0), emptyArray(), true)

        /**
         * Builds the mirror of [table]; fails on a table that does not fit [handles] (a core/facade mismatch).
         * [counterOf] gives the access counter of a pair (-1: none).
         */
        fun of(table: DecisionTable, handles: HandleIndex, counterOf: (Int) -> Int): DecisionMirror {
            val purposes = handles.purposes.size
            val features = handles.features.size
            val width = table.width.toInt()
            check(table.format == 1u) { "decision table format ${table.format} is not supported (1)" }
            check(width == handles.dataTypes.size) { "decision table width $width != ${handles.dataTypes.size} data types" }
            check(table.codes.size == purposes * width && table.limited.size == purposes * width) { "decision table size" }
            check(table.featureTier.size == features && table.featureMissing.size == features &&
                table.featureCanAsk.size == features) { "decision table feature count" }
            val tiers = Array(features) { f ->
                val tier = table.featureTier[f]
                val tierIds = handles.tiers[f]
                Tier(
                    feature = handles.features[f],
                    id = if (tier >= 0) tierIds[tier] else null,
                    index = if (tier >= 0) tier else null,
                    isBasic = tier >= 0 && tier == tierIds.size - 1,
                    missingPurposes = table.featureMissing[f].map { handles.purposes[it.toInt()] },
                    canAskNow = table.featureCanAsk[f],
                )
            }
            val decisionsBySlot = Array(handles.pairs.slots) { slot ->
                val pair = handles.pairs.pairOf(slot)
                // Empty slots are never returned by PairTable.slotOf; any value will do.
                if (pair < 0) Decision.Allowed else Decision.ofCode(table.codes[pair].toInt())
            }
            val countersBySlot = IntArray(handles.pairs.slots) { slot ->
                val pair = handles.pairs.pairOf(slot)
                if (pair < 0 || table.codes[pair].toInt() != 0 || table.limited[pair].toInt() != 0) -1 else counterOf(pair)
            }
            return DecisionMirror(
                version = table.version.toLong(),
                nextChangeMs = table.nextChangeMs ?: Long.MAX_VALUE,
                width = width,
                codes = table.codes,
                limited = table.limited,
                decisionsBySlot = decisionsBySlot,
                countersBySlot = countersBySlot,
                tiers = tiers,
                closed = false,
            )
        }
    }
}
