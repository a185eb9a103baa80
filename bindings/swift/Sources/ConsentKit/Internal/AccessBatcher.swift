import Foundation
internal import ConsentKitAtomics
internal import ConsentKitGenerated

/// Counts the collections the facade allowed from its mirror, lock-free, and sends them to the core's access log
/// in batches (`recordAccess`), so `collect` does not cross the FFI boundary per event.
///
/// One atomic 64-bit counter per decision-table cell. A batch is sent
/// - as soon as one cell reaches `batchSize` pending collections,
/// - `interval` seconds after a cell went from 0 to 1 (a one-shot timer, armed only while counts are pending, so an
///   idle app is never woken up),
/// - on `flush()` / `didEnterBackground()` / `close()`.
///
/// Sending runs on a private serial queue; a failed send puts the counts back (except after close).
final class AccessBatcher: @unchecked Sendable {
    private let core: ConsentKitGenerated.ConsentKit
    private let width: Int
    private let cellCount: Int
    private let batchSize: UInt64
    private let interval: TimeInterval
    private let queue = DispatchQueue(label: "dev.consentkit.access", qos: .utility)
    private let onQueue = DispatchSpecificKey<Bool>()

    /// `cellCount` pending counters, then: [0] timer armed flag, [1] total sent, [2] sends.
    private let counters: UnsafeMutableRawPointer
    private let flags: UnsafeMutableRawPointer
    private static let armed = 0, sent = 1, sends = 2

    init(core: ConsentKitGenerated.ConsentKit, width: Int, cellCount: Int, batchSize: Int, interval: TimeInterval) {
        self.core = core
        self.width = width
        self.cellCount = cellCount
        self.batchSize = UInt64(max(batchSize, 1))
        self.interval = max(interval, 0.001)
        counters = .allocate(byteCount: max(cellCount, 1) * 8, alignment: 8)
        counters.initializeMemory(as: UInt64.self, repeating: 0, count: max(cellCount, 1))
        flags = .allocate(byteCount: 3 * 8, alignment: 8)
        flags.initializeMemory(as: UInt64.self, repeating: 0, count: 3)
        queue.setSpecific(key: onQueue, value: true)
    }

    deinit {
        counters.deallocate()
        flags.deallocate()
    }

    // MARK: Hot path

    /// Counts one collection for `cell` (allowed by the mirror, no frequency limit, no recipient).
    @inline(__always)
    func count(_ cell: Int) {
        let before = ck_add_u64(counters, cell, 1)
        if before + 1 == batchSize {
            queue.async { [weak self] in self?.send() }
        } else if before == 0 {
            armTimer()
        }
    }

    private func armTimer() {
        guard ck_compare_exchange_u64(flags, Self.armed, 0, 1) else { return }
        queue.asyncAfter(deadline: .now() + interval) { [weak self] in self?.send() }
    }

    // MARK: Sending

    /// Collections sent to the core so far, and in how many `recordAccess` calls (for tests and diagnostics).
    var statistics: (collections: UInt64, batches: UInt64) {
        (ck_load_u64(flags, Self.sent), ck_load_u64(flags, Self.sends))
    }

    /// Collections counted but not sent yet.
    var pending: UInt64 {
        (0..<cellCount).reduce(0) { $0 + ck_load_u64(counters, $1) }
    }

    /// Sends every pending count now, on the calling thread if it is the batch queue, else synchronously on it;
    /// then runs `after` there (e.g. the core's flush).
    func sendNow<T>(then after: () throws -> T) rethrows -> T {
        if DispatchQueue.getSpecific(key: onQueue) == true {
            send()
            return try after()
        }
        return try queue.sync {
            send()
            return try after()
        }
    }

    /// Like `sendNow`, without blocking the caller.
    func sendNow<T: Sendable>(then after: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                send()
                continuation.resume(with: Result { try after() })
            }
        }
    }

    /// Drains every counter and records the counts in the core (on the batch queue).
    private func send() {
        // Disarm first: a collection that lands after this arms a new timer, one that lands before is drained now.
        _ = ck_exchange_u64(flags, Self.armed, 0)
        var entries: [ConsentKitGenerated.AccessEntry] = []
        var total: UInt64 = 0
        for cell in 0..<cellCount where ck_load_u64(counters, cell) != 0 {
            let n = ck_exchange_u64(counters, cell, 0)
            guard n > 0 else { continue }
            total += n
            entries.append(ConsentKitGenerated.AccessEntry(
                purpose: UInt32(cell / width),
                dataType: UInt32(cell % width),
                recipient: UInt32.max,
                count: n
            ))
        }
        guard !entries.isEmpty else { return }
        do {
            try core.recordAccess(entries: entries)
            _ = ck_add_u64(flags, Self.sent, total)
            _ = ck_add_u64(flags, Self.sends, 1)
        } catch ConsentKitGenerated.ConsentError.Closed {
            // Closed: nowhere to send them.
        } catch {
            // Put them back; the next batch retries.
            for e in entries {
                let cell = Int(e.purpose) * width + Int(e.dataType)
                if ck_add_u64(counters, cell, e.count) == 0 { armTimer() }
            }
        }
    }
}
