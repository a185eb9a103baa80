/// What ``ConsentModel`` and ``ConsentObject`` share: the latest state, and lookups in it. It exists so the two
/// SwiftUI models answer the same questions the same way.
@MainActor
public protocol ConsentStateHolder: AnyObject {
    /// The latest consent state.
    var state: ConsentState { get }
}

extension ConsentStateHolder {
    /// The resolved tier of `feature` (a generated ``FeatureID`` or a string) in the latest state.
    public func tier(of feature: some FeatureID) -> Tier? {
        state.tier(of: feature)
    }

    /// The state of `purpose` (a generated ``PurposeID`` or a string) in the latest state.
    public func purpose(_ purpose: some PurposeID) -> PurposeState? {
        state.purpose(purpose)
    }
}
