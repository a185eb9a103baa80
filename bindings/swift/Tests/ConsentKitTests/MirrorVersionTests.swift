import Foundation
import XCTest
@testable import ConsentKit

/// The mirror publishes whole versions: within one published version, `decide` and `resolve` always agree, even
/// while a writer toggles a purpose through the facade. (The former mirror rewrote decision cells in place while
/// the feature entries were replaced under a lock, so a reader pairing a cell with a feature entry could see two
/// different tables.)
final class MirrorVersionTests: XCTestCase {
    func testDecideAndResolveAgreeWithinOneVersionWhileAWriterToggles() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let cell = try kit.mirror.handles.cell("ads", "device_id")
        let offers = try kit.mirror.handles.featureHandle("offers")

        async let toggles: Int = {
            for _ in 0..<60 {
                try await kit.grant("ads", source: "test")
                try await kit.withdraw("ads", source: "test")
            }
            return 120
        }()

        let seen = try await withThrowingTaskGroup(of: (checked: Int, versions: Set<UInt64>).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var checked = 0
                    var versions = Set<UInt64>()
                    let deadline = Date().addingTimeInterval(30)
                    while Date() < deadline {
                        let v = kit.mirror.snapshot
                        let allowed = try Decision(code: v.code(cell)).isAllowed
                        let tier = kit.mirror.tier(offers, in: v)
                        if allowed != (tier.tierID == "personalised") {
                            XCTFail("version \(v.version): decide says \(allowed), resolve offers \(tier.tierID ?? "-")")
                        }
                        checked += 1
                        versions.insert(v.version)
                        if versions.count > 20 && checked > 10_000 { break }
                        await Task.yield()
                    }
                    return (checked, versions)
                }
            }
            var all = (checked: 0, versions: Set<UInt64>())
            for try await r in group {
                all.checked += r.checked
                all.versions.formUnion(r.versions)
            }
            return all
        }
        _ = try await toggles
        XCTAssertGreaterThan(seen.versions.count, 2, "the readers saw the writer's versions")

        // The public reads agree with the last version too.
        XCTAssertFalse(try kit.decide("ads", "device_id").isAllowed)
        XCTAssertEqual(try kit.resolve("offers").tierID, "generic")
    }
}
