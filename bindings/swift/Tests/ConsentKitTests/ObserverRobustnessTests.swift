import Foundation
import XCTest
@testable import ConsentKit

/// (f) A throwing, slow or re-entrant observer (registered through the raw generated API) does not break the core
/// or the facade.
final class ObserverRobustnessTests: XCTestCase {
    func testThrowingObserversAreIgnored() async throws {
        let kit = try openKit(self)
        let declared = TestObserver(.throwDeclared)
        let foreign = TestObserver(.throwForeign)
        _ = try kit.core.addTestObserver(declared)
        _ = try kit.core.addTestObserver(foreign)
        XCTAssertEqual(declared.callCount, 1, "called at once with the current state")

        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        try await kit.withdraw("ads", source: "test")
        XCTAssertEqual(declared.callCount, 4)
        XCTAssertEqual(foreign.callCount, 4)
        XCTAssertEqual(try kit.decide("ads", "device_id"), .denied(.withdrawn))
        XCTAssertEqual(kit.currentState.purpose("ads")?.denyReason, .withdrawn, "the facade's own observer still runs")
        MirrorConsistencyTests.assertMirrorMatchesCore(kit, "after throwing observers")
    }

    func testSlowObserverDelaysOnlyTheWrite() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let slow = TestObserver(.sleep(0.5))
        _ = try kit.core.addTestObserver(slow) // its first call (with the current state) sleeps here too

        let started = Date()
        let writeDone = Collected<Bool>()
        let write = Task {
            try await kit.grant("ads", source: "test")
            writeDone.append(true)
        }
        // While the observer sleeps inside the write, reads answer at once (from the mirror).
        try await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertNotNil(try? kit.decide("ads", "device_id"))
        _ = try kit.resolve("offers")
        _ = try kit.collect("ride", "phone_number")
        // The synchronous calls that cross into the core answer from its in-memory snapshot, so they do not wait
        // for the write in progress either (why they are not async: see ConsentStore's documentation).
        XCTAssertEqual(try kit.status().policyAgreed, true)
        _ = try kit.nextPrompt(for: .feature("offers"))
        _ = try kit.mayTransfer(to: "adnet", for: "ads")
        _ = try kit.mayInitialize("adnet")
        _ = try kit.now()
        XCTAssertEqual(writeDone.values, [], "the reads returned while the observer was still asleep in the write")

        try await write.value
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.5, "the core calls observers before returning")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed)
        XCTAssertEqual(slow.callCount, 2)
        try await kit.withdraw("ads", source: "test")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .denied(.withdrawn))
    }

    func testReentrantObserverDoesNotDeadlock() async throws {
        let kit = try openKit(self)
        let reentrant = TestObserver(.reenter)
        reentrant.core = kit.core
        _ = try kit.core.addTestObserver(reentrant)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        XCTAssertEqual(reentrant.callCount, 3)
        XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed)
    }

    func testObserverSeesVersionsInOrder() async throws {
        let kit = try openKit(self)
        let observer = TestObserver(.throwDeclared)
        _ = try kit.core.addTestObserver(observer)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        for _ in 0..<5 {
            try await kit.grant("ads", source: "test")
            try await kit.withdraw("ads", source: "test")
        }
        let versions = observer.seenVersions
        XCTAssertEqual(versions, versions.sorted())
        XCTAssertEqual(versions.last, kit.currentState.version)
    }
}
