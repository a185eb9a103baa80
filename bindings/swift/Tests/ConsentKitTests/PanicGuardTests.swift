import Foundation
import XCTest
@testable import ConsentKit

/// A panic inside the core (armed with the test-only hook of the `test-hooks` build) comes back as
/// ``ConsentKitError/unexpected(detail:)`` in each kind of call that reaches the core — a write, a prompt, a query,
/// a frequency-limited collect — never a crash, and the instance keeps working afterwards.
final class PanicGuardTests: XCTestCase {
    private func assertUnexpected<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case .unexpected = error as? ConsentKitError else {
                return XCTFail("expected .unexpected, got \(error)", file: file, line: line)
            }
        }
    }

    func testAPanicInsideTheCoreIsATypedErrorInEachKindOfCall() async throws {
        let kit = try openKit(self)
        armCorePanic()
        do {
            try await kit.agreeToPolicy(version: "2026-11-01", source: "test")
            XCTFail("expected .unexpected")
        } catch let error as ConsentKitError {
            guard case .unexpected = error else { return XCTFail("expected .unexpected, got \(error)") }
        }
        XCTAssertFalse(try kit.status().policyAgreed, "the call that failed wrote nothing")
        try await kit.agreeToPolicy(version: "2026-11-01", source: "test")
        try await kit.grant("live_location", source: "test")
        armCorePanic()
        assertUnexpected { try kit.nextPrompt(for: .appStart) }
        armCorePanic()
        assertUnexpected { try kit.filing() }
        armCorePanic()
        assertUnexpected { try kit.collect("live_location", "location") }
        XCTAssertEqual(try kit.collect("live_location", "location"), .allowed, "still working")
    }
}
