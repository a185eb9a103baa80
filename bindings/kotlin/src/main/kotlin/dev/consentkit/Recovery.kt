package dev.consentkit

/**
 * The consent database was damaged or tampered with when it was opened. It was set aside (never deleted: it is
 * the record of consent) and ConsentKit started on the safe default: nothing granted, basic tiers. Consider telling
 * the user that their choices need to be made again.
 */
data class Recovery(
    /** Why. */
    val reason: RecoveryReason,
    /** Details for logs (no personal data). */
    val detail: String,
    /** Where the old file was kept. */
    val quarantinedPath: String,
    /** When, UTC milliseconds. */
    val atMs: Long,
)

/** Why a database was set aside. */
enum class RecoveryReason {
    /** SQLite could not read it, or its integrity check failed. */
    CORRUPT,

    /** The ledger's hash chain does not verify (tampering or damage). */
    BROKEN_CHAIN,

    /** It was written by a newer ConsentKit. */
    SCHEMA_TOO_NEW,

    /** Its chain head or checkpoint does not authenticate under the device key (rewritten, or its MACs removed). */
    UNAUTHENTICATED,

    /** It is older than the head recorded outside it (restored from an older backup, or its tail truncated). */
    ROLLED_BACK,

    /**
     * It was keyed under a device key that is gone (restored to another device, key store wiped): verified in full
     * and re-keyed; its state is kept and nothing was set aside (`quarantinedPath` is empty).
     */
    KEY_REPLACED,
}
