import Foundation
import XCTest
@testable import ConsentKit

/// Issue 17 #5 and #8: module-qualified names, the shared `states` sequence, `Identifiable`, `Duration`.
final class ApiShapeTests: XCTestCase {
    /// An app with its own `Decision`, `Tier` and `Prompt` types reaches ConsentKit's through the module name,
    /// which only compiles because no type in the module is named `ConsentKit` (docs/adr/0008).
    enum AppOwnTypes {
        struct Decision {}
        struct Tier {}
        struct Prompt {}

        static func answers(_ store: ConsentStore) throws -> (ConsentKit.Decision, ConsentKit.Tier, ConsentKit.Prompt?) {
            (try store.decide("ride", "phone_number"), try store.resolve("pickup"), try store.nextPrompt(for: .appStart))
        }
    }

    func testModuleQualifiedNamesResolve() throws {
        let kit = try openKit(self)
        let (decision, tier, prompt) = try AppOwnTypes.answers(kit)
        XCTAssertEqual(decision, ConsentKit.Decision.denied(.policyNotAgreed))
        XCTAssertEqual(tier.feature, "pickup")
        XCTAssertEqual(prompt?.kind, ConsentKit.PromptKind.policyAgreement)
        let error: ConsentKit.ConsentKitError = .closed
        XCTAssertEqual(error, .closed)
    }

    func testStatesIsOneSharedSequence() async throws {
        let kit = try openKit(self)
        XCTAssertTrue(kit.states === kit.states, "one cached sequence, not a new stream per access")
        let states = kit.states
        let first = Collected<ConsentState>(), second = Collected<ConsentState>()
        let a = Task { for await s in states { first.append(s) } }
        let b = Task { for await s in states { second.append(s) } }
        defer { a.cancel(); b.cancel() }
        let started = await waitUntil { first.values.count == 1 && second.values.count == 1 }
        XCTAssertTrue(started, "each subscriber of the same sequence gets the current state first")

        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        for (name, seen) in [("first", first), ("second", second)] {
            let agreed = await waitUntil { seen.values.last?.policyAgreed == true }
            XCTAssertTrue(agreed, "\(name) subscriber sees the change")
        }
        // A third, late subscriber starts with the current state, not the first one.
        var late = states.makeAsyncIterator()
        let current = await late.next()
        XCTAssertEqual(current?.policyAgreed, true)
    }

    func testPurposeStateAndTierAreIdentifiable() throws {
        let kit = try openKit(self)
        let state = kit.currentState
        XCTAssertEqual(state.purposes.map(\.id), kit.mirror.handles.purposes)
        XCTAssertEqual(state.features.map(\.id), kit.mirror.handles.features, "a tier is identified by its feature")
        XCTAssertEqual(Set(state.features.map(\.id)).count, state.features.count, "unique, as ForEach needs")
        let pickup = try kit.resolve("pickup")
        XCTAssertEqual(pickup.id, "pickup")
        XCTAssertEqual(pickup.tierID, state.tier(of: "pickup")?.tierID)
    }

    func testRetryAfterIsADuration() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("live_location", source: "test")
        for _ in 0..<12 { _ = try kit.collect("live_location", "location") }
        guard case let .denied(.frequencyLimited, retryAfter?) = try kit.collect("live_location", "location") else {
            return XCTFail("the 13th collection within a minute is frequency limited")
        }
        XCTAssertEqual(retryAfter, .seconds(60))
        try kit.advanceClock(by: 15)
        guard case let .denied(_, later?) = try kit.collect("live_location", "location") else { return XCTFail() }
        XCTAssertEqual(later, .seconds(45))
    }

    func testNowReadsTheManualClock() throws {
        let kit = try openKit(self)
        XCTAssertEqual(try kit.now(), Date(timeIntervalSince1970: TimeInterval(defaultStartMs) / 1000))
        try kit.advanceClock(by: 48 * 3600)
        XCTAssertEqual(try kit.now(), Date(timeIntervalSince1970: TimeInterval(defaultStartMs) / 1000 + 48 * 3600))
        try kit.closeBlocking()
        XCTAssertThrowsError(try kit.now()) { XCTAssertEqual($0 as? ConsentKitError, .closed) }
    }

    func testCloseIsAsyncAndIdempotent() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        _ = try kit.collect("ride", "phone_number")
        try await kit.close()
        try await kit.close()
        XCTAssertTrue(kit.isClosed)
        XCTAssertEqual(kit.batcher.statistics.collections, 1, "close sent the pending count before closing")
    }
}
