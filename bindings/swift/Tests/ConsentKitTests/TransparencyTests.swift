import Foundation
import XCTest
@testable import ConsentKit

/// The transparency lists, receipts and the full export are reachable with native types: after agreeing, granting
/// and collecting, the lists show the real counts (including counts still pending in the facade) and the receipts
/// the grant; the JSON forms parse.
final class TransparencyTests: XCTestCase {
    private func agreedGrantedCollected() async throws -> ConsentStore {
        let kit = try openKit(self, batchInterval: 3600)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "policy_sheet")
        try await kit.grant("ads", source: "offers_prompt")
        for _ in 0..<3 { XCTAssertEqual(try kit.collect("ride", "phone_number"), .allowed) }
        for _ in 0..<2 { XCTAssertEqual(try kit.collect("ads", "device_id", recipient: "adnet"), .allowed) }
        return kit
    }

    func testCollectionListCountsEveryAllowedCollection() async throws {
        let kit = try await agreedGrantedCollected()
        let lists = try await kit.transparencyLists()
        let phone = try XCTUnwrap(lists.collection.first { $0.purpose == "ride" && $0.dataType == "phone_number" })
        XCTAssertEqual(phone.count, 3)
        XCTAssertEqual(phone.lastCollected, Date(timeIntervalSince1970: TimeInterval(defaultStartMs) / 1000))
        XCTAssertEqual(phone.basis, "necessary")
        let deviceId = try XCTUnwrap(lists.collection.first { $0.purpose == "ads" && $0.dataType == "device_id" })
        XCTAssertEqual(deviceId.count, 2)
        XCTAssertTrue(deviceId.separateConsent.contains(.thirdParty), "ads shares with adnet")
        let untouched = try XCTUnwrap(lists.collection.first { $0.purpose == "ride" && $0.dataType == "destination" })
        XCTAssertEqual(untouched.count, 0)
        XCTAssertNil(untouched.lastCollected)
        XCTAssertEqual(lists.sharing.count, 1)
        let adnet = try XCTUnwrap(lists.sharing.first)
        XCTAssertEqual(adnet.recipient, "adnet")
        XCTAssertEqual(adnet.name, "Example Ads SDK")
        XCTAssertEqual(adnet.purposes, ["ads"])
        XCTAssertEqual(adnet.region, "SG")
        XCTAssertEqual(adnet.contact, "privacy@adnet.example")
        XCTAssertEqual(adnet.count, 2)
    }

    func testReceiptsShowTheAgreementAndTheGrant() async throws {
        let kit = try await agreedGrantedCollected()
        var receipts = try await kit.receipts()
        XCTAssertEqual(receipts.map(\.event), [.policyAgreed, .granted])
        let grant = try XCTUnwrap(receipts.last)
        XCTAssertEqual(grant.purposes, ["ads"])
        XCTAssertEqual(grant.source, "offers_prompt")
        XCTAssertEqual(grant.actor, .user)
        XCTAssertEqual(grant.state, .given)
        XCTAssertEqual(grant.policyVersion, "2026-11-01")
        XCTAssertEqual(grant.timestamp, Date(timeIntervalSince1970: TimeInterval(defaultStartMs) / 1000))
        XCTAssertTrue(grant.id.hasPrefix("urn:uuid:"))
        XCTAssertFalse((grant.definitionHashes["ads"] ?? "").isEmpty, "a grant records the definition seen")
        XCTAssertEqual(receipts.first?.source, "policy_sheet")

        try await kit.withdraw("ads", source: "settings")
        receipts = try await kit.receipts()
        XCTAssertEqual(receipts.first { $0.event == .granted }?.state, .withdrawn)
        XCTAssertEqual(receipts.last?.id, grant.id, "receipt ids are stable")
    }

    func testJSONExtrasParse() async throws {
        let kit = try await agreedGrantedCollected()
        let listsText = try await kit.transparencyListsJSON()
        let lists = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listsText.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(lists["collection"] as? [[String: Any]])
        let phone = try XCTUnwrap(rows.first { $0["purpose"] as? String == "ride" && $0["data_type"] as? String == "phone_number" })
        XCTAssertEqual((phone["count"] as? NSNumber)?.intValue, 3)
        let receiptsText = try await kit.receiptsJSON()
        let receipts = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(receiptsText.utf8)) as? [String: Any])
        XCTAssertEqual((receipts["receipts"] as? [Any])?.count, 2)
        let exportText = try await kit.exportAllJSON()
        let export = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(exportText.utf8)) as? [String: Any])
        XCTAssertEqual(export["schema"] as? String, "consentkit/export/v1")
        XCTAssertEqual(((export["receipts"] as? [String: Any])?["receipts"] as? [Any])?.count, 2)
        XCTAssertGreaterThanOrEqual((export["ledger"] as? [Any])?.count ?? 0, 2)
    }

    func testClosedAfterClose() async throws {
        let kit = try await agreedGrantedCollected()
        try await kit.close()
        do { _ = try await kit.transparencyLists(); XCTFail("lists after close") } catch ConsentKitError.closed {}
        do { _ = try await kit.receipts(); XCTFail("receipts after close") } catch ConsentKitError.closed {}
        do { _ = try await kit.exportAllJSON(); XCTFail("export after close") } catch ConsentKitError.closed {}
    }
}
