/// The tier of a feature the app should offer now: the richest tier whose purposes are all allowed.
///
/// Features list their tiers richest first; the last one is the basic tier, which needs no opt-in, so the app
/// degrades instead of locking the user out. Before the privacy policy is agreed, a feature resolves to its
/// richest tier that requires no purpose (browse mode), or to no tier at all (``tierID`` is `nil`) if it has none.
///
/// `Identifiable` by its feature (one resolved tier per feature in a ``ConsentState``), so
/// `ForEach(state.features) { tier in ... }` works as is.
public struct Tier: Sendable, Hashable, Identifiable {
    /// The feature's id (from the manifest).
    public let feature: String
    /// The tier's id (from the manifest), or `nil` when no tier is available yet (before policy agreement, for a
    /// feature without a browse tier). ``tier(as:)`` reads it as a generated tier enum.
    public let tierID: String?
    /// The tier's position, 0 being the richest; `nil` with ``tierID``.
    public let index: Int?
    /// Whether this is the feature's basic (last) tier.
    public let isBasic: Bool
    /// The purposes missing for the next richer tier (empty at the richest tier). Ask for them with
    /// ``ConsentStore/nextPrompt(for:)``.
    public let missingPurposes: [String]
    /// Whether the app may ask for ``missingPurposes`` now (the cooldown after a refusal has passed).
    public let canAskNow: Bool

    /// Creates a tier (for previews and tests; ConsentKit builds them for you).
    public init(feature: String, tierID: String?, index: Int?, isBasic: Bool, missingPurposes: [String], canAskNow: Bool) {
        self.feature = feature
        self.tierID = tierID
        self.index = index
        self.isBasic = isBasic
        self.missingPurposes = missingPurposes
        self.canAskNow = canAskNow
    }

    /// The identity: the feature's id (``feature``).
    public var id: String { feature }

    /// Whether the feature is at its richest tier.
    public var isRichest: Bool { index == 0 }

    /// The tier as the feature's generated tier enum, e.g.
    /// `switch try store.resolve(Ids.Feature.pickup).tier(as: Ids.PickupTier.self) { case .liveLocation?: ... }`;
    /// `nil` when no tier is available yet (or the enum does not know the id: regenerate it).
    public func tier<T: TierID>(as type: T.Type) -> T? {
        tierID.flatMap(T.init(id:))
    }
}
