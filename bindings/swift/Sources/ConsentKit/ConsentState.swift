import Foundation

/// Everything the app's consent screens need, published on ``ConsentStore/states`` after each change.
///
/// Every value is computed by the core; the facade only converts it.
public struct ConsentState: Sendable, Hashable {
    /// Increases with every change of consent (not with time passing).
    public let version: UInt64
    /// Whether the current privacy policy version is agreed.
    public let policyAgreed: Bool
    /// The current privacy policy version (from the manifest).
    public let policyVersion: String
    /// The user's age bracket.
    public let age: AgeBracket
    /// Every purpose of the manifest, in manifest order.
    public let purposes: [PurposeState]
    /// Every feature's resolved tier, in manifest order.
    public let features: [Tier]
    /// The recovery that happened when the database was opened, if it had to be set aside.
    public let recovery: RecoveryInfo?

    /// The state of one purpose (an id or a generated ``PurposeID``), or `nil` if the manifest does not declare it.
    public func purpose(_ id: some PurposeID) -> PurposeState? {
        let id = id.manifestID
        return purposes.first { $0.id == id }
    }

    /// The resolved tier of one feature (an id or a generated ``FeatureID``), or `nil` if the manifest does not
    /// declare it.
    public func tier(of feature: some FeatureID) -> Tier? {
        let feature = feature.manifestID
        return features.first { $0.feature == feature }
    }
}

/// The state of one purpose. `Identifiable` by the purpose's id, for `ForEach(state.purposes)`.
public struct PurposeState: Sendable, Hashable, Identifiable {
    /// The purpose's id.
    public let id: String
    /// Whether collecting for it is allowed now.
    public let isAllowed: Bool
    /// Why not, when it is not allowed.
    public let denyReason: DenyReason?
    /// Whether it needs its own consent, asked on its own (sensitive data, a third party, storage abroad, or
    /// tracking). Such purposes are granted one per ``ConsentStore/grant(_:source:actor:)`` call.
    public let needsSeparateConsent: Bool
    /// Whether it needs an explicit opt-in (`consent` basis), rather than being covered by the policy agreement.
    public let needsOptIn: Bool
}

/// Who makes a consent choice.
public enum ConsentActor: String, Sendable, Hashable, CaseIterable {
    /// The user.
    case user
    /// The user's parent or guardian (required when the user is under the guardian age, 14 in `cn-2021`).
    case guardian
}

/// The user's age bracket.
public enum AgeBracket: String, Sendable, Hashable, CaseIterable {
    /// Not known (treated as an adult).
    case unknown
    /// Under 14: only a guardian's consent counts.
    case under14
    /// 14 to 17.
    case teen
    /// 18 or older.
    case adult
}

/// The consent database was damaged, tampered with, or written by a newer ConsentStore, and was set aside when it was
/// opened. ConsentKit then runs on the safe default: nothing granted, every feature on its basic tier.
public struct RecoveryInfo: Sendable, Hashable {
    /// Why the database was set aside.
    public let reason: RecoveryReason
    /// Details for logs (no personal data).
    public let detail: String
    /// Where the old file was kept (it is the record of consent, so it is never deleted).
    public let quarantinedPath: String
    /// When it happened.
    public let date: Date
}

/// Why a consent database was set aside.
public enum RecoveryReason: String, Sendable, Hashable, CaseIterable {
    /// SQLite could not read it, or its integrity check failed.
    case corrupt
    /// The consent ledger's hash chain does not verify (tampering or damage).
    case brokenChain
    /// It was written by a newer version of ConsentKit.
    case schemaTooNew
    /// Its chain head or checkpoint does not authenticate under the device key (rewritten, or its MACs removed).
    case unauthenticated
    /// It is older than the head recorded outside it (restored from an older backup, or its tail truncated).
    case rolledBack
    /// It was keyed under a device key that is gone (restored to another device, key store wiped): verified in
    /// full and re-keyed; its state is kept and nothing was set aside (`quarantinedPath` is empty).
    case keyReplaced
}
