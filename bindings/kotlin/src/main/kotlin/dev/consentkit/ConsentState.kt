package dev.consentkit

/**
 * Everything a consent screen needs, as [ConsentKit.state] publishes it after every change. Computed by the core;
 * compare [version]s to order two states (it increases with every change).
 */
data class ConsentState(
    /** Increases with every consent change. */
    val version: Long,
    /** The current privacy policy version is agreed. */
    val policyAgreed: Boolean,
    /** The current privacy policy version (from the manifest). */
    val policyVersion: String,
    /** The user's age bracket. */
    val age: AgeBracket,
    /** Every purpose of the manifest, in manifest order. */
    val purposes: List<PurposeState>,
    /** Every feature's current tier, in manifest order. */
    val features: List<Tier>,
    /** Set when the database had to be set aside at open. */
    val recovery: Recovery?,
) {
    /** The state of purpose [id], or null if the manifest has no such purpose. */
    fun purpose(id: String): PurposeState? = purposes.firstOrNull { it.id == id }

    /** The current tier of feature [id], or null if the manifest has no such feature. */
    fun feature(id: String): Tier? = features.firstOrNull { it.feature == id }
}

/** The state of one purpose. */
data class PurposeState(
    /** Purpose id. */
    val id: String,
    /** Allowed now. */
    val allowed: Boolean,
    /** Why not, when not allowed. */
    val reason: DenyReason?,
    /** Needs its own consent, asked on its own (sensitive data, third party, cross-border or tracking). */
    val separateConsent: Boolean,
    /** Needs an explicit opt-in (a `consent` purpose, or a necessary one that needs separate consent). */
    val needsOptIn: Boolean,
)
