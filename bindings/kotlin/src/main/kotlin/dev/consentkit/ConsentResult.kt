package dev.consentkit

/**
 * The result of [ConsentKit.withConsent]: the block's value when the collection was allowed, or why it was not —
 * a [Decision.Denied], the same denial [ConsentKit.decide] and [ConsentKit.collect] give.
 *
 * ```
 * val fix = kit.withConsent(Purpose.LIVE_LOCATION, DataType.LOCATION) { locationClient.lastFix() }
 * when (fix) {
 *     is ConsentResult.Allowed -> showPickupAt(fix.value)
 *     is Decision.Denied -> askForTypedAddress()          // fix.reason, fix.retryAfter
 * }
 * ```
 */
sealed interface ConsentResult<out T> {
    /** The collection was allowed (and counted); [value] is what the block returned. */
    data class Allowed<out T>(
        /** The block's result. */
        val value: T,
    ) : ConsentResult<T>

    /** The value if allowed, else null. */
    fun getOrNull(): T? = (this as? Allowed)?.value
}
