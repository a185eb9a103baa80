import Foundation
internal import ConsentKitGenerated

/// Log levels of the core's records, most severe first.
public enum LogLevel: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Something failed.
    case error
    /// Something unexpected that was handled (e.g. a database recovery).
    case warn
    /// Notable events.
    case info
    /// Details for debugging.
    case debug
    /// Everything.
    case trace

    /// More severe levels come first: `.error < .warn < ... < .trace`.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension ConsentStore {
    /// Routes the core's log records to `handler` (e.g. an `os.Logger`). Records carry no personal data and no
    /// consent payload. The handler is installed once per process; later calls only change `maxLevel`.
    ///
    /// - Parameters:
    ///   - maxLevel: The most detailed level to receive.
    ///   - handler: Called with the level, the module that logged, and the message, on the thread that logged.
    /// - Returns: Whether this call installed `handler`.
    @discardableResult
    public static func setLogHandler(
        maxLevel: LogLevel = .info,
        _ handler: @escaping @Sendable (LogLevel, String, String) -> Void
    ) -> Bool {
        let level: ConsentKitGenerated.LogLevel = switch maxLevel {
        case .error: .error
        case .warn: .warn
        case .info: .info
        case .debug: .debug
        case .trace: .trace
        }
        return setLogger(logger: LogBridge(handler), maxLevel: level)
    }
}

/// The generated `ForeignLogger`, forwarding to a closure.
private final class LogBridge: ConsentKitGenerated.ForeignLogger {
    private let handler: @Sendable (LogLevel, String, String) -> Void

    init(_ handler: @escaping @Sendable (LogLevel, String, String) -> Void) {
        self.handler = handler
    }

    func log(level: ConsentKitGenerated.LogLevel, target: String, message: String) {
        let mine: LogLevel = switch level {
        case .error: .error
        case .warn: .warn
        case .info: .info
        case .debug: .debug
        case .trace: .trace
        }
        handler(mine, target, message)
    }
}
