package dev.consentkit

import dev.consentkit.internal.ConsentObserver
import dev.consentkit.internal.ConsentStatus
import dev.consentkit.internal.RecoveryInfo

/**
 * The facade's observer, registered with the core at open: the core calls it at once with the current state and
 * then after every change, on the thread that made the change. It never throws back into the core: a failure is
 * kept in [lastFailure] (for diagnostics and tests) and the facade's next write or refresh re-syncs anyway.
 */
internal class StateObserver(private val onStatus: (ConsentStatus) -> Unit) : ConsentObserver {
    @Volatile
    var lastFailure: Throwable? = null
        private set

    override fun onChange(status: ConsentStatus) {
        try {
            onStatus(status)
        } catch (t: Throwable) {
            lastFailure = t
        }
    }

    /** The recovery also arrives in [ConsentState.recovery]; nothing else to do here. */
    override fun onRecovery(event: RecoveryInfo) = Unit
}
