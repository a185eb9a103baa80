import Foundation
internal import ConsentKitGenerated

/// Collecting, counted in the on-device access log (which feeds the collection list and the sharing list).
extension ConsentStore {
    /// Collects `dataType` for `purpose` (and gives it to `recipient`, a third party, if set): allowed only when
    /// consent allows it, the recipient is declared for the purpose and the purpose's frequency limits leave room.
    ///
    /// Allowed collections without a frequency limit or recipient are decided from the mirror and counted in
    /// memory (lock-free), then sent to the core in batches (see ``OpenOptions/accessBatchSize``). A frequency
    /// limit or a recipient can only be checked by the core, so those calls cross into Rust (by integer handles:
    /// still well under a microsecond).
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)``, ``ConsentKitError/closed``.
    public func collect(_ purpose: String, _ dataType: String, recipient: String? = nil) throws -> CollectResult {
        let cell = try mirror.handles.cell(purpose, dataType)
        let third = try recipient.map { try mirror.handles.thirdPartyHandle($0) }
        let (code, limited) = mirror.withCurrent { ($0.code(cell), $0.limited[cell]) }
        if code != CoreCode.allowed {
            guard let reason = DenyReason(code: code) else { throw ConsentKitError(code: code) }
            return .denied(reason, retryAfter: nil)
        }
        if third != nil || limited {
            return try collectInCore(cell, third)
        }
        batcher.count(cell)
        return .allowed
    }

    /// ``collect(_:_:recipient:)`` with typed ids (see ``PurposeID``).
    public func collect(
        _ purpose: some PurposeID,
        _ dataType: some DataTypeID,
        recipient: (any ThirdPartyID)? = nil
    ) throws -> CollectResult {
        try collect(purpose.manifestID, dataType.manifestID, recipient: recipient?.manifestID)
    }

    /// Asks the core (it counts allowed collections itself).
    private func collectInCore(_ cell: Int, _ recipient: Int?) throws -> CollectResult {
        let width = mirror.handles.width
        let answer = try mapped {
            try core.collectCode(
                purpose: UInt32(cell / width),
                dataType: UInt32(cell % width),
                recipient: recipient.map { UInt32($0) } ?? UInt32.max
            )
        }
        let code = UInt8(truncatingIfNeeded: answer)
        if code == CoreCode.allowed { return .allowed }
        guard let reason = DenyReason(code: code) else { throw ConsentKitError(code: code) }
        let waitMs = answer >> 8
        return .denied(reason, retryAfter: reason == .frequencyLimited ? .milliseconds(Int64(waitMs)) : nil)
    }

    /// Sends the access counts counted in memory to the core and writes them to the database.
    public func flush() async throws {
        try checkOpen()
        try await batcher.sendNow { [core] in try mapped { try core.flush() } }
    }

    /// Call when the app goes to the background, so no access counts wait in memory while it may be terminated:
    ///
    /// ```swift
    /// .onChange(of: scenePhase) { _, phase in
    ///     if phase == .background { Task { await store.didEnterBackground() } }
    /// }
    /// ```
    ///
    /// The write (one small SQLite transaction) runs on the facade's batch queue, never on the caller's actor; it
    /// returns when the counts are durable. iOS gives an app a few seconds after it leaves the foreground, which
    /// is plenty; wrap the call in `UIApplication.beginBackgroundTask` if you want the system to wait for it.
    /// Errors are not thrown: counts that could not be written stay in memory and are written by the next flush.
    public func didEnterBackground() async {
        guard !isClosed else { return }
        _ = try? await batcher.sendNow { [core] in try mapped { try core.flush() } }
    }
}
