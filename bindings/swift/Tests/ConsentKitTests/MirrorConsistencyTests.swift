import Foundation
import XCTest
@testable import ConsentKit

/// (b) The facade's mirror answers equal the core's string-keyed `decide` / `resolve` (which cross the boundary),
/// for every purpose × data type and every feature: after every step of every scenario, and along random write
/// sequences.
final class MirrorConsistencyTests: XCTestCase {
    /// Compares every answer; returns how many were compared.
    @discardableResult
    static func assertMirrorMatchesCore(_ kit: ConsentStore, _ context: @autoclosure () -> String,
                                        file: StaticString = #filePath, line: UInt = #line) -> Int {
        let h = kit.mirror.handles
        var compared = 0
        // Every declared pair plus unknown ids (both must say unknown_id).
        let purposes = h.purposes + ["no_such_purpose"]
        let dataTypes = h.dataTypes + ["no_such_type"]
        for p in purposes {
            for d in dataTypes {
                let mirror = kit.mirrorDecide(p, d)
                let core = kit.core.coreDecide(p, d)
                if mirror != core {
                    XCTFail("\(context()): decide(\(p), \(d)) mirror \(mirror) != core \(core)", file: file, line: line)
                }
                compared += 1
            }
        }
        for f in h.features + ["no_such_feature"] {
            let mirror = kit.mirrorResolve(f)
            let core = kit.core.coreResolve(f)
            if mirror != core {
                XCTFail("\(context()): resolve(\(f)) mirror \(mirror) != core \(core)", file: file, line: line)
            }
            compared += 1
        }
        return compared
    }

    func testMirrorMatchesCoreAfterEveryScenarioStep() async throws {
        var compared = 0
        for file in try jsonFiles(in: "tests/scenarios") {
            let run = try ScenarioRun(file: file, dir: try temporaryDirectory(self))
            defer { run.close() }
            compared += Self.assertMirrorMatchesCore(run.kit, "\(file.lastPathComponent) at open")
            try await run.run { kit, i, step in
                compared += Self.assertMirrorMatchesCore(kit, "\(file.lastPathComponent) step \(i) \(step)")
            }
        }
        print("MirrorConsistencyTests: \(compared) answers compared along the scenarios")
    }

    func testMirrorMatchesCoreAlongRandomWriteSequences() async throws {
        var compared = 0
        var rng = SplitMix64(seed: 0xC0FFEE)
        for manifest in try jsonFiles(in: "examples") {
            let path = "examples/\(manifest.lastPathComponent)"
            let kit = try openKit(self, manifest: path)
            let h = kit.mirror.handles
            var writes = 0
            for step in 0..<120 {
                let purpose = h.purposes[Int(rng.next() % UInt64(h.purposes.count))]
                let actor: ConsentActor = rng.next() % 4 == 0 ? .guardian : .user
                let op = rng.next() % 100
                let label: String
                do {
                    switch op {
                    case 0..<8:
                        label = "agree"
                        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "random", actor: actor)
                    case 8..<11:
                        label = "decline"
                        try await kit.declinePolicy(source: "random")
                    case 11..<36:
                        label = "grant \(purpose)"
                        try await kit.grant(purpose, source: "random", actor: actor)
                    case 36..<41:
                        let other = h.purposes[Int(rng.next() % UInt64(h.purposes.count))]
                        label = "grantAll \(purpose) \(other)"
                        try await kit.grantAll([purpose, other], source: "random", actor: actor)
                    case 41..<56:
                        label = "refuse \(purpose)"
                        try await kit.refuse(purpose, source: "random", actor: actor)
                    case 56..<71:
                        label = "withdraw \(purpose)"
                        try await kit.withdraw(purpose, source: "random", actor: actor)
                    case 71..<79:
                        let bracket = AgeBracket.allCases[Int(rng.next() % 4)]
                        label = "age \(bracket)"
                        try await kit.setAgeBracket(bracket, source: "random", actor: actor)
                    case 79..<81:
                        label = "erase"
                        try await kit.eraseAll(source: "random", actor: actor)
                    default:
                        let hours = Int(rng.next() % 30)
                        label = "advance \(hours)h"
                        try kit.advanceClock(by: TimeInterval(hours) * 3600)
                    }
                    writes += 1
                } catch let error as ConsentKitError {
                    // Refusals (guardian required, separate consent...) are answers too; the state must still agree.
                    _ = error
                }
                compared += Self.assertMirrorMatchesCore(kit, "\(path) step \(step) (\(label))")
            }
            XCTAssertGreaterThan(writes, 60, path)
        }
        print("MirrorConsistencyTests: \(compared) answers compared along random writes")
    }

    /// A cooldown that ends changes `canAskNow` without a write: the mirror refreshes when `nextChangeMs` is due.
    func testCooldownEndRefreshesTheMirror() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.refuse("live_location", source: "test")
        XCTAssertFalse(try kit.resolve("pickup").canAskNow)
        let due = try XCTUnwrap(kit.mirror.currentVersion.nextChangeMs)
        XCTAssertEqual(due, defaultStartMs + 48 * 3_600_000)

        // Move the core's clock behind the facade's back, then the facade's own clock: resolve sees that the
        // table is due and fetches a fresh one.
        try kit.core.rawAdvance(ms: 48 * 3_600_000)
        XCTAssertFalse(try kit.resolve("pickup").canAskNow, "the facade's clock has not moved yet")
        kit.clock.advance(ms: 48 * 3_600_000)
        XCTAssertTrue(try kit.resolve("pickup").canAskNow)
        XCTAssertNil(kit.mirror.currentVersion.nextChangeMs)
        Self.assertMirrorMatchesCore(kit, "after the cooldown")
    }

    /// A write made through the raw API reaches the mirror through the facade's observer alone.
    func testObserverAloneKeepsTheMirrorCurrent() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .denied(.notGranted))
        try kit.core.rawGrant("ads")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed)
        XCTAssertEqual(kit.currentState.purpose("ads")?.isAllowed, true)
    }
}

/// A small deterministic PRNG (SplitMix64), so a failure replays.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
