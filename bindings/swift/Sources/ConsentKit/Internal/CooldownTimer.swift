import Foundation

/// Refreshes the mirror when a decision table's time-based answers change (`nextChangeMs`, e.g. the end of the
/// 48-hour cooldown after a refusal): one wall-clock timer for the earliest such time. With a manual clock the
/// facade refreshes in `advanceClock` instead. `resolve` also checks the time, in case the timer was late (an app
/// that was suspended).
final class CooldownTimer: @unchecked Sendable {
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "dev.consentkit.cooldown", qos: .utility)
    private var timer: DispatchSourceTimer?
    private var scheduledMs: Int64?
    private var cancelled = false

    /// Runs `action` at `ms` (UTC milliseconds), replacing an earlier schedule; `nil` cancels it.
    func schedule(at ms: Int64?, _ action: @escaping @Sendable () -> Void) {
        lock.locked {
            guard !cancelled, ms != scheduledMs else { return }
            timer?.cancel()
            timer = nil
            scheduledMs = ms
            guard let ms else { return }
            let t = DispatchSource.makeTimerSource(queue: queue)
            let deadline = timespec(tv_sec: Int(ms / 1000), tv_nsec: Int(ms % 1000) * 1_000_000)
            t.schedule(wallDeadline: DispatchWallTime(timespec: deadline), leeway: .milliseconds(100))
            t.setEventHandler { [weak self] in
                self?.fired(ms)
                action()
            }
            t.resume()
            timer = t
        }
    }

    private func fired(_ ms: Int64) {
        lock.locked {
            if scheduledMs == ms {
                timer?.cancel()
                timer = nil
                scheduledMs = nil
            }
        }
    }

    /// Stops for good (on close).
    func cancel() {
        lock.locked {
            cancelled = true
            timer?.cancel()
            timer = nil
        }
    }
}
