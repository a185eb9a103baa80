import Foundation
import XCTest
@testable import ConsentKit

/// Issue 17 #9: the ids `consentkit codegen --lang swift --prefix Ride` generated from examples/ride_hailing.json
/// during this test run (bindings/swift/test.sh writes Generated/RideConsentIds.swift) are what the facade takes;
/// plain strings still work, alone or mixed with typed ids.
final class TypedIdTests: XCTestCase {
    typealias Ids = RideConsentIds

    func testGeneratedIdsMatchTheRunningCore() throws {
        let kit = try openKit(self)
        XCTAssertEqual(Ids.Purpose.allCases.map(\.id), kit.mirror.handles.purposes, "generated from the same manifest")
        XCTAssertEqual(Ids.Feature.allCases.map(\.id), kit.mirror.handles.features)
        XCTAssertEqual(Ids.PickupTier.allCases.map(\.id), kit.mirror.handles.tiers[Int(Ids.Feature.pickup.handle)])
    }

    func testDecideResolveAndCollectTakeGeneratedIds() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: Ids.policyVersion, source: "test")
        XCTAssertEqual(try kit.resolve(Ids.Feature.pickup).tier(as: Ids.PickupTier.self)?.id, try kit.resolve("pickup").tierID)
        try await kit.grant(Ids.Purpose.liveLocation, source: "test")
        XCTAssertEqual(try kit.resolve(Ids.Feature.pickup).tier(as: Ids.PickupTier.self), .liveLocation)
        XCTAssertEqual(try kit.decide(Ids.Purpose.ads, Ids.DataType.deviceId), .denied(.notGranted))

        try await kit.grant(Ids.Purpose.ads, source: "test")
        XCTAssertEqual(try kit.decide(Ids.Purpose.ads, Ids.DataType.deviceId), .allowed)
        XCTAssertEqual(try kit.decide(Ids.Purpose.ads, "device_id"), .allowed, "typed and string ids mix")
        XCTAssertEqual(try kit.decide("ads", "device_id"), .allowed, "strings still work")
        XCTAssertEqual(try kit.resolve(Ids.Feature.offers).tier(as: Ids.OffersTier.self), .personalised)
        XCTAssertEqual(kit.currentState.tier(of: Ids.Feature.offers)?.tierID, Ids.OffersTier.personalised.id)
        XCTAssertEqual(kit.currentState.purpose(Ids.Purpose.ads)?.isAllowed, true)

        XCTAssertEqual(try kit.collect(Ids.Purpose.ads, Ids.DataType.deviceId, recipient: Ids.ThirdParty.adnet), .allowed)
        XCTAssertTrue(try kit.mayTransfer(to: Ids.ThirdParty.adnet, for: Ids.Purpose.ads))
        XCTAssertTrue(try kit.mayInitialize(Ids.ThirdParty.adnet))
        let value = try kit.withConsent(Ids.Purpose.ads, Ids.DataType.deviceId) { "idfa" }
        XCTAssertEqual(value, .allowed("idfa"))

        try await kit.refuse(Ids.Purpose.liveLocation, source: "test")
        XCTAssertEqual(try kit.resolve(Ids.Feature.pickup).tier(as: Ids.PickupTier.self), .typedAddress)
        XCTAssertNil(try kit.nextPrompt(for: .feature(Ids.Feature.pickup)), "the refusal's cooldown")
        let settings = try XCTUnwrap(try kit.nextPrompt(for: .settings(purpose: Ids.Purpose.liveLocation)))
        XCTAssertEqual(settings.purpose?.id, Ids.Purpose.liveLocation.id)

        try await kit.withdraw(Ids.Purpose.ads, source: "test")
        XCTAssertEqual(try kit.decide(Ids.Purpose.ads, Ids.DataType.deviceId), .denied(.withdrawn))
        do {
            try await kit.grantAll([Ids.Purpose.liveLocation, Ids.Purpose.ads], source: "test")
            XCTFail("live_location (location is sensitive) and ads need separate consent")
        } catch let ConsentKitError.separateConsentRequired(purposes) {
            XCTAssertEqual(Set(purposes), [Ids.Purpose.liveLocation.id, Ids.Purpose.ads.id])
        }
        try await kit.grant(Ids.Purpose.liveLocation, source: "settings")
        XCTAssertEqual(try kit.resolve(Ids.Feature.pickup).tier(as: Ids.PickupTier.self), .liveLocation)
    }

    func testATierTheEnumDoesNotKnowReadsAsNil() {
        let tier = Tier(feature: "pickup", tierID: "teleport", index: 0, isBasic: false, missingPurposes: [], canAskNow: true)
        XCTAssertNil(tier.tier(as: Ids.PickupTier.self), "a stale generated enum answers nil, never a wrong tier")
        let none = Tier(feature: "pickup", tierID: nil, index: nil, isBasic: false, missingPurposes: [], canAskNow: false)
        XCTAssertNil(none.tier(as: Ids.PickupTier.self))
    }
}
