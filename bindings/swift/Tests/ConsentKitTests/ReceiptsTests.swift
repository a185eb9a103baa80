import Foundation
import XCTest
@testable import ConsentKit

/// The receipts pair from Swift: native batches, idempotent acknowledgement, typed errors, and a failing
/// ``ReceiptKeyStore`` that loses nothing. (Linux has no CryptoKit, so the platform-key path is signed in the
/// Kotlin and Rust suites; here the key-file signer runs.)
final class ReceiptsTests: XCTestCase {
    final class LockedKeyStore: ReceiptKeyStore, @unchecked Sendable {
        struct Locked: Error {}
        func publicKey() throws -> Data { throw Locked() }
        func sign(_ data: Data) throws -> Data { Data() }
    }

    func testBatchesAcknowledgeIdempotentlyAndErrorsAreTyped() async throws {
        let kit = try openKit(self)
        defer { try? kit.closeBlocking() }
        let empty = try await kit.pendingReceipts()
        XCTAssertEqual(empty.count, 0)
        try await kit.agreeToPolicy(version: "2026-11-01", source: "welcome")
        try await kit.grant("ads", source: "offers_prompt")
        try await kit.withdraw("ads", source: "settings")

        let first = try await kit.pendingReceipts(max: 2)
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(first.upTo, 2)
        XCTAssertTrue(first.body.contains("\"install_id\":\"\(first.installId)\""))
        let again = try await kit.pendingReceipts(max: 2)
        XCTAssertEqual(again, first, "unacknowledged receipts come back unchanged")

        try await kit.acknowledgeReceipts(upTo: first.upTo)
        try await kit.acknowledgeReceipts(upTo: 1)
        let rest = try await kit.pendingReceipts()
        XCTAssertEqual(rest.count, 1)
        XCTAssertEqual(rest.upTo, 3)
        do {
            try await kit.acknowledgeReceipts(upTo: 99)
            XCTFail("acknowledging past the ledger must fail")
        } catch ConsentKitError.invalidArgument {}
        do {
            _ = try await kit.pendingReceipts(keyStore: LockedKeyStore())
            XCTFail("a failing key store must fail the call")
        } catch ConsentKitError.storage {}
        let still = try await kit.pendingReceipts()
        XCTAssertEqual(still.count, 1, "a failed call lost nothing")
    }
}
