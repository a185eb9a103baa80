import Foundation
import XCTest
@testable import ConsentKit

/// (c) `states` yields after grant / withdraw; several subscribers each start with the current state.
final class StateStreamTests: XCTestCase {
    /// Consumes a stream in a task, collecting what it yields.
    private func subscribe(_ kit: ConsentStore) -> (Collected<ConsentState>, Task<Void, Never>) {
        let seen = Collected<ConsentState>()
        let stream = kit.states
        let task = Task {
            for await state in stream { seen.append(state) }
        }
        return (seen, task)
    }

    func testStreamsStartWithCurrentStateAndYieldAfterGrantAndWithdraw() async throws {
        let kit = try openKit(self)
        let (first, firstTask) = subscribe(kit)
        defer { firstTask.cancel() }
        let ok = await waitUntil { first.values.count == 1 }
        XCTAssertTrue(ok, "a new stream starts with the current state")
        XCTAssertEqual(first.values.first?.policyAgreed, false)

        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        let granted = await waitUntil { first.values.last?.purpose("ads")?.isAllowed == true }
        XCTAssertTrue(granted, "the stream yields the grant")
        XCTAssertEqual(first.values.last?.tier(of: "offers")?.tierID, "personalised")

        // A second subscriber starts with the current state (ads granted).
        let (second, secondTask) = subscribe(kit)
        defer { secondTask.cancel() }
        let started = await waitUntil { second.values.count == 1 }
        XCTAssertTrue(started)
        XCTAssertEqual(second.values.first?.purpose("ads")?.isAllowed, true)

        try await kit.withdraw("ads", source: "test")
        for (name, seen) in [("first", first), ("second", second)] {
            let withdrawn = await waitUntil { seen.values.last?.purpose("ads")?.denyReason == .withdrawn }
            XCTAssertTrue(withdrawn, "\(name) subscriber sees the withdrawal")
            XCTAssertEqual(seen.values.last?.tier(of: "offers")?.tierID, "generic")
        }
        // Versions only increase along a stream.
        let versions = first.values.map(\.version)
        XCTAssertEqual(versions, versions.sorted())
        XCTAssertEqual(kit.currentState, first.values.last)
    }

    func testStateArrivesAfterMirrorIsUpdated() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let mismatches = Collected<String>()
        let stream = kit.states
        let task = Task {
            for await state in stream {
                // When a state arrives, decide already agrees with it.
                let allowed = state.purpose("ads")?.isAllowed ?? false
                let decided = (try? kit.decide("ads", "device_id")) == .allowed
                if allowed && !decided { mismatches.append("version \(state.version)") }
            }
        }
        for _ in 0..<20 {
            try await kit.grant("ads", source: "test")
            try await kit.withdraw("ads", source: "test")
        }
        try await kit.grant("ads", source: "test")
        task.cancel()
        XCTAssertEqual(mismatches.values, [])
    }

    func testStreamsFinishOnClose() async throws {
        let kit = try openKit(self)
        let stream = kit.states
        let finished = Collected<Bool>()
        let task = Task {
            for await _ in stream {}
            finished.append(true)
        }
        try await kit.close()
        let ended = await waitUntil { finished.values == [true] }
        XCTAssertTrue(ended, "streams finish on close")
        task.cancel()
        // A stream asked for after close finishes at once.
        var afterClose = kit.states.makeAsyncIterator()
        let none = await afterClose.next()
        XCTAssertNil(none)
    }

    func testCancelledSubscriberIsDropped() async throws {
        let kit = try openKit(self)
        let (seen, task) = subscribe(kit)
        _ = await waitUntil { seen.values.count == 1 }
        task.cancel()
        _ = await task.value
        // Further changes still work and do not reach the cancelled consumer.
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        XCTAssertEqual(seen.values.count, 1)
    }
}
