import Foundation
import XCTest
@testable import ConsentKit

/// The facade's ``DeviceKeyStore`` reaches the core: the database is keyed to the store, a lost key is re-keyed
/// with the state kept, a rolled-back file is refused, and ``ConsentStore/verifyIntegrity()`` runs the full check.
final class KeyedIntegrityTests: XCTestCase {
    /// An in-memory key store. Its `mac` is a TEST FAKE, not a MAC: a 32-byte keyed checksum (FNV-1a over the key,
    /// a counter and the data) that is deterministic per key and differs between keys, which is all the core's
    /// checks need here (Linux has no CryptoKit, and swift-crypto is not available offline).
    final class FakeKeyStore: DeviceKeyStore, @unchecked Sendable {
        private let lock = NSLock()
        private var key: [UInt8]?
        private var head: String?
        private var failing = false

        var storedHead: String? { lock.locked { head } }
        var hasKey: Bool { lock.locked { key != nil } }
        func setFailing(_ on: Bool) { lock.locked { failing = on } }

        func ensureKey() throws -> Bool {
            lock.locked {
                if key != nil { return true }
                key = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
                return false
            }
        }

        func mac(_ data: Data) throws -> Data {
            let (key, failing) = lock.locked { (self.key, self.failing) }
            if failing { throw FakeFailure() }
            guard let key else { throw FakeFailure() }
            var out = Data(capacity: 32)
            for block in 0..<4 {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in key + [UInt8(block)] + Array(data) {
                    h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
                withUnsafeBytes(of: h.littleEndian) { out.append(contentsOf: $0) }
            }
            return out
        }

        func loadHead() throws -> String? {
            lock.locked { head }
        }

        func storeHead(_ head: String) throws {
            lock.locked { self.head = head }
        }
    }

    struct FakeFailure: Error, CustomStringConvertible {
        var description: String { "key store unavailable" }
    }

    private func open(_ dir: URL, _ store: FakeKeyStore?, integrityDir: String? = nil) throws -> ConsentStore {
        let options = OpenOptions(
            manualClockStart: Date(timeIntervalSince1970: TimeInterval(defaultStartMs) / 1000),
            integrityDir: integrityDir
        )
        let kit = try ConsentStore.open(
            dbPath: dir.appendingPathComponent("consent.db").path,
            manifestJSON: try readRepoFile("examples/ride_hailing.json"),
            options: options,
            deviceKey: store
        )
        addTeardownBlock { try? kit.closeBlocking() }
        return kit
    }

    private func exists(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.path)
    }

