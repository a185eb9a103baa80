package dev.consentkit

/**
 * A (purpose, data type) pair resolved once by [ConsentKit.dataUse], for code that asks per event (a sensor
 * callback, a frame loop): `decide(use)` and `collect(use)` then skip the string lookup. Equivalent to passing the
 * two ids; tied to the instance that made it (another instance looks the ids up again).
 *
 * ```
 * private val liveLocation = kit.dataUse("live_location", "location")
 * fun onLocation(fix: Location) { if (kit.collect(liveLocation).isAllowed) upload(fix) }
 * ```
 */
class DataUse internal constructor(
    /** The purpose id. */
    val purpose: String,
    /** The data type id. */
    val dataType: String,
    internal val table: PairTable,
    internal val slot: Int,
) {
    override fun equals(other: Any?): Boolean =
        other is DataUse && other.purpose == purpose && other.dataType == dataType

    override fun hashCode(): Int = purpose.hashCode() * 31 + dataType.hashCode()

    override fun toString(): String = "DataUse($purpose, $dataType)"
}
