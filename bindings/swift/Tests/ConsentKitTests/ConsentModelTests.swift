#if canImport(Observation)
import Foundation
import Observation
import XCTest
@testable import ConsentKit

/// Issue 17 #8: the `@Observable` model follows the store on the main actor and tells observers (SwiftUI) when its
/// state changes. `ConsentObject` (Combine) is not in the Linux build; it shares `StateFollower` with this model.
final class ConsentModelTests: XCTestCase, @unchecked Sendable {
    /// Polls `condition` on the main actor (where the model lives) for up to 5 s.
    @MainActor
    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return condition()
    }

    @MainActor
    func testModelFollowsTheStoreAndNotifiesObservers() async throws {
        let kit = try openKit(self)
        let model = ConsentModel(store: kit)
        XCTAssertEqual(model.state, kit.currentState, "starts with the current state")
        XCTAssertEqual(model.tier(of: "offers")?.tierID, "generic")

        let changed = Collected<Bool>()
        withObservationTracking {
            _ = model.state
        } onChange: {
            changed.append(true)
        }
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        let followed = await eventually { model.purpose("ads")?.isAllowed == true }
        XCTAssertTrue(followed, "the model's state follows the grant")
        XCTAssertEqual(changed.values.first, true, "observers of `state` were told")
        XCTAssertEqual(model.tier(of: "offers")?.tierID, "personalised")
        XCTAssertTrue(model.store === kit)
    }

    @MainActor
    func testAModelThatGoesAwayStopsFollowing() async throws {
        let kit = try openKit(self)
        weak var gone: ConsentModel?
        do {
            let model = ConsentModel(store: kit)
            gone = model
            _ = await eventually { model.state.version == kit.currentState.version }
        }
        let released = await eventually { gone == nil }
        XCTAssertTrue(released, "the subscription does not keep the model alive")
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        XCTAssertEqual(kit.currentState.policyAgreed, true)
    }
}
#endif
