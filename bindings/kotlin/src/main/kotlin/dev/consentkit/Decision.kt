package dev.consentkit

/**
 * The answer to "may I collect this data type for this purpose now?" ([ConsentKit.decide]).
 *
 * ```
 * when (val d = kit.decide("live_location", "location")) {
 *     Decision.Allowed -> startLocationUpdates()
 *     is Decision.Denied -> showTier(kit.resolve("pickup"))   // d.reason says why
 * }
 * ```
 */
sealed class Decision {
    /** True for [Allowed]. */
    abstract val isAllowed: Boolean

    /** Go ahead. */
    data object Allowed : Decision() {
        override val isAllowed: Boolean get() = true
    }

    /** Do not collect; offer the feature's resolved [Tier] instead. */
    data class Denied(
        /** Why. */
        val reason: DenyReason,
    ) : Decision() {
        override val isAllowed: Boolean get() = false
    }

    internal companion object {
        /** Decodes a core decision code (unknown codes read as [DenyReason.NOT_DECLARED], like the core). */
        fun ofCode(code: Int): Decision = DecisionCodes.byCode[code and 0xFF]
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
