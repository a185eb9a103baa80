package dev.consentkit

/**
 * The tier of a feature the app should offer now ([ConsentKit.resolve]), computed by the core: the richest tier
 * whose purposes are all allowed. Tiers are listed richest first in the manifest; the last one is the basic tier,
 * which never needs an opt-in, so the app degrades instead of locking the user out.
 */
data class Tier(
    /** The feature's id. */
    val feature: String,
    /** The tier's id, or null when not even the basic tier is available (before policy agreement, for a feature
     *  without a browse tier). */
    val id: String?,
    /** The tier's position in the manifest (0 = richest), or null with [id]. */
    val index: Int?,
    /** This is the feature's basic (last) tier. */
    val isBasic: Boolean,
    /** Purposes missing for the next richer tier (empty at the richest tier). */
    val missingPurposes: List<String>,
    /** Whether the app may ask for [missingPurposes] now (false during the cooldown after a refusal). */
    val canAskNow: Boolean,
) {
    /** Whether this is [tier] (a generated `ConsentIds.<Feature>Tier` constant): `tier.id == this.id`. */
    fun isTier(tier: TierId): Boolean = id == tier.id
}
