#if canImport(Observation)
import Observation

/// The consent state of a ``ConsentStore`` as an `@Observable` model for SwiftUI (iOS 17 / macOS 14 and later;
/// ``ConsentObject`` is the `ObservableObject` for iOS 16).
///
/// It exists so a view reads consent like any other model: it follows the store's ``ConsentStore/states`` on the
/// main actor and views that read ``state`` (or ``tier(of:)``, ``purpose(_:)``) update after every change.
/// Create one per store and keep it for as long as the views need it (e.g. in the `App`):
///
/// ```swift
/// @State private var consent = ConsentModel(store: store)
/// ...
/// if consent.tier(of: Ids.Feature.pickup)?.tier(as: Ids.PickupTier.self) == .liveLocation { LiveMap() }
/// ```
///
/// Writes and reads that take arguments go to ``store``: `try await consent.store.grant(...)`.
@available(iOS 17, macOS 14, tvOS 17, watchOS 10, *)
@MainActor
@Observable
public final class ConsentModel: ConsentStateHolder {
    /// The store this model follows.
    @ObservationIgnored public let store: ConsentStore
    /// The latest consent state (``ConsentStore/currentState`` when the model was made, then every change).
    public private(set) var state: ConsentState
    @ObservationIgnored private var follower: StateFollower?

    /// Starts following `store`.
    public init(store: ConsentStore) {
        self.store = store
        state = store.currentState
        follower = StateFollower(store.states) { [weak self] in self?.state = $0 }
    }
}
#endif
