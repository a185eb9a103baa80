import Foundation

/// Keeps the latest ``ConsentState`` and hands out `AsyncStream`s of it: each new stream starts with the latest
/// state, then receives every newer one. A slow consumer skips intermediate states but always gets the latest
/// (`bufferingNewest(1)`): these are states, not events.
final class StateHub: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: ConsentState
    private var subscribers: [UInt64: AsyncStream<ConsentState>.Continuation] = [:]
    private var nextId: UInt64 = 0
    private var finished = false

    init(initial: ConsentState) {
        latest = initial
    }

    /// The latest state.
    var current: ConsentState {
        lock.locked { latest }
    }

    /// Publishes `state` unless it is older than the latest or equal to it.
    func publish(_ state: ConsentState) {
        lock.locked {
            guard !finished else { return }
            if state.version < latest.version || state == latest { return }
            latest = state
            for subscriber in subscribers.values {
                subscriber.yield(state)
            }
        }
    }

    /// A new stream that starts with the latest state.
    func stream() -> AsyncStream<ConsentState> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConsentState.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64 = lock.locked {
            nextId += 1
            return nextId
        }
        continuation.onTermination = { [weak self] _ in
            self?.remove(id)
        }
        let registered: Bool = lock.locked {
            guard !finished else { return false }
            subscribers[id] = continuation
            continuation.yield(latest)
            return true
        }
        if !registered {
            continuation.finish()
        }
        return stream
    }

    private func remove(_ id: UInt64) {
        lock.locked { _ = subscribers.removeValue(forKey: id) }
    }

    /// Ends every stream (on close).
    func finish() {
        let ending = lock.locked {
            finished = true
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ending {
            continuation.finish()
        }
    }
}
