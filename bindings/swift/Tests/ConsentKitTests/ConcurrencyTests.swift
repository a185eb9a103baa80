import Foundation
import XCTest
@testable import ConsentKit

/// (d) Concurrent `collect` from 8 tasks while grants change; (h) `grant(); decide()` consistency.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentCollectWhileGrantsChange() async throws {
        let kit = try openKit(self, batchSize: 500, batchInterval: 0.05)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("live_location", source: "test")
        let perTask = 20_000

        async let toggles: Int = {
            var n = 0
            for _ in 0..<40 {
                try await kit.grant("ads", source: "test")
                try await kit.withdraw("ads", source: "test")
                n += 2
            }
            return n
        }()

        let tallies = try await withThrowingTaskGroup(of: [String: Int].self) { group in
            for t in 0..<8 {
                group.addTask {
                    var tally: [String: Int] = [:]
                    for i in 0..<perTask {
                        // Mostly the toggled purpose, some always-allowed collections, some with a frequency limit.
                        let (purpose, dataType) = switch (i + t) % 10 {
                        case 0: ("ride", "phone_number")
                        case 1: ("live_location", "location")
                        default: ("ads", "device_id")
                        }
                        let key: String = switch try kit.collect(purpose, dataType) {
                        case .allowed: "\(purpose):allowed"
                        case let .denied(reason, _): "\(purpose):\(reason.rawValue)"
                        }
                        tally[key, default: 0] += 1
                    }
                    return tally
                }
            }
            var all: [String: Int] = [:]
            for try await tally in group {
                all.merge(tally, uniquingKeysWith: +)
            }
            return all
        }
        _ = try await toggles

        XCTAssertEqual(tallies.values.reduce(0, +), 8 * perTask)
        let allowedKeys = Set(["ads:allowed", "ride:allowed", "live_location:allowed"])
        let deniedOK = Set(["ads:notGranted", "ads:withdrawn", "live_location:frequencyLimited"])
        for key in tallies.keys {
            XCTAssertTrue(allowedKeys.contains(key) || deniedOK.contains(key), "unexpected outcome \(key)")
        }
        XCTAssertEqual(tallies["ride:allowed"], 8 * perTask / 10, "ride is necessary: always allowed")
        XCTAssertEqual(tallies["live_location:allowed"], 12, "the frequency limit is 12 a minute, enforced by the core")

        // Every collection the mirror allowed (no limit, no recipient) reaches the core, in batches.
        try await kit.flush()
        let countedInFacade = (tallies["ads:allowed"] ?? 0) + (tallies["ride:allowed"] ?? 0)
        let stats = kit.batcher.statistics
        XCTAssertEqual(stats.collections, UInt64(countedInFacade))
        XCTAssertEqual(kit.batcher.pending, 0)
        XCTAssertLessThan(stats.batches, UInt64(countedInFacade), "counts travel in batches")
        MirrorConsistencyTests.assertMirrorMatchesCore(kit, "after the concurrent run")
    }

    func testGrantThenDecideNeverSeesTheOldAnswer() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        for i in 0..<100 {
            try await kit.grant("ads", source: "test")
            XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed, "iteration \(i)")
            XCTAssertEqual(try kit.resolve("offers").tierID, "personalised", "iteration \(i)")
            XCTAssertEqual(try kit.collect("ads", "usage_history"), .allowed, "iteration \(i)")
            try await kit.withdraw("ads", source: "test")
            XCTAssertEqual(try kit.decide("ads", "device_id"), .denied(.withdrawn), "iteration \(i)")
            XCTAssertEqual(try kit.resolve("offers").tierID, "generic", "iteration \(i)")
            XCTAssertEqual(try kit.collect("ads", "usage_history"), .denied(.withdrawn, retryAfter: nil))
        }
    }

    func testGrantThenDecideFromManyTasks() async throws {
        let kit = try openKit(self, manifest: "examples/news.json")
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let purposes = kit.mirror.handles.purposes
        try await withThrowingTaskGroup(of: Void.self) { group in
            for purpose in purposes {
                group.addTask {
                    for _ in 0..<20 {
                        try await kit.grant(purpose, source: "test")
                        // After my grant returns, no later write touched my purpose: it must read allowed.
                        for dataType in kit.mirror.handles.dataTypes {
                            let d = try kit.decide(purpose, dataType)
                            XCTAssertTrue(d == .allowed || d == .denied(.notDeclared), "\(purpose)/\(dataType): \(d)")
                        }
                        try await kit.withdraw(purpose, source: "test")
                        for dataType in kit.mirror.handles.dataTypes {
                            let d = try kit.decide(purpose, dataType)
                            XCTAssertTrue(d == .denied(.withdrawn) || d == .denied(.notDeclared), "\(purpose)/\(dataType): \(d)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
