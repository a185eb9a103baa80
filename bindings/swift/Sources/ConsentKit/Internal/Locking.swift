import Foundation

extension NSLock {
    /// Runs `body` with the lock held. (Foundation's `withLock` needs iOS 16 / macOS 13.)
    @inline(__always)
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