    func testOpenWithAKeyStoreUsesItAndKeepsNoKeyFile() async throws {
        let dir = try temporaryDirectory(self)
        let store = FakeKeyStore()
        let kit = try open(dir, store)
        XCTAssertNil(kit.currentState.recovery)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed)
        try await kit.close()
        XCTAssertTrue(store.hasKey)
        XCTAssertNotNil(store.storedHead, "the head is stored with the key after a write")
        XCTAssertFalse(exists(dir.appendingPathComponent("consent.db.key")))
        XCTAssertFalse(exists(dir.appendingPathComponent("consent.db.head")))
    }

    func testReopeningWithTheSameStoreKeepsTheState() async throws {
        let dir = try temporaryDirectory(self)
        let store = FakeKeyStore()
        let first = try open(dir, store)
        try await first.agreeToPolicy(version: first.currentState.policyVersion, source: "test")
        try await first.grant("ads", source: "test")
        try await first.refuse("live_location", source: "test")
        try await first.close()

        let second = try open(dir, store)
        XCTAssertNil(second.currentState.recovery)
        XCTAssertTrue(second.currentState.policyAgreed)
        XCTAssertEqual(try second.decide("ads", "device_id"), .allowed)
        XCTAssertEqual(try second.decide("live_location", "location"), .denied(.refused))
    }

    func testAFreshStoreOnTheSameFileReportsKeyReplacedAndKeepsTheGrant() async throws {
        let dir = try temporaryDirectory(self)
        let first = try open(dir, FakeKeyStore())
        try await first.agreeToPolicy(version: first.currentState.policyVersion, source: "test")
        try await first.grant("ads", source: "test")
        try await first.close()

        let fresh = FakeKeyStore()
        let second = try open(dir, fresh)
        let recovery = try XCTUnwrap(second.currentState.recovery)
        XCTAssertEqual(recovery.reason, .keyReplaced)
        XCTAssertEqual(recovery.quarantinedPath, "", "nothing is set aside when the key is replaced")
        XCTAssertEqual(try second.decide("ads", "device_id"), .allowed)
        try await second.close()

        let third = try open(dir, fresh)
        XCTAssertNil(third.currentState.recovery, "re-keyed under the new key")
        XCTAssertEqual(try third.decide("ads", "device_id"), .allowed)
    }

    func testAFileRestoredFromBeforeAWriteReportsRolledBack() async throws {
        let dir = try temporaryDirectory(self)
        let store = FakeKeyStore()
        let first = try open(dir, store)
        try await first.agreeToPolicy(version: first.currentState.policyVersion, source: "test")
        try await first.close()
        let db = dir.appendingPathComponent("consent.db")
        let sidecars = ["-wal", "-shm"].map { URL(fileURLWithPath: db.path + $0) }
        let copies = ([db] + sidecars).filter(exists).map { ($0, try? Data(contentsOf: $0)) }

        let second = try open(dir, store)
        try await second.grant("ads", source: "test")
        try await second.close()
        for url in sidecars { try? FileManager.default.removeItem(at: url) }
        for (url, data) in copies { try XCTUnwrap(data).write(to: url) }

        let third = try open(dir, store)
        let recovery = try XCTUnwrap(third.currentState.recovery)
        XCTAssertEqual(recovery.reason, .rolledBack)
        XCTAssertTrue(exists(URL(fileURLWithPath: recovery.quarantinedPath)), "set aside, not deleted")
        XCTAssertFalse(third.currentState.policyAgreed, "safe default after a rollback")
        XCTAssertEqual(try third.decide("ads", "device_id"), .denied(.policyNotAgreed))
    }

    func testVerifyIntegrityPassesOnAnIntactDatabase() async throws {
        let dir = try temporaryDirectory(self)
        let kit = try open(dir, FakeKeyStore())
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        try await kit.withdraw("ads", source: "test")
        guard case let .passed(rows, tookMs) = try await kit.verifyIntegrity() else {
            return XCTFail("expected .passed")
        }
        XCTAssertGreaterThanOrEqual(rows, 3)
        XCTAssertGreaterThanOrEqual(tookMs, 0)
        XCTAssertNil(kit.currentState.recovery)
        try await kit.close()
        do {
            _ = try await kit.verifyIntegrity()
            XCTFail("verifyIntegrity after close must throw")
        } catch ConsentKitError.closed {}
    }

    func testWithoutAKeyStoreTheFilesGoToIntegrityDir() async throws {
        let dir = try temporaryDirectory(self)
        let integrity = dir.appendingPathComponent("integrity")
        try FileManager.default.createDirectory(at: integrity, withIntermediateDirectories: true)
        let kit = try open(dir, nil, integrityDir: integrity.path)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        guard case .passed = try await kit.verifyIntegrity() else { return XCTFail("expected .passed") }
        try await kit.close()
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: integrity.path).isEmpty)
        XCTAssertFalse(exists(dir.appendingPathComponent("consent.db.key")), "not beside the database")
    }

    func testAFailingKeyStoreFailsTheWriteWithStorage() async throws {
        let dir = try temporaryDirectory(self)
        let store = FakeKeyStore()
        let kit = try open(dir, store)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        store.setFailing(true)
        do {
            try await kit.grant("ads", source: "test")
            XCTFail("the write must fail")
        } catch let ConsentKitError.storage(detail) {
            XCTAssertTrue(detail.contains("key store unavailable"), detail)
        }
        store.setFailing(false)
        XCTAssertEqual(try kit.decide("ads", "device_id"), .denied(.notGranted))
    }
}
