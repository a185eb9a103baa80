// Converts the generated UniFFI types (internal) into the public Swift types. The one place where the two meet.
import Foundation
internal import ConsentKitGenerated

extension ConsentKitError {
    /// Maps any error thrown by a generated call.
    init(_ error: any Error) {
        if let mine = error as? ConsentKitError {
            self = mine
            return
        }
        guard let core = error as? ConsentKitGenerated.ConsentError else {
            self = .unexpected(detail: String(describing: error))
            return
        }
        switch core {
        case let .InvalidManifest(detail, path, diagnostics):
            self = .invalidManifest(detail: detail, path: path, diagnostics: diagnostics.map(ManifestDiagnostic.init))
        case let .UnknownId(kind, id):
            self = .unknownId(kind: IdKind(rawValue: kind) ?? .purpose, id: id)
        case let .InvalidArgument(detail):
            self = .invalidArgument(detail: detail)
        case let .SeparateConsentRequired(purposes):
            self = .separateConsentRequired(purposes: purposes)
        case let .GuardianRequired(age):
            self = .guardianRequired(age: Int(age))
        case let .Storage(detail):
            self = .storage(detail: detail)
        case .Closed:
            self = .closed
        case .ClockNotManual:
            self = .clockNotManual
        case let .Internal(detail):
            self = .unexpected(detail: detail)
        }
    }
}

/// Runs a generated call, mapping its error to ``ConsentKitError``.
@inline(__always)
func mapped<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw ConsentKitError(error)
    }
}

extension ManifestDiagnostic {
    init(_ d: ConsentKitGenerated.ManifestDiagnostic) {
        self.init(
            code: d.code,
            severity: d.severity == .error ? .error : .warning,
            path: d.path,
            detail: d.detail,
            fix: d.fix
        )
    }
}

extension DenyReason {
    init(_ r: ConsentKitGenerated.DenyReason) {
        switch r {
        case .policyNotAgreed: self = .policyNotAgreed
        case .notGranted: self = .notGranted
        case .refused: self = .refused
        case .withdrawn: self = .withdrawn
        case .lapsed: self = .lapsed
        case .guardianRequired: self = .guardianRequired
        case .notDeclared: self = .notDeclared
        case .frequencyLimited: self = .frequencyLimited
        case .recipientNotDeclared: self = .recipientNotDeclared
        }
    }
}

extension ConsentActor {
    var core: ConsentKitGenerated.Actor {
        switch self {
        case .user: .user
        case .guardian: .guardian
        }
    }
}

extension AgeBracket {
    init(_ a: ConsentKitGenerated.AgeBracket) {
        switch a {
        case .unknown: self = .unknown
        case .under14: self = .under14
        case .teen: self = .teen
        case .adult: self = .adult
        }
    }

    var core: ConsentKitGenerated.AgeBracket {
        switch self {
        case .unknown: .unknown
        case .under14: .under14
        case .teen: .teen
        case .adult: .adult
        }
    }
}

extension Tier {
    init(_ t: ConsentKitGenerated.ResolvedTier) {
        self.init(
            feature: t.feature,
            tierID: t.tier,
            index: t.tierIndex.map(Int.init),
            isBasic: t.isBasic,
            missingPurposes: t.missingPurposes,
            canAskNow: t.canAskNow
        )
    }
}

extension ConsentState {
    init(_ s: ConsentKitGenerated.ConsentStatus) {
        self.init(
            version: s.version,
            policyAgreed: s.policyAgreed,
            policyVersion: s.policyVersion,
            age: AgeBracket(s.age),
            purposes: s.purposes.map(PurposeState.init),
            features: s.features.map(Tier.init),
            recovery: s.recovery.map(RecoveryInfo.init)
        )
    }
}

extension PurposeState {
    init(_ p: ConsentKitGenerated.PurposeStatus) {
        self.init(
            id: p.id,
            isAllowed: p.allowed,
            denyReason: p.reason.map(DenyReason.init),
            needsSeparateConsent: p.separateConsent,
            needsOptIn: p.needsOptIn
        )
    }
}

extension RecoveryInfo {
    init(_ r: ConsentKitGenerated.RecoveryInfo) {
        let reason: RecoveryReason = switch r.reason {
        case .corrupt: .corrupt
        case .brokenChain: .brokenChain
        case .schemaTooNew: .schemaTooNew
        case .unauthenticated: .unauthenticated
        case .rolledBack: .rolledBack
        case .keyReplaced: .keyReplaced
        }
        self.init(
            reason: reason,
            detail: r.detail,
            quarantinedPath: r.quarantinedPath,
            date: Date(timeIntervalSince1970: TimeInterval(r.atMs) / 1000)
        )
    }
}

extension PromptTrigger {
    var core: ConsentKitGenerated.PromptTrigger {
        switch kind {
        case .appStart: .appStart
        case let .feature(id): .feature(feature: id)
        case let .settings(purpose): .settings(purpose: purpose)
        }
    }
}

extension Prompt {
    init(_ p: ConsentKitGenerated.Prompt) {
        let kind: PromptKind = switch p.kind {
        case .policyAgreement: .policyAgreement
        case .justInTime: .justInTime
        case .reConsent: .reConsent
        case .guardianConsent: .guardianConsent
        }
        self.init(
            kind: kind,
            purpose: p.purpose.map(PurposeText.init),
            policyVersion: p.policyVersion,
            policyURL: p.policyUrl,
            covers: p.covers.map(PurposeText.init),
            childrenRules: p.childrenRules.map { ChildrenRules(version: $0.version, url: $0.url) }
        )
    }
}

extension PurposeText {
    init(_ p: ConsentKitGenerated.PurposeText) {
        self.init(
            id: p.id,
            description: p.description,
            dataTypes: p.dataTypes.map { DataTypeText(id: $0.id, description: $0.description, sensitive: $0.sensitive) },
            recipients: p.recipients.map { RecipientText(id: $0.id, name: $0.name, region: $0.region, contact: $0.contact) },
            storageRegion: p.storageRegion,
            crossBorder: p.crossBorder,
            retentionDays: p.retentionDays.map(Int.init),
            separateConsent: p.separateConsent.map { reason in
                switch reason {
                case .sensitive: .sensitive
                case .thirdParty: .thirdParty
                case .crossBorder: .crossBorder
                case .tracking: .tracking
                }
            }
        )
    }
}

extension Filing {
    init(_ f: ConsentKitGenerated.Filing) {
        self.init(number: f.number, url: f.url)
    }
}

extension OpenOptions {
    var core: ConsentKitGenerated.OpenOptions {
        ConsentKitGenerated.OpenOptions(
            manualClockStartMs: manualClockStart.map(millisecondsSince1970),
            accessFlushEvery: coreFlushEvery,
            integrityDir: integrityDir
        )
    }
}

/// A date as UTC milliseconds (the core's time unit), rounded to the nearest millisecond.
func millisecondsSince1970(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}
