/// Observing consent.
extension ConsentStore {
    /// The latest consent state (no call into the core).
    public var currentState: ConsentState {
        hub.current
    }
}
