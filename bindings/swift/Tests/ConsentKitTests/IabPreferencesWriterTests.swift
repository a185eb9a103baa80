import Foundation
import XCTest
@testable import ConsentKit

/// The IAB key writer against a fake UserDefaults-shaped store: keys appear with the policy agreement, follow every
/// change with the specs' types, leave other keys alone and disappear on erasure; Consent Mode reads as Firebase
/// spells it.
final class IabPreferencesWriterTests: XCTestCase {
    private func iabKeys(_ store: InMemoryIabPreferenceStore) -> Set<String> {
        Set(store.dictionaryRepresentation().keys.filter { $0.hasPrefix("IABTCF_") || $0.hasPrefix("IABGPP_") })
    }

    func testKeysFollowTheAgreementEveryGrantAndTheErasure() async throws {
        let kit = try openKit(self, manifest: "examples/ride_hailing_global.json")
        let store = InMemoryIabPreferenceStore()
        store.set("dark", forKey: "app_theme")
        store.set("stale", forKey: "IABTCF_PublisherRestrictions9")
        let writer = IabPreferencesWriter(kit: kit, store: store)
        try writer.sync()
        XCTAssertEqual(iabKeys(store), [], "nothing before the policy is agreed")

        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        let signals = try writer.sync()
        XCTAssertEqual(iabKeys(store), Set(signals.preferences.map(\.key)))
        XCTAssertEqual(store["IABTCF_gdprApplies"] as? Int, 1)
        XCTAssertEqual(store["IABTCF_CmpSdkID"] as? Int, 300)
        XCTAssertEqual(store["IABTCF_PurposeConsents"] as? String, "01110010000")
        XCTAssertEqual(store["IABTCF_TCString"] as? String, signals.tcString)
        XCTAssertEqual(store["IABGPP_HDR_Sections"] as? String, "2_7")
        XCTAssertNil(store["IABTCF_PublisherRestrictions9"])
        XCTAssertEqual(store["app_theme"] as? String, "dark")
        XCTAssertEqual(signals.firebaseConsent["ad_storage"], "granted")
        XCTAssertEqual(signals.firebaseConsent["analytics_storage"], "denied")

        try await kit.eraseAll(source: "test")
        try writer.sync()
        XCTAssertEqual(iabKeys(store), [], "erasure removes every IAB key")
        XCTAssertEqual(store["app_theme"] as? String, "dark")
    }

    func testUsJurisdictionWritesNoTcStringAndPutsUsnatInForce() async throws {
        let kit = try openKit(self, manifest: "examples/ride_hailing_global.json")
        let store = InMemoryIabPreferenceStore()
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try IabPreferencesWriter(kit: kit, store: store, jurisdiction: .us).sync()
        XCTAssertEqual(store["IABTCF_gdprApplies"] as? Int, 0)
        XCTAssertNil(store["IABTCF_TCString"])
        XCTAssertEqual(store["IABGPP_GppSID"] as? String, "7")
    }
}
