import Foundation
import XCTest
@testable import ConsentKit

/// A fake platform: answers each request with the next scripted state and records what was shown.
final class FakePermissionProvider: PermissionProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: PermissionState]
    private var answers: [PermissionState]
    private(set) var requested: [String] = []
    private(set) var settingsOpened = 0
    let supported: [String]

    init(states: [String: PermissionState], answers: [PermissionState]) {
        self.states = states
        self.answers = answers
        supported = states.keys.sorted()
    }

    func currentState(of permission: String) -> PermissionState {
        lock.withLock { states[permission] ?? .notDetermined }
    }

    func request(_ permission: String, completion: @escaping @Sendable (PermissionState) -> Void) {
        let answer: PermissionState = lock.withLock {
            requested.append(permission)
            let next = answers.isEmpty ? .deniedPermanently : answers.removeFirst()
            states[permission] = next
            return next
        }
        completion(answer)
    }

    func openSettings() {
        lock.withLock { settingsOpened += 1 }
    }
}

/// Shown and hidden explanations, in order.
final class ExplanationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String?] = []
    func record(_ text: String?) { lock.withLock { entries.append(text) } }
    var all: [String?] { lock.withLock { entries } }
}

/// The coordinator drives the OS steps of the prompt plan against a fake provider (the iOS provider cannot run here).
final class PermissionCoordinatorTests: XCTestCase {
    private let manifest = "examples/ride_hailing_permissions.json"

    func testConsentFirstThenTheSystemDialogWithItsExplanationThenApproximateThenPrecise() async throws {
        let kit = try openKit(self, manifest: manifest)
        let provider = FakePermissionProvider(states: ["location": .notDetermined, "tracking": .notDetermined], answers: [.limited, .granted])
        let shown = ExplanationLog()
        let coordinator = PermissionCoordinator(kit: kit, provider: provider, explanation: { shown.record($0) })
        try coordinator.reportAll()
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")

        // Our consent first: the coordinator leaves it to the app and requests nothing.
        let consent = try XCTUnwrap(try kit.nextPrompt(for: .feature("pickup")))
        XCTAssertEqual(consent.kind, .justInTime)
        let none = try await coordinator.perform(consent)
        XCTAssertNil(none)
        XCTAssertEqual(provider.requested, [])
        try await kit.grant("area_location", source: "test")
        try await kit.grant("live_location", source: "test")

        let osStep = try XCTUnwrap(try kit.nextPrompt(for: .feature("pickup")))
        XCTAssertEqual(osStep.kind, .osPermission)
        let osStepState = try await coordinator.perform(osStep)
        XCTAssertEqual(osStepState, .limited)
        XCTAssertEqual(shown.all, ["Use your approximate location to suggest pickup points in your area", nil])
        XCTAssertEqual(try kit.resolve("pickup").tierID, "area_pickup")
        XCTAssertEqual(try kit.decide("live_location", "location"), .denied(.osPermissionDenied))
        XCTAssertEqual(try kit.blockingPermission("live_location", "location"), "location")

        let upgrade = try XCTUnwrap(try kit.nextPrompt(for: .feature("pickup")))
        XCTAssertEqual(upgrade.permission?.limitedEnough, false)
        let upgradeState = try await coordinator.perform(upgrade)
        XCTAssertEqual(upgradeState, .granted)
        XCTAssertEqual(try kit.resolve("pickup").tierID, "precise_pickup")
        XCTAssertEqual(provider.requested, ["location", "location"])
    }

    func testATTIsNeverShownAfterOurRefusalAndADenialOnlyOffersSettings() async throws {
        let kit = try openKit(self, manifest: manifest)
        let provider = FakePermissionProvider(states: ["tracking": .notDetermined], answers: [.deniedPermanently])
        let coordinator = PermissionCoordinator(kit: kit, provider: provider, explanation: { _ in })
        try coordinator.reportAll()
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        XCTAssertEqual(try kit.nextPrompt(for: .feature("offers"))?.kind, .justInTime)
        try await kit.refuse("ads", source: "test")
        XCTAssertNil(try kit.nextPrompt(for: .feature("offers")))
        XCTAssertEqual(provider.requested, [])

        try await kit.grant("ads", source: "settings")
        let att = try XCTUnwrap(try kit.nextPrompt(for: .feature("offers")))
        XCTAssertEqual(att.permission?.id, "tracking")
        let attState = try await coordinator.perform(att)
        XCTAssertEqual(attState, .deniedPermanently)
        XCTAssertEqual(try kit.decide("ads", "advertising_id"), .denied(.trackingNotAuthorized))
        XCTAssertFalse(try kit.mayInitialize("adnet"))
        let settings = try XCTUnwrap(try kit.nextPrompt(for: .feature("offers")))
        XCTAssertEqual(settings.kind, .openSettings)
        _ = try await coordinator.perform(settings)
        XCTAssertEqual(provider.settingsOpened, 1)
    }
}
