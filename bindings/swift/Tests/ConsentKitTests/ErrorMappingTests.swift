import Foundation
import XCTest
@testable import ConsentKit

/// (e) The generated `ConsentError` cases map to `ConsentKitError`, with their payloads.
final class ErrorMappingTests: XCTestCase {
    private func assertThrows<T>(
        _ expected: ConsentKitError, _ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? ConsentKitError, expected, file: file, line: line)
        }
    }

    private func assertThrows(
        _ expected: ConsentKitError, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? ConsentKitError, expected, file: file, line: line)
        }
    }

    func testInvalidManifestCarriesEveryDiagnostic() throws {
        let dir = try temporaryDirectory(self)
        var refused = 0
        for file in try jsonFiles(in: "examples/broken") {
            let json = try String(contentsOf: file, encoding: .utf8)
            let expect = try XCTUnwrap(
                (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["x-expect"] as? String
            )
            let lint = try ConsentStore.lint(manifestJSON: json)
            XCTAssertEqual(Set(lint.map(\.code)), [expect], file.lastPathComponent)
            let db = dir.appendingPathComponent("\(file.lastPathComponent).db").path
            do {
                let kit = try ConsentStore.open(dbPath: db, manifestJSON: json)
                try kit.closeBlocking()
                XCTAssertTrue(lint.allSatisfy { $0.severity == .warning }, "\(file.lastPathComponent) opened despite errors")
            } catch let ConsentKitError.invalidManifest(detail, _, diagnostics) {
                refused += 1
                XCTAssertFalse(detail.isEmpty)
                XCTAssertTrue(diagnostics.contains { $0.code == expect && $0.severity == .error }, file.lastPathComponent)
                XCTAssertTrue(diagnostics.allSatisfy { !$0.path.isEmpty && !$0.fix.isEmpty }, file.lastPathComponent)
            }
        }
        XCTAssertGreaterThan(refused, 15)
    }

    func testInvalidManifestSyntaxHasAPath() throws {
        let dir = try temporaryDirectory(self)
        var manifest = try readRepoFile("examples/ride_hailing.json")
        manifest = manifest.replacingOccurrences(of: "\"basis\": \"necessary\"", with: "\"basis\": \"sometimes\"")
        XCTAssertThrowsError(try ConsentStore.open(dbPath: dir.appendingPathComponent("x.db").path, manifestJSON: manifest)) {
            guard case let .invalidManifest(_, path, diagnostics)? = $0 as? ConsentKitError else {
                return XCTFail("expected invalidManifest, got \($0)")
            }
            XCTAssertTrue(path.contains("purposes"), path)
            XCTAssertEqual(diagnostics, [])
        }
        XCTAssertThrowsError(try ConsentStore.open(dbPath: dir.appendingPathComponent("y.db").path, manifestJSON: "{")) {
            guard case .invalidManifest? = $0 as? ConsentKitError else { return XCTFail("got \($0)") }
        }
    }

    func testUnknownIds() async throws {
        let kit = try openKit(self)
        assertThrows(.unknownId(kind: .purpose, id: "nope"), try kit.decide("nope", "location"))
        assertThrows(.unknownId(kind: .purpose, id: "nope"), try kit.decide("nope", "telepathy"))
        assertThrows(.unknownId(kind: .dataType, id: "telepathy"), try kit.decide("ride", "telepathy"))
        assertThrows(.unknownId(kind: .feature, id: "teleport"), try kit.resolve("teleport"))
        assertThrows(.unknownId(kind: .dataType, id: "telepathy"), try kit.collect("ride", "telepathy"))
        assertThrows(.unknownId(kind: .thirdParty, id: "nobody"), try kit.collect("ride", "phone_number", recipient: "nobody"))
        assertThrows(.unknownId(kind: .thirdParty, id: "nobody"), try kit.mayTransfer(to: "nobody", for: "ads"))
        assertThrows(.unknownId(kind: .purpose, id: "nope"), try kit.mayTransfer(to: "adnet", for: "nope"))
        assertThrows(.unknownId(kind: .thirdParty, id: "nobody"), try kit.mayInitialize("nobody"))
        assertThrows(.unknownId(kind: .feature, id: "teleport"), try kit.nextPrompt(for: .feature("teleport")))
        assertThrows(.unknownId(kind: .purpose, id: "nope"), try kit.nextPrompt(for: .settings(purpose: "nope")))
        await assertThrows(.unknownId(kind: .purpose, id: "nope")) { try await kit.grant("nope", source: "test") }
        await assertThrows(.unknownId(kind: .purpose, id: "nope")) { try await kit.withdraw("nope", source: "test") }
    }

    func testInvalidArgumentSeparateConsentAndGuardian() async throws {
        let kit = try openKit(self)
        await assertThrows(.invalidArgument(detail: "policy version \"1999\" is not the current one (\"2026-11-01\")")) {
            try await kit.agreeToPolicy(version: "1999", source: "test")
        }
        assertThrows(.invalidArgument(detail: "time only moves forward"), try kit.advanceClock(by: -1))
        await assertThrows(.invalidArgument(detail: "no purpose to grant")) { try await kit.grantAll([String](), source: "test") }
        await assertThrows(.invalidArgument(detail: "source is longer than 256 bytes")) {
            try await kit.declinePolicy(source: String(repeating: "s", count: 10_000))
        }

        do {
            try await kit.grantAll(["ads", "ride"], source: "test")
            XCTFail("bundled a separate-consent purpose")
        } catch let ConsentKitError.separateConsentRequired(purposes) {
            XCTAssertEqual(purposes, ["ads"])
        }
        // A list of one separate-consent purpose is refused too: it is granted on its own, with grant.
        await assertThrows(.separateConsentRequired(purposes: ["ads"])) { try await kit.grantAll(["ads"], source: "test") }
        // ride_hailing declares no children's rules.
        do {
            try await kit.agreeToChildrenRules(version: "1", source: "test", actor: .guardian)
            XCTFail("agreed to children's rules the manifest does not have")
        } catch ConsentKitError.invalidArgument {}

        try await kit.setAgeBracket(.under14, source: "test")
        await assertThrows(.guardianRequired(age: 14)) {
            try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test", actor: .user)
        }
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test", actor: .guardian)
        XCTAssertTrue(kit.currentState.policyAgreed)
        await assertThrows(.guardianRequired(age: 14)) { try await kit.setAgeBracket(.adult, source: "test", actor: .user) }
        try await kit.setAgeBracket(.adult, source: "test", actor: .guardian)
    }

    func testChildrenRulesErrors() async throws {
        let kit = try openKit(self, manifest: "examples/map_navigation.json")
        await assertThrows(.guardianRequired(age: 14)) {
            try await kit.agreeToChildrenRules(version: "3.2", source: "test", actor: .user)
        }
        do {
            try await kit.agreeToChildrenRules(version: "3.1", source: "test", actor: .guardian)
            XCTFail("agreed to another children's-rules version")
        } catch ConsentKitError.invalidArgument {}
        try await kit.agreeToChildrenRules(version: "3.2", source: "test", actor: .guardian)
        try await kit.close()
        await assertThrows(.closed) { try await kit.agreeToChildrenRules(version: "3.2", source: "test", actor: .guardian) }
    }

    func testStorage() throws {
        let dir = try temporaryDirectory(self)
        // The database's parent "directory" is a file.
        let file = dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let db = file.appendingPathComponent("consent.db")
        XCTAssertThrowsError(try ConsentStore.open(dbPath: db.path, manifestJSON: try readRepoFile("examples/news.json"))) {
            guard case let .storage(detail)? = $0 as? ConsentKitError else { return XCTFail("expected storage, got \($0)") }
            XCTAssertFalse(detail.isEmpty)
        }
        // A directory where the database file should be is an argument error.
        let directory = dir.appendingPathComponent("a-directory.db")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ConsentStore.open(dbPath: directory.path, manifestJSON: try readRepoFile("examples/news.json"))) {
            guard case .invalidArgument? = $0 as? ConsentKitError else { return XCTFail("expected invalidArgument, got \($0)") }
        }
    }

    func testClosed() async throws {
        let kit = try openKit(self)
        try await kit.close()
        try await kit.close() // idempotent
        XCTAssertTrue(kit.isClosed)
        assertThrows(.closed, try kit.decide("ride", "phone_number"))
        assertThrows(.closed, try kit.resolve("pickup"))
        assertThrows(.closed, try kit.collect("ride", "phone_number"))
        assertThrows(.closed, try kit.collect("live_location", "location"))
        assertThrows(.closed, try kit.status())
        assertThrows(.closed, try kit.nextPrompt())
        assertThrows(.closed, try kit.mayTransfer(to: "adnet", for: "ads"))
        await assertThrows(.closed) { try await kit.grant("ads", source: "test") }
        await assertThrows(.closed) { try await kit.flush() }
        await kit.didEnterBackground() // does nothing, does not crash
        // Unknown ids are still named first, as in the core.
        assertThrows(.unknownId(kind: .feature, id: "teleport"), try kit.resolve("teleport"))
    }

    func testClockNotManual() throws {
        let dir = try temporaryDirectory(self)
        let kit = try ConsentStore.open(
            dbPath: dir.appendingPathComponent("c.db").path, manifestJSON: try readRepoFile("examples/news.json")
        )
        defer { try? kit.closeBlocking() }
        assertThrows(.clockNotManual, try kit.advanceClock(by: 1))
    }

    func testScalarCodesAndDescriptions() {
        XCTAssertEqual(ConsentKitError(code: 251), .closed)
        XCTAssertEqual(ConsentKitError(code: 250), .unexpected(detail: "the core reported an invalid handle"))
        XCTAssertEqual(try Decision(code: 0), .allowed)
        XCTAssertEqual(try Decision(code: 3), .denied(.refused))
        XCTAssertThrowsError(try Decision(code: 77))
        for reason in DenyReason.allCases {
            XCTAssertNotNil(DenyReason(code: UInt8(DenyReason.allCases.firstIndex(of: reason)! + 1)))
        }
        let cases: [ConsentKitError] = [
            .invalidManifest(detail: "d", path: "p", diagnostics: []), .unknownId(kind: .purpose, id: "x"),
            .invalidArgument(detail: "d"), .separateConsentRequired(purposes: ["a"]), .guardianRequired(age: 14),
            .storage(detail: "d"), .closed, .clockNotManual, .unexpected(detail: "d"),
        ]
        for e in cases {
            XCTAssertFalse((e.errorDescription ?? "").isEmpty, "\(e)")
        }
    }
}
