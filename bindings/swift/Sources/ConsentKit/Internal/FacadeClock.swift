import Foundation

/// The facade's view of the core's clock, to know when a table's `nextChangeMs` has come: the system clock, or
/// the manual clock of instances opened with `OpenOptions.manualClockStart` (moved by `advanceClock`).
final class FacadeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var manualNowMs: Int64?

    init(manualStartMs: Int64?) {
        manualNowMs = manualStartMs
    }

    var isManual: Bool {
        lock.locked { manualNowMs != nil }
    }

    /// Now, in UTC milliseconds.
    func nowMs() -> Int64 {
        if let manual = lock.locked({ manualNowMs }) { return manual }
        return millisecondsSince1970(Date())
    }

    /// Moves the manual clock (after the core moved its own).
    func advance(ms: Int64) {
        lock.locked {
            if let now = manualNowMs { manualNowMs = now + ms }
        }
    }
}
