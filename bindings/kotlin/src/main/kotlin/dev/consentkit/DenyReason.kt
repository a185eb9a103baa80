package dev.consentkit

/**
 * Why ConsentKit says no. The numeric [code] is the core's scalar decision code (the FFI contract of
 * `decideCode` / `collectCode`); apps normally only switch on the enum.
 */
enum class DenyReason(internal val code: Int) {
    /** The current privacy policy is not agreed: nothing may be collected. Show the policy prompt. */
    POLICY_NOT_AGREED(1),

    /** The purpose needs an opt-in that the user has not given. Ask in context (see [ConsentKit.nextPrompt]). */
    NOT_GRANTED(2),

    /** The user refused. Do not ask again before the cooldown ends ([Tier.canAskNow]). */
    REFUSED(3),

    /** The user withdrew consent. */
    WITHDRAWN(4),

    /** The purpose (or the policy) changed since the user agreed: ask again. */
    LAPSED(5),

    /** The user is under the guardian age and no guardian has consented. */
    GUARDIAN_REQUIRED(6),

    /** The manifest does not declare this data type for this purpose: a bug in the app or its manifest. */
    NOT_DECLARED(7),

    /** The frequency limit of this data type is reached ([Decision.Denied.retryAfter] says for how long). */
    FREQUENCY_LIMITED(8),

    /** The recipient is not declared for this purpose in the manifest. */
    RECIPIENT_NOT_DECLARED(9),
    ;

    internal companion object {
        private val byCode: Array<DenyReason?> = arrayOfNulls<DenyReason>(256).also { table ->
            entries.forEach { table[it.code] = it }
        }

        /** The reason for a core decision code, or null for 0 (allowed) and for codes that are not reasons. */
        fun ofCode(code: Int): DenyReason? = byCode[code and 0xFF]
    }
}
