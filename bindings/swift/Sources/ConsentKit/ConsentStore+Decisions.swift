import Foundation

/// Reading decisions. These answer from the facade's mirror of the core's decisions: no call into Rust, no lock,
/// no I/O. Every answer was computed by the core.
extension ConsentStore {
    /// May `dataType` be collected for `purpose` now?
    ///
    /// Cheap enough to call per sensor event. It does not count anything; use ``collect(_:_:recipient:)`` (or
    /// ``withConsent(_:_:recipient:body:)``) when you actually collect.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)`` for an id the manifest does not declare,
    ///   ``ConsentKitError/closed`` after ``close()``.
    public func decide(_ purpose: String, _ dataType: String) throws -> Decision {
        let cell = try mirror.handles.cell(purpose, dataType)
        return try Decision(code: mirror.withCurrent { $0.code(cell) })
    }

    /// ``decide(_:_:)`` with typed ids, e.g. `store.decide(Ids.Purpose.liveLocation, Ids.DataType.location)`
    /// (see ``PurposeID``).
    public func decide(_ purpose: some PurposeID, _ dataType: some DataTypeID) throws -> Decision {
        try decide(purpose.manifestID, dataType.manifestID)
    }

    /// The richest tier of `feature` the app may offer now, what is missing for the next richer tier, and
    /// whether it may ask for it now.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)``, ``ConsentKitError/closed``.
    public func resolve(_ feature: String) throws -> Tier {
        let f = try mirror.handles.featureHandle(feature)
        try checkOpen()
        var version = mirror.snapshot
        if let nextChangeMs = version.nextChangeMs, clock.nowMs() >= nextChangeMs {
            refreshAfterCooldown()
            version = mirror.snapshot
        }
        return mirror.tier(f, in: version)
    }

    /// ``resolve(_:)`` with a typed id, e.g. `store.resolve(Ids.Feature.pickup)` (see ``FeatureID``).
    public func resolve(_ feature: some FeatureID) throws -> Tier {
        try resolve(feature.manifestID as String)
    }

    /// Runs `body` (which collects `dataType` for `purpose`) only if consent allows it, and counts the collection.
    ///
    /// ```swift
    /// switch try kit.withConsent("live_location", "location", body: { locationManager.requestLocation() }) {
    /// case .allowed: break
    /// case let .denied(reason, retryAfter): showTypedAddressField(reason, retryAfter)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - recipient: The third party the data goes to, if any (must be declared for the purpose).
    /// - Returns: ``ConsentResult/allowed(_:)`` with the body's value, or why it did not run.
    /// - Throws: ``ConsentKitError`` for unknown ids or a closed instance, or what `body` throws.
    public func withConsent<T>(
        _ purpose: some PurposeID,
        _ dataType: some DataTypeID,
        recipient: (any ThirdPartyID)? = nil,
        body: () throws -> T
    ) throws -> ConsentResult<T> {
        switch try collect(purpose.manifestID, dataType.manifestID, recipient: recipient?.manifestID) {
        case .allowed: .allowed(try body())
        case let .denied(reason, retryAfter): .denied(reason, retryAfter: retryAfter)
        }
    }

    /// The `async` form of ``withConsent(_:_:recipient:body:)``: `body` runs on the caller's actor.
    public func withConsent<T: Sendable>(
        _ purpose: some PurposeID,
        _ dataType: some DataTypeID,
        recipient: (any ThirdPartyID)? = nil,
        isolation: isolated (any Actor)? = #isolation,
        body: () async throws -> T
    ) async throws -> ConsentResult<T> {
        switch try collect(purpose.manifestID, dataType.manifestID, recipient: recipient?.manifestID) {
        case .allowed: .allowed(try await body())
        case let .denied(reason, retryAfter): .denied(reason, retryAfter: retryAfter)
        }
    }
}
