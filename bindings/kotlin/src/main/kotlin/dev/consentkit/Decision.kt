package dev.consentkit

import kotlin.time.Duration

/**
 * The answer to "may I collect this data type for this purpose now?": what [ConsentKit.decide] answers (a look) and
 * what [ConsentKit.collect] answers (the same question, and an allowed collection is counted in the on-device access
 * log). One type for both, so a denial reads the same wherever it comes from; [ConsentKit.withConsent] returns a
 * [ConsentResult], whose denial is this same [Denied].
 *
 * ```
 * when (val d = kit.decide(Purpose.LIVE_LOCATION, DataType.LOCATION)) {
 *     Decision.Allowed -> startLocationUpdates()
 *     is Decision.Denied -> showTier(kit.resolve(Feature.PICKUP))   // d.reason says why
 * }
 * ```
 */
sealed class Decision {
    /** True for [Allowed]. */
    abstract val isAllowed: Boolean

    /** Go ahead (from [ConsentKit.collect]: it was counted). */
    data object Allowed : Decision() {
        override val isAllowed: Boolean get() = true
    }

    /** Do not collect; offer the feature's resolved [Tier] instead. */
    data class Denied(
        /** Why. */
        val reason: DenyReason,
        /**
         * For [DenyReason.FREQUENCY_LIMITED] (only [ConsentKit.collect] answers it): how long until a collection
         * would be allowed; otherwise null.
         */
        val retryAfter: Duration? = null,
    ) : Decision(), ConsentResult<Nothing> {
        override val isAllowed: Boolean get() = false
    }

    internal companion object {
        /** Decodes a core decision code (unknown codes read as [DenyReason.NOT_DECLARED], like the core). */
        fun ofCode(code: Int): Decision = DecisionCodes.byCode[code and 0xFF]

        /** The shared denial of a non-zero core code (no retry time; no allocation). */
        fun deniedFor(code: Int): Denied = DecisionCodes.byCode[code and 0xFF] as? Denied
            ?: DecisionCodes.byCode[DenyReason.NOT_DECLARED.code] as Denied
    }
}

/**
 * One shared [Decision] per core code, so the hot path never allocates. Not in [Decision]'s companion: its static
 * initializer would then read [Decision.Allowed] while that object is still being created (null) if the first use
 * of the Decision classes is `Decision.Allowed`.
 */
private object DecisionCodes {
    val byCode: Array<Decision> = Array(256) { code ->
        if (code == 0) Decision.Allowed else Decision.Denied(DenyReason.ofCode(code) ?: DenyReason.NOT_DECLARED)
    }
}
