import Foundation
import XCTest
@testable import ConsentKit

/// `collect` counting: batches on a size threshold, a timer, `flush()`, `didEnterBackground()` and `close()`;
/// limited pairs and recipients go to the core; `withConsent`.
final class CollectBatchingTests: XCTestCase {
    private func agreedKit(batchSize: Int = 1024, batchInterval: TimeInterval = 60) async throws -> ConsentStore {
        let kit = try openKit(self, batchSize: batchSize, batchInterval: batchInterval)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        return kit
    }

    func testSizeThresholdSendsBatches() async throws {
        let kit = try await agreedKit(batchSize: 100)
        for _ in 0..<1000 {
            XCTAssertEqual(try kit.collect("ride", "destination"), .allowed)
        }
        // A pair never holds `batchSize` or more counts for long: reaching it sends a batch (the timer, 60 s here,
        // does not fire during the test).
        let bounded = await waitUntil { kit.batcher.pending < 100 }
        XCTAssertTrue(bounded, "pending: \(kit.batcher.pending)")
        let stats = kit.batcher.statistics
        XCTAssertEqual(stats.collections + kit.batcher.pending, 1000)
        XCTAssertGreaterThanOrEqual(stats.collections, 900)
        XCTAssertGreaterThanOrEqual(stats.batches, 1)
        try await kit.flush()
        XCTAssertEqual(kit.batcher.statistics.collections, 1000)
    }

    func testTimerSendsAfterTheInterval() async throws {
        let kit = try await agreedKit(batchInterval: 0.05)
        for _ in 0..<3 { _ = try kit.collect("ride", "payment_info") }
        XCTAssertEqual(kit.batcher.pending, 3)
        let sent = await waitUntil { kit.batcher.statistics.collections == 3 }
        XCTAssertTrue(sent, "the timer sends pending counts")
        // The timer re-arms for the next collection.
        _ = try kit.collect("ride", "payment_info")
        let again = await waitUntil { kit.batcher.statistics.collections == 4 }
        XCTAssertTrue(again)
    }

    func testFlushBackgroundAndCloseSendEverything() async throws {
        let kit = try await agreedKit()
        for _ in 0..<7 { _ = try kit.collect("ride", "departure") }
        try await kit.flush()
        XCTAssertEqual(kit.batcher.statistics.collections, 7)

        for _ in 0..<5 { _ = try kit.collect("ride", "departure") }
        await kit.didEnterBackground()
        XCTAssertEqual(kit.batcher.statistics.collections, 12, "didEnterBackground returns when the counts are sent")

        for _ in 0..<2 { _ = try kit.collect("ride", "departure") }
        try await kit.close()
        XCTAssertEqual(kit.batcher.statistics.collections, 14, "close sends what is pending")
        XCTAssertThrowsError(try kit.collect("ride", "departure")) { XCTAssertEqual($0 as? ConsentKitError, .closed) }
    }

    func testLimitedPairsAndRecipientsAreAnsweredByTheCore() async throws {
        let kit = try await agreedKit()
        try await kit.grant("ads", source: "test")
        try await kit.grant("live_location", source: "test")
        for i in 0..<12 {
            XCTAssertEqual(try kit.collect("live_location", "location"), .allowed, "collection \(i)")
        }
        XCTAssertEqual(try kit.collect("live_location", "location"), .denied(.frequencyLimited, retryAfter: .seconds(60)))
        try kit.advanceClock(by: 30)
        XCTAssertEqual(try kit.collect("live_location", "location"), .denied(.frequencyLimited, retryAfter: .seconds(30)))
        XCTAssertEqual(try kit.collect("ads", "device_id", recipient: "adnet"), .allowed)
        XCTAssertEqual(try kit.collect("ride", "phone_number", recipient: "adnet"), .denied(.recipientNotDeclared, retryAfter: nil))
        XCTAssertEqual(kit.batcher.pending, 0, "the core counted those itself")
        XCTAssertThrowsError(try kit.collect("ride", "phone_number", recipient: "nobody")) {
            XCTAssertEqual($0 as? ConsentKitError, .unknownId(kind: .thirdParty, id: "nobody"))
        }
    }

    func testWithConsentRunsTheBodyOnlyWhenAllowed() async throws {
        let kit = try await agreedKit()
        var ran = 0
        let allowed = try kit.withConsent("ride", "phone_number") { ran += 1; return "13800000000" }
        XCTAssertEqual(allowed, .allowed("13800000000"))
        XCTAssertEqual(allowed.value, "13800000000")
        let denied = try kit.withConsent("ads", "device_id") { ran += 1; return "idfa" }
        XCTAssertEqual(denied, .denied(.notGranted, retryAfter: nil))
        XCTAssertNil(denied.value)
        XCTAssertEqual(ran, 1)

        let asyncResult = try await kit.withConsent("ride", "destination") { () async -> Int in
            try? await Task.sleep(nanoseconds: 1_000)
            return 42
        }
        XCTAssertEqual(asyncResult, .allowed(42))
        XCTAssertEqual(kit.batcher.pending, 2, "withConsent counts the collections")

        struct BodyError: Error {}
        XCTAssertThrowsError(try kit.withConsent("ride", "destination") { () throws -> Int in throw BodyError() }) {
            XCTAssertTrue($0 is BodyError, "the body's error comes through")
        }
    }
}
