/// Every consent state of one ``ConsentStore``, as it changes: the store's ``ConsentStore/states``.
///
/// It exists because an `AsyncStream` has one consumer: this is one sequence, shared, that any number of tasks
/// iterate at the same time. Each iteration starts with the current state, then yields after every change (a
/// grant, a withdrawal, a cooldown that ended...). A slow consumer skips intermediate states but always gets the
/// latest (these are states, not events). When a state arrives, ``ConsentStore/decide(_:_:)`` and
/// ``ConsentStore/resolve(_:)`` already reflect it. Iterations end on ``ConsentStore/close()`` or when their task
/// is cancelled.
///
/// ```swift
/// .task {
///     for await state in store.states { pickupTier = state.tier(of: "pickup") }
/// }
/// ```
public final class ConsentStates: AsyncSequence, Sendable {
    public typealias Element = ConsentState

    private let hub: StateHub

    init(hub: StateHub) {
        self.hub = hub
    }

    /// One subscriber's position in the sequence.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var subscription: AsyncStream<ConsentState>.Iterator

        init(_ subscription: AsyncStream<ConsentState>.Iterator) {
            self.subscription = subscription
        }

        /// The current state on the first call, then the next newer one; `nil` once the store is closed or the
        /// task is cancelled.
        public mutating func next() async -> ConsentState? {
            await subscription.next()
        }
    }

    /// Subscribes: the iterator starts with the current state.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(hub.stream().makeAsyncIterator())
    }
}
