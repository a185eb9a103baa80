/// Observing consent.
extension ConsentKit {
    /// Every consent state, as it changes.
    ///
    /// Each access returns a new stream that starts with the current state, then yields after every change (a
    /// grant, a withdrawal, a cooldown that ended...). A slow consumer skips intermediate states but always gets
    /// the latest. When a state arrives, ``decide(_:_:)`` and ``resolve(_:)`` already reflect it. Streams finish
    /// on ``close()``.
    ///
    /// ```swift
    /// .task {
    ///     for await state in kit.states { pickupTier = state.tier(of: "pickup") }
    /// }
    /// ```
    public var states: AsyncStream<ConsentState> {
        hub.stream()
    }

    /// The latest consent state (no call into the core).
    public var currentState: ConsentState {
        hub.current
    }
}
