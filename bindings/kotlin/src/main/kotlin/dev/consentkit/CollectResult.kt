package dev.consentkit

import kotlin.time.Duration

/**
 * The result of [ConsentKit.collect]: whether the app may collect now. An allowed collection is counted in the
 * on-device access log (which feeds the app's collection list).
 */
sealed class CollectResult {
    /** True for [Allowed]. */
    abstract val isAllowed: Boolean

    /** Collect; it was counted. */
    data object Allowed : CollectResult() {
        override val isAllowed: Boolean get() = true
    }

    /** Do not collect. */
    data class Denied(
        /** Why. */
        val reason: DenyReason,
        /** For [DenyReason.FREQUENCY_LIMITED]: how long until a collection would be allowed; otherwise null. */
        val retryAfter: Duration? = null,
    ) : CollectResult() {
        override val isAllowed: Boolean get() = false
    }

    internal companion object {
        private val deniedByCode: Array<Denied> = Array(256) { code ->
            Denied(DenyReason.ofCode(code) ?: DenyReason.NOT_DECLARED)
        }

        /** A denial without retry time for a non-zero core code (shared instances: no allocation). */
        fun deniedFor(code: Int): Denied = deniedByCode[code and 0xFF]
    }
}
