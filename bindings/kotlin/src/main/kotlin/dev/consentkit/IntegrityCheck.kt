package dev.consentkit

/**
 * How [ConsentKit.verifyIntegrity] ended. It exists because open no longer walks the whole ledger (it trusts the
 * authenticated checkpoint), so the full check is a maintenance call whose outcome the app may want to log.
 */
sealed interface IntegrityCheck {
    /** Every ledger row, the head's MAC and the head kept outside the file verified. */
    data class Passed(
        /** Rows verified. */
        val rows: Long,
        /** How long the check took, in milliseconds. */
        val tookMs: Double,
    ) : IntegrityCheck

    /**
     * Damage or tampering was found: the file was set aside and the safe default is in force;
     * [ConsentKit.state]'s [ConsentState.recovery] says why.
     */
    data object Recovered : IntegrityCheck
}
