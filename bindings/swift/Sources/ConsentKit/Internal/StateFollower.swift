/// Follows a store's ``ConsentStates`` for a SwiftUI model: one task iterating the shared sequence that hands every
/// state to `apply` on the main actor. The models hold it; it cancels its task when they go away, and the task
/// holds the model only weakly (through `apply`), so a model is never kept alive by its own subscription.
final class StateFollower: Sendable {
    private let task: Task<Void, Never>

    init(_ states: ConsentStates, apply: @escaping @MainActor @Sendable (ConsentState) -> Void) {
        task = Task { @MainActor in
            for await state in states {
                apply(state)
            }
        }
    }

    deinit {
        task.cancel()
    }
}
