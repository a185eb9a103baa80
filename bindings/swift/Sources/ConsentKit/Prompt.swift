/// What the app should ask the user next, with the texts to render. Returned by ``ConsentStore/nextPrompt(for:)``.
///
/// For a child (under 14) every prompt is ``PromptKind/guardianConsent`` and must be answered with
/// ``ConsentActor/guardian``: first the policy (``purpose`` is `nil`; ``childrenRules`` may already be set, but each
/// document is agreed with its own call), then the children's rules (``purpose`` `nil`, ``childrenRules`` set), then
/// each optional purpose on its own (``purpose`` set). Ask ``ConsentStore/nextPrompt(for:)`` again after each answer.
public struct Prompt: Sendable, Hashable {
    /// The kind of prompt.
    public let kind: PromptKind
    /// The purpose asked for; `nil` for a policy agreement.
    public let purpose: PurposeText?
    /// The privacy policy version to show (pass it back to ``ConsentStore/agreeToPolicy(version:source:actor:)``).
    public let policyVersion: String
    /// The privacy policy's URL.
    public let policyURL: String
    /// For a policy agreement: the `necessary` purposes the agreement covers.
    public let covers: [PurposeText]
    /// Set on a ``PromptKind/guardianConsent`` prompt when the guardian must agree to the app's children's
    /// personal-information rules: show them, then call
    /// ``ConsentStore/agreeToChildrenRules(version:source:actor:)`` with its version and ``ConsentActor/guardian``.
    /// `nil` otherwise.
    public let childrenRules: ChildrenRules?
}

/// The app's children's personal-information rules (儿童个人信息保护规则) a guardian agrees to: a consent separate
/// from the privacy policy, which a child's necessary purposes ride on (``Prompt/childrenRules``).
public struct ChildrenRules: Sendable, Hashable {
    /// The version to pass to ``ConsentStore/agreeToChildrenRules(version:source:actor:)``.
    public let version: String
    /// Where the rules are published: show or link them.
    public let url: String
}

/// The kind of a ``Prompt``.
public enum PromptKind: String, Sendable, Hashable, CaseIterable {
    /// Agree to the privacy policy.
    case policyAgreement
    /// Consent to one purpose, asked in context (when the user opens the feature that needs it).
    case justInTime
    /// Ask again after the policy or a purpose changed.
    case reConsent
    /// A guardian must answer (the user is under the guardian age): the policy, the children's rules
    /// (``Prompt/childrenRules``) or one purpose. Answer with ``ConsentActor/guardian``.
    case guardianConsent
}

/// When the app asks ``ConsentStore/nextPrompt(for:)``: `.appStart`, `.feature(Ids.Feature.pickup)` or
/// `.settings(purpose: Ids.Purpose.liveLocation)` (generated typed ids or strings).
///
/// A struct with static members rather than an enum so that its ids can be typed ids or strings alike.
public struct PromptTrigger: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case appStart
        case feature(String)
        case settings(purpose: String)
    }

    let kind: Kind

    /// The app starts: policy agreement and re-consent.
    public static let appStart = PromptTrigger(kind: .appStart)

    /// The user opens `feature`: just-in-time consent for its next richer tier (respects the refusal cooldown).
    public static func feature(_ feature: some FeatureID) -> PromptTrigger {
        PromptTrigger(kind: .feature(feature.manifestID))
    }

    /// The user asks, from a settings screen, to enable `purpose` (the refusal cooldown does not apply).
    public static func settings(purpose: some PurposeID) -> PromptTrigger {
        PromptTrigger(kind: .settings(purpose: purpose.manifestID))
    }
}

/// What the user must be told about a purpose before consenting.
public struct PurposeText: Sendable, Hashable {
    /// The purpose's id.
    public let id: String
    /// Why the data is processed (from the manifest), to show to the user.
    public let description: String
    /// What is collected.
    public let dataTypes: [DataTypeText]
    /// Who receives it besides the app.
    public let recipients: [RecipientText]
    /// Where it is stored (region code).
    public let storageRegion: String
    /// Whether it is stored outside the app's home region.
    public let crossBorder: Bool
    /// How long it is kept, in days.
    public let retentionDays: Int?
    /// Why the purpose needs separate consent (empty when it does not).
    public let separateConsent: [SeparateConsentReason]
}

/// A data type as shown to the user.
public struct DataTypeText: Sendable, Hashable {
    /// The data type's id.
    public let id: String
    /// What it is.
    public let description: String
    /// Whether it is sensitive personal information.
    public let sensitive: Bool
}

/// A third party as shown to the user.
public struct RecipientText: Sendable, Hashable {
    /// The third party's id.
    public let id: String
    /// Its name.
    public let name: String
    /// Where it is (region code).
    public let region: String
    /// Its privacy contact, if declared.
    public let contact: String?
}

/// Why a purpose needs its own consent, asked on its own.
public enum SeparateConsentReason: String, Sendable, Hashable, CaseIterable {
    /// It uses sensitive personal information.
    case sensitive
    /// It gives data to a third party.
    case thirdParty
    /// It stores data outside the app's home region.
    case crossBorder
    /// It tracks the user across apps.
    case tracking
}

/// The app's filing number and where users can check it (China's MIIT filing system).
public struct Filing: Sendable, Hashable {
    /// The number to display, e.g. `沪ICP备12345678号-3A`.
    public let number: String
    /// The filing system's URL, to open when the number is tapped.
    public let url: String
}
