import Foundation

/// Every way a ConsentKit call can fail.
public enum ConsentKitError: Error, Sendable, Hashable {
    /// The manifest is not valid JSON or not manifest v1, or its lint found errors.
    ///
    /// - Parameters:
    ///   - detail: A summary, with the JSON path of the first problem.
    ///   - path: Where parsing failed (empty when the lint failed).
    ///   - diagnostics: Every lint finding (errors and warnings), each with a fix.
    case invalidManifest(detail: String, path: String, diagnostics: [ManifestDiagnostic])
    /// An id that the manifest does not declare.
    case unknownId(kind: IdKind, id: String)
    /// An argument that makes no sense (e.g. a policy version that is not the current one).
    case invalidArgument(detail: String)
    /// Purposes that need separate consent were passed to ``ConsentStore/grantAll(_:source:actor:)``, which refuses
    /// any list containing one — even a list of one: a separate consent is asked and granted on its own, with
    /// ``ConsentStore/grant(_:source:actor:)``.
    case separateConsentRequired(purposes: [String])
    /// Only a guardian (``ConsentActor/guardian``) can do this: the user is under the guardian age, or the call is
    /// one only a guardian makes (``ConsentStore/agreeToChildrenRules(version:source:actor:)``).
    case guardianRequired(age: Int)
    /// The database could not be opened or written; nothing changed.
    case storage(detail: String)
    /// The instance was closed.
    case closed
    /// ``ConsentStore/advanceClock(by:)`` needs an instance opened with ``OpenOptions/manualClockStart``.
    case clockNotManual
    /// The core answered something this version of the Swift layer does not understand, or failed unexpectedly.
    /// This is a bug in ConsentKit; please report it with `detail`.
    case unexpected(detail: String)
}

/// The kind of id in ``ConsentKitError/unknownId(kind:id:)``.
public enum IdKind: String, Sendable, Hashable, CaseIterable {
    /// A purpose id.
    case purpose
    /// A data type id.
    case dataType = "data_type"
    /// A feature id.
    case feature
    /// A third-party id.
    case thirdParty = "third_party"
}

/// A manifest lint finding, as shown to app developers.
public struct ManifestDiagnostic: Sendable, Hashable {
    /// A stable code (`CK001`...).
    public let code: String
    /// Whether the manifest is refused because of it.
    public let severity: DiagnosticSeverity
    /// The JSON path of the problem.
    public let path: String
    /// What is wrong.
    public let detail: String
    /// How to fix it.
    public let fix: String
}

/// The severity of a ``ManifestDiagnostic``.
public enum DiagnosticSeverity: String, Sendable, Hashable, CaseIterable {
    /// The manifest is refused.
    case error
    /// Allowed, but worth a look.
    case warning
}

extension ConsentKitError: LocalizedError {
    /// A description for logs and developer alerts (no personal data).
    public var errorDescription: String? {
        switch self {
        case let .invalidManifest(detail, _, diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            let list = errors.map { "\($0.code) at \($0.path): \($0.detail)" }.joined(separator: "; ")
            return list.isEmpty ? "Invalid manifest: \(detail)" : "Invalid manifest: \(list)"
        case let .unknownId(kind, id):
            return "Unknown \(kind.rawValue) \"\(id)\": the manifest does not declare it."
        case let .invalidArgument(detail):
            return "Invalid argument: \(detail)"
        case let .separateConsentRequired(purposes):
            return "Separate consent required for: \(purposes.joined(separator: ", ")). Grant each on its own, with grant."
        case let .guardianRequired(age):
            return "Guardian consent required (the user is under \(age))."
        case let .storage(detail):
            return "Storage error: \(detail)"
        case .closed:
            return "ConsentKit is closed."
        case .clockNotManual:
            return "The clock is not manual: open with OpenOptions(manualClockStart:) to move it."
        case let .unexpected(detail):
            return "Unexpected ConsentKit failure: \(detail)"
        }
    }
}

extension ConsentKitError {
    /// The error for a scalar code that is not a decision (closed, invalid handle, unknown).
    init(code: UInt8) {
        switch code {
        case CoreCode.closed: self = .closed
        case CoreCode.invalidHandle: self = .unexpected(detail: "the core reported an invalid handle")
        default: self = .unexpected(detail: "unknown decision code \(code)")
        }
    }
}
