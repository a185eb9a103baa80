import Foundation
import XCTest
@testable import ConsentKit

/// The repository root (this file is <repo>/bindings/swift/Tests/ConsentKitTests/TestSupport.swift).
let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The default scenario start time (2026-01-01T00:00:00Z), as in tests/scenarios.rs.
let defaultStartMs: Int64 = 1_767_225_600_000

func readRepoFile(_ relativePath: String) throws -> String {
    try String(contentsOf: repoRoot.appendingPathComponent(relativePath), encoding: .utf8)
}

func jsonFiles(in relativeDir: String) throws -> [URL] {
    let dir = repoRoot.appendingPathComponent(relativeDir)
    return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "json" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("consentkit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Opens an example manifest on a manual clock in a fresh directory.
func openKit(
    _ test: XCTestCase,
    manifest: String = "examples/ride_hailing.json",
    startMs: Int64 = defaultStartMs,
    batchSize: Int = 1024,
    batchInterval: TimeInterval = 5,
    in dir: URL? = nil
) throws -> ConsentStore {
    let dir = try dir ?? temporaryDirectory(test)
    let options = OpenOptions(
        manualClockStart: Date(timeIntervalSince1970: TimeInterval(startMs) / 1000),
        accessBatchSize: batchSize,
        accessBatchInterval: batchInterval
    )
    let kit = try ConsentStore.open(
        dbPath: dir.appendingPathComponent("consent.db").path,
        manifestJSON: try readRepoFile(manifest),
        options: options
    )
    test.addTeardownBlock { try? kit.closeBlocking() }
    return kit
}

/// `policyNotAgreed` → `policy_not_agreed` (the scenario files' spelling).
func snakeCase(_ camel: String) -> String {
    var out = ""
    for ch in camel {
        if ch.isUppercase {
            out += "_" + ch.lowercased()
        } else {
            out.append(ch)
        }
    }
    return out
}

/// The scenario files' name of an error.
func errorName(_ error: any Error) -> String {
    guard let e = error as? ConsentKitError else { return "foreign:\(error)" }
    return switch e {
    case .invalidManifest: "invalid_manifest"
    case .unknownId: "unknown_id"
    case .invalidArgument: "invalid_argument"
    case .separateConsentRequired: "separate_consent_required"
    case .guardianRequired: "guardian_required"
    case .storage: "storage"
    case .closed: "closed"
    case .clockNotManual: "clock_not_manual"
    case .unexpected: "unexpected"
    }
}

// MARK: Canonical answers (the same spelling as CoreProbe.swift uses for the core's answers)

func canonical(_ d: Decision) -> String {
    switch d {
    case .allowed: "allowed"
    case let .denied(reason): "denied:\(snakeCase(reason.rawValue))"
    }
}

func canonical(_ t: Tier) -> String {
    "tier=\(t.tierID ?? "nil") index=\(t.index.map(String.init) ?? "nil") basic=\(t.isBasic) "
        + "missing=\(t.missingPurposes) ask=\(t.canAskNow)"
}

extension ConsentStore {
    /// The facade's (mirror) answer, canonical.
    func mirrorDecide(_ purpose: String, _ dataType: String) -> String {
        do { return canonical(try decide(purpose, dataType)) } catch { return "error:\(errorName(error))" }
    }

    /// The facade's (mirror) answer, canonical.
    func mirrorResolve(_ feature: String) -> String {
        do { return canonical(try resolve(feature)) } catch { return "error:\(errorName(error))" }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func waitUntil(timeout: TimeInterval = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return condition()
}

/// A thread-safe box for values collected by tasks.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []

    func append(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    var values: [T] { lock.lock(); defer { lock.unlock() }; return items }
}
