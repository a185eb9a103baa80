import Foundation

/// The answer to "may I collect this data type for this purpose now?".
///
/// Read it from ``ConsentStore/decide(_:_:)``. A denial names why, so the app can offer the feature's reduced tier
/// (``ConsentStore/resolve(_:)``) or ask at the right moment (``ConsentStore/nextPrompt(for:)``).
public enum Decision: Sendable, Hashable {
    /// Go ahead.
    case allowed
    /// Do not collect; offer the feature's resolved tier instead.
    case denied(DenyReason)

    /// Whether the answer is ``allowed``.
    public var isAllowed: Bool { self == .allowed }
}

/// Why collecting is not allowed.
public enum DenyReason: String, Sendable, Hashable, CaseIterable {
    /// The privacy policy (its current version) is not agreed: nothing is collected.
    case policyNotAgreed
    /// The purpose needs an opt-in the user has not given.
    case notGranted
    /// The user refused when asked.
    case refused
    /// The user withdrew an earlier consent.
    case withdrawn
    /// The purpose changed since the user agreed (new data types, recipients, region or retention): ask again.
    case lapsed
    /// The user is under the guardian age and no guardian consented.
    case guardianRequired
    /// The purpose does not declare this data type in the manifest.
    case notDeclared
    /// The purpose's frequency limit for this data type is reached (``ConsentStore/collect(_:_:recipient:)`` only).
    case frequencyLimited
    /// The recipient is not declared for this purpose (``ConsentStore/collect(_:_:recipient:)`` only).
    case recipientNotDeclared
}

/// The result of ``ConsentStore/collect(_:_:recipient:)``.
public enum CollectResult: Sendable, Hashable {
    /// Allowed, and counted in the on-device access log.
    case allowed
    /// Not allowed; nothing was counted.
    ///
    /// - Parameters:
    ///   - reason: Why.
    ///   - retryAfter: For ``DenyReason/frequencyLimited``: how long until a collection would be allowed again;
    ///     `nil` otherwise.
    case denied(DenyReason, retryAfter: Duration?)

    /// Whether the collection was allowed (and counted).
    public var isAllowed: Bool { self == .allowed }
}

/// The result of ``ConsentStore/withConsent(_:_:recipient:body:)``: the body's value, or why it did not run.
public enum ConsentResult<Value> {
    /// Consent allowed the collection: the body ran and returned this value.
    case allowed(Value)
    /// The body did not run.
    ///
    /// - Parameters:
    ///   - reason: Why.
    ///   - retryAfter: For ``DenyReason/frequencyLimited``: how long until it would be allowed; `nil` otherwise.
    case denied(DenyReason, retryAfter: Duration?)

    /// The body's value, or `nil` when it did not run.
    public var value: Value? {
        if case let .allowed(value) = self { return value }
        return nil
    }
}

extension ConsentResult: Sendable where Value: Sendable {}
extension ConsentResult: Equatable where Value: Equatable {}
extension ConsentResult: Hashable where Value: Hashable {}

// MARK: - Scalar codes

extension DenyReason {
    /// The reason behind a decision code of the core's decision table and handle calls (1...9), or `nil`.
    init?(code: UInt8) {
        switch code {
        case 1: self = .policyNotAgreed
        case 2: self = .notGranted
        case 3: self = .refused
        case 4: self = .withdrawn
        case 5: self = .lapsed
        case 6: self = .guardianRequired
        case 7: self = .notDeclared
        case 8: self = .frequencyLimited
        case 9: self = .recipientNotDeclared
        default: return nil
        }
    }
}

/// Decision codes outside 0...9 that the core's handle calls return.
enum CoreCode {
    /// Allowed.
    static let allowed: UInt8 = 0
    /// A handle out of range (`CODE_INVALID_HANDLE` in the core).
    static let invalidHandle: UInt8 = 250
    /// The instance is closed (`CODE_CLOSED` in the core). The mirror also writes it into every cell on `close()`.
    static let closed: UInt8 = 251
}

extension Decision {
    /// The decision for a code read from the decision table.
    @inline(__always)
    init(code: UInt8) throws {
        if code == CoreCode.allowed {
            self = .allowed
        } else if let reason = DenyReason(code: code) {
            self = .denied(reason)
        } else {
            throw ConsentKitError(code: code)
        }
    }
}
