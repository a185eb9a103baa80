package dev.consentkit

/**
 * The outcome of a consent write the core may refuse for a reason the app is expected to handle
 * ([ConsentKit.agreeToPolicy], [ConsentKit.agreeToChildrenRules], [ConsentKit.grant], [ConsentKit.grantAll],
 * [ConsentKit.setAgeBracket]): a value, not an exception, so a `when` covers every case. Real failures (storage,
 * a closed instance, an unknown id, a bug) are still thrown as [ConsentKitException].
 *
 * ```
 * when (val r = kit.grantAll(listOf("ads", "live_location"))) {
 *     WriteResult.Recorded -> Unit
 *     is WriteResult.Refused -> when (val why = r.reason) {
 *         is WriteRefusal.SeparateConsentRequired -> why.purposes.forEach { askOnItsOwn(it) }
 *         is WriteRefusal.GuardianRequired -> askGuardian()
 *         is WriteRefusal.StaleVersion -> showPromptAgain()
 *     }
 * }
 * ```
 */
sealed class WriteResult {
    /** True for [Recorded]. */
    abstract val isRecorded: Boolean

    /** Written to disk; every read of the instance already reflects it. */
    data object Recorded : WriteResult() {
        override val isRecorded: Boolean get() = true
    }

    /** Nothing was written, for [reason]. */
    data class Refused(
        /** Why. */
        val reason: WriteRefusal,
    ) : WriteResult() {
        override val isRecorded: Boolean get() = false
    }
}

/** Why the core refused a consent write ([WriteResult.Refused]); nothing was written. */
sealed class WriteRefusal {
    /**
     * [purposes] need separate consent and were bundled in [ConsentKit.grantAll], which refuses any list containing
     * one — even a list of one: ask each on its own and grant it with [ConsentKit.grant]. For a child (under 14)
     * every purpose is a separate consent.
     */
    data class SeparateConsentRequired(
        /** The purposes concerned. */
        val purposes: List<String>,
    ) : WriteRefusal()

    /**
     * Only a guardian ([Actor.GUARDIAN]) may do this: the user is under [age], or the call is one only a guardian
     * makes ([ConsentKit.agreeToChildrenRules]).
     */
    data class GuardianRequired(
        /** The guardian age of the rule pack. */
        val age: Int,
    ) : WriteRefusal()

    /**
     * The version agreed to is not the manifest's current one (the prompt shown was older than the app's manifest,
     * e.g. across an app update): ask [ConsentKit.nextPrompt] again and show what it returns.
     */
    data class StaleVersion(
        /** Which document: the privacy policy or the children's rules. */
        val document: AgreedDocument,
        /** The version given. */
        val given: String,
        /** The manifest's current version. */
        val current: String,
    ) : WriteRefusal()
}

/** A document the user or guardian agrees to ([WriteRefusal.StaleVersion.document]). */
enum class AgreedDocument {
    /** The privacy policy ([ConsentKit.agreeToPolicy]). */
    PRIVACY_POLICY,

    /** The children's personal-information rules ([ConsentKit.agreeToChildrenRules]). */
    CHILDREN_RULES,
}
