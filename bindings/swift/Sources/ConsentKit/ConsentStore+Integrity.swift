import Foundation
internal import ConsentKitGenerated

/// Maintenance: the full verification that open no longer does.
extension ConsentStore {
    /// The full verification of the database, for a periodic background job (e.g. a `BGProcessingTask`): SQLite's
    /// `quick_check`, every ledger row, the head's MAC and the head kept outside the file. It exists because open
    /// trusts the authenticated checkpoint and verifies only the rows after it, so an edit to an older row is
    /// found here, not at open. It runs on the write queue, never on the caller's thread; it takes tens of ms on
    /// large ledgers and holds this instance's writes meanwhile.
    ///
    /// Damage found sets the file aside like damage at open: the result is ``IntegrityCheck/recovered``, and when
    /// this returns ``currentState`` already holds the safe default with ``ConsentState/recovery`` saying why.
    ///
    /// - Throws: ``ConsentKitError/storage(detail:)`` when the database cannot be read, ``ConsentKitError/closed``
    ///   after ``close()``.
    public func verifyIntegrity() async throws -> IntegrityCheck {
        try checkOpen()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IntegrityCheck, any Error>) in
            writes.async { [self] in
                continuation.resume(with: Result {
                    try mapped {
                        let check = try core.verifyIntegrity()
                        // A recovery reached the observer already; publishing once more keeps "the state is
                        // current when this returns" true even if that notification was missed.
                        let status = try core.status()
                        mirror.publish(status.decisions)
                        hub.publish(ConsentState(status))
                        scheduleCooldownRefresh()
                        return IntegrityCheck(check)
                    }
                })
            }
        }
    }
}
