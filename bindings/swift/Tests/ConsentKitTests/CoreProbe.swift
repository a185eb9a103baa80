// Direct use of the generated (raw) UniFFI API, for the tests that compare the facade with the core or register
// observers behind the facade's back. This file imports only ConsentKitGenerated (whose type names overlap the
// facade's), and gives the other test files canonical strings.
import Foundation
import ConsentKitGenerated

extension ConsentKitGenerated.ConsentKit {
    /// The core's string-keyed `decide` (crosses the boundary), canonical like `canonical(_: Decision)`.
    func coreDecide(_ purpose: String, _ dataType: String) -> String {
        do {
            switch try decide(purpose: purpose, dataType: dataType) {
            case .allowed: return "allowed"
            case let .denied(reason): return "denied:\(Self.reasonName(reason))"
            }
        } catch {
            return "error:\(Self.errorName(error))"
        }
    }

    /// The core's string-keyed `resolve`, canonical like `canonical(_: Tier)`.
    func coreResolve(_ feature: String) -> String {
        do {
            let t = try resolve(feature: feature)
            return "tier=\(t.tier ?? "nil") index=\(t.tierIndex.map { String($0) } ?? "nil") basic=\(t.isBasic) "
                + "missing=\(t.missingPurposes) ask=\(t.canAskNow)"
        } catch {
            return "error:\(Self.errorName(error))"
        }
    }

    /// The core's `decideCode` by handles.
    func coreDecideCode(_ purpose: Int, _ dataType: Int) -> UInt8 {
        decideCode(purpose: UInt32(purpose), dataType: UInt32(dataType))
    }

    static func reasonName(_ r: ConsentKitGenerated.DenyReason) -> String {
        switch r {
        case .policyNotAgreed: "policy_not_agreed"
        case .notGranted: "not_granted"
        case .refused: "refused"
        case .withdrawn: "withdrawn"
        case .lapsed: "lapsed"
        case .guardianRequired: "guardian_required"
        case .notDeclared: "not_declared"
        case .frequencyLimited: "frequency_limited"
        case .recipientNotDeclared: "recipient_not_declared"
        case .osPermissionDenied: "os_permission_denied"
        case .trackingNotAuthorized: "tracking_not_authorized"
        }
    }

    static func errorName(_ error: any Error) -> String {
        guard let e = error as? ConsentKitGenerated.ConsentError else { return "foreign:\(error)" }
        return switch e {
        case .InvalidManifest: "invalid_manifest"
        case .UnknownId: "unknown_id"
        case .InvalidArgument: "invalid_argument"
        case .SeparateConsentRequired: "separate_consent_required"
        case .GuardianRequired: "guardian_required"
        case .Storage: "storage"
        case .Closed: "closed"
        case .ClockNotManual: "clock_not_manual"
        case .Internal: "internal"
        }
    }

    /// Moves the core's clock without telling the facade.
    func rawAdvance(ms: Int64) throws {
        try advanceClock(ms: ms)
    }

    /// Grants through the raw API (the facade does not hear of it except through its observer).
    func rawGrant(_ purpose: String) throws {
        try grant(purpose: purpose, actor: .user, source: "raw-test")
    }

    /// Registers a test observer; returns its id.
    func addTestObserver(_ observer: TestObserver) throws -> UInt64 {
        try addObserver(observer: observer)
    }
}

/// How a test observer misbehaves.
enum ObserverBehaviour: Sendable {
    /// Throws the declared `ObserverError`.
    case throwDeclared
    /// Throws an error type the core does not know (UniFFI reports it as an unexpected callback error).
    case throwForeign
    /// Sleeps this long in every call.
    case sleep(TimeInterval)
    /// Calls back into the core from inside the notification.
    case reenter
}

struct SomeSwiftError: Error {}

/// A raw `ConsentObserver` that misbehaves on purpose, counting its calls.
final class TestObserver: ConsentKitGenerated.ConsentObserver, @unchecked Sendable {
    let behaviour: ObserverBehaviour
    private let lock = NSLock()
    private var calls = 0
    private var versions: [UInt64] = []
    weak var core: ConsentKitGenerated.ConsentKit?

    init(_ behaviour: ObserverBehaviour) {
        self.behaviour = behaviour
    }

    var callCount: Int { lock.lock(); defer { lock.unlock() }; return calls }
    var seenVersions: [UInt64] { lock.lock(); defer { lock.unlock() }; return versions }

    func onChange(status: ConsentKitGenerated.ConsentStatus) throws {
        lock.lock()
        calls += 1
        versions.append(status.version)
        lock.unlock()
        switch behaviour {
        case .throwDeclared: throw ConsentKitGenerated.ObserverError.Failed(detail: "test observer fails on purpose")
        case .throwForeign: throw SomeSwiftError()
        case let .sleep(seconds): Thread.sleep(forTimeInterval: seconds)
        case .reenter: _ = try core?.status()
        }
    }

    func onRecovery(event: ConsentKitGenerated.RecoveryInfo) throws {
        throw ConsentKitGenerated.ObserverError.Failed(detail: "test observer fails on purpose")
    }
}

/// Arms the test-only panic hook (`test-hooks` build): the next call into the core panics inside it.
func armCorePanic() {
    ConsentKitGenerated.armTestPanic()
}

/// `table` as if the core had computed it at `version`: the mirror's torn-read test publishes two real tables
/// alternately under increasing versions, far faster than writes could.
func renumbered(_ table: DecisionTable, _ version: UInt64) -> DecisionTable {
    var copy = table
    copy.version = version
    return copy
}
