internal import ConsentKitGenerated

/// How ``ConsentStore/verifyIntegrity()`` ended. It exists because open no longer walks the whole ledger (it trusts
/// the authenticated checkpoint), so the full check is a maintenance call whose outcome the app may want to log.
public enum IntegrityCheck: Sendable, Hashable {
    /// Every ledger row, the head's MAC and the head kept outside the file verified: `rows` rows in `tookMs`
    /// milliseconds.
    case passed(rows: Int, tookMs: Double)
    /// Damage or tampering was found: the file was set aside and the safe default is in force;
    /// ``ConsentState/recovery`` says why.
    case recovered
}

extension IntegrityCheck {
    init(_ check: ConsentKitGenerated.IntegrityCheck) {
        switch check {
        case let .passed(rows, tookMs):
            self = .passed(rows: Int(rows), tookMs: tookMs)
        case .recovered:
            self = .recovered
        }
    }
}
