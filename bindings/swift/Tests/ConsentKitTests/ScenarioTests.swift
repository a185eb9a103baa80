import Foundation
import XCTest
@testable import ConsentKit

/// (a) Every tests/scenarios/*.json through the Swift API, with the same results as the Rust runner.
final class ScenarioTests: XCTestCase {
    func testEveryScenarioPasses() async throws {
        let files = try jsonFiles(in: "tests/scenarios")
        // The 14 files of tests/scenarios when the guardian, cooldown and grant-before-agreement ones were added;
        // naming those makes a rename or a lost file fail here instead of silently running fewer scenarios.
        XCTAssertGreaterThanOrEqual(files.count, 14, "expected at least the 14 shared scenario files")
        let names = Set(files.map(\.lastPathComponent))
        let required = [
            "under14_guardian.json", "under14_children_rules.json", "under14_lapse.json",
            "withdrawal_cooldown.json", "grant_before_policy.json", "cross_border.json",
            // The OS permission layer (set_permission, blocking_permission, os_permission prompts).
            "os_location_tiers.json", "os_denial_cooldown.json", "os_limited_photos.json", "att_tracking.json",
            "att_never_without_authorisation.json",
        ]
        XCTAssertEqual(required.filter { !names.contains($0) }, [], "scenario files missing")
        var steps = 0
        for file in files {
            let run = try ScenarioRun(file: file, dir: try temporaryDirectory(self))
            defer { run.close() }
            do {
                steps += try await run.run()
            } catch {
                XCTFail("\(file.lastPathComponent) (\(run.name)): \(error)")
            }
        }
        print("ScenarioTests: \(files.count) scenarios, \(steps) steps")
    }

    /// The runner really fails on a wrong expectation or a missing error.
    func testRunnerDetectsMismatches() async throws {
        let dir = try temporaryDirectory(self)
        for (steps, what) in [
            (#"[{ "op": "decide", "purpose": "ride", "data_type": "phone_number", "expect": "allowed" }]"#, "expected"),
            (#"[{ "op": "resolve", "feature": "pickup", "expect": { "tier": "live_location" } }]"#, "expected"),
            (#"[{ "op": "agree_policy", "expect_error": "guardian_required" }]"#, "expected error"),
            (#"[{ "op": "decide", "purpose": "nope", "data_type": "location" }]"#, "unexpected error"),
        ] {
            let file = dir.appendingPathComponent("bad-\(UUID().uuidString).json")
            try Data(#"{ "name": "bad", "manifest": "examples/ride_hailing.json", "steps": \#(steps) }"#.utf8).write(to: file)
            let run = try ScenarioRun(file: file, dir: try temporaryDirectory(self))
            defer { run.close() }
            do {
                try await run.run()
                XCTFail("a wrong scenario passed: \(steps)")
            } catch let failure as ScenarioFailure {
                XCTAssertTrue(failure.description.contains(what), failure.description)
            }
        }
    }

    /// The comparison itself: expected ⊆ actual, as in tests/scenarios.rs.
    func testContainmentComparison() throws {
        let actual = JSON.object(["tier": .string("a"), "missing": .array([]), "can_ask_now": .bool(true)])
        XCTAssertTrue(JSON.object(["tier": .string("a")]).isContained(in: actual))
        XCTAssertFalse(JSON.object(["tier": .string("b")]).isContained(in: actual))
        XCTAssertFalse(JSON.object(["other": .null]).isContained(in: actual))
        XCTAssertFalse(JSON.object(["can_ask_now": .number(1)]).isContained(in: actual))
        XCTAssertTrue(JSON.null.isContained(in: .null))
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"a": true, "b": 1, "c": null}"#.utf8))
        XCTAssertEqual(JSON(parsed: parsed), .object(["a": .bool(true), "b": .number(1), "c": .null]))
    }
}
