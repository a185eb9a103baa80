#if canImport(Combine)
import Combine

/// The consent state of a ``ConsentStore`` as an `ObservableObject`, for SwiftUI on iOS 16 (on iOS 17 and later
/// prefer ``ConsentModel``, which is `@Observable`).
///
/// It follows the store's ``ConsentStore/states`` on the main actor and publishes ``state`` after every change:
///
/// ```swift
/// @StateObject private var consent = ConsentObject(store: store)
/// ...
/// Text(consent.tier(of: "pickup")?.tierID ?? "browse")
/// ```
///
/// Combine exists only on Apple platforms, so this type is not in the Linux build; the part it shares with
/// ``ConsentModel`` (following the states) is what the Linux tests exercise.
@MainActor
public final class ConsentObject: ObservableObject, ConsentStateHolder {
    /// The store this object follows.
    public let store: ConsentStore
    /// The latest consent state (``ConsentStore/currentState`` when the object was made, then every change).
    @Published public private(set) var state: ConsentState
    private var follower: StateFollower?

    /// Starts following `store`.
    public init(store: ConsentStore) {
        self.store = store
        state = store.currentState
        follower = StateFollower(store.states) { [weak self] in self?.state = $0 }
    }
}
#endif
