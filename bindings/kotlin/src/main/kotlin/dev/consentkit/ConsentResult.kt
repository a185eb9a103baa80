package dev.consentkit

import kotlin.time.Duration

/**
 * The result of [ConsentKit.withConsent]: the block's value when the collection was allowed, or why it was not.
 *
 * ```
 * val fix = kit.withConsent("live_location", "location") { locationClient.lastFix() }
 * when (fix) {
 *     is ConsentResult.Allowed -> showPickupAt(fix.value)
 *     is ConsentResult.Denied -> askForTypedAddress()
 * }
 * ```
 */
sealed class ConsentResult<out T> {
    /** The collection was allowed (and counted); [value] is what the block returned. */
    data class Allowed<out T>(
        /** The block's result. */
        val value: T,
    ) : ConsentResult<T>()

    /** The block did not run. */
    data class Denied(
        /** Why. */
        val reason: DenyReason,
        /** For [DenyReason.FREQUENCY_LIMITED]: how long until a collection would be allowed; otherwise null. */
        val retryAfter: Duration? = null,
    ) : ConsentResult<Nothing>()

    /** The value if allowed, else null. */
    fun getOrNull(): T? = (this as? Allowed)?.value
}
