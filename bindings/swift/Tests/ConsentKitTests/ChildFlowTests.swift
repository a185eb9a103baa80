import Foundation
import XCTest
@testable import ConsentKit

/// A child's flow as the README tells an app to run it, through the public types: every prompt is
/// `guardianConsent`, the policy first, then the children's rules (``Prompt/childrenRules`` with version and url),
/// then optional purposes; erasure keeps the child under 14. Also: transfers are allowed per purpose.
final class ChildFlowTests: XCTestCase {
    func testGuardianAgreesToPolicyThenChildrenRulesThenGrants() async throws {
        let kit = try openKit(self, manifest: "examples/map_navigation.json")
        try await kit.setAgeBracket(.under14, source: "test")

        let policy = try XCTUnwrap(try kit.nextPrompt(for: .appStart))
        XCTAssertEqual(policy.kind, .guardianConsent)
        XCTAssertNil(policy.purpose)
        try await kit.agreeToPolicy(version: policy.policyVersion, source: "test", actor: .guardian)
        XCTAssertEqual(try kit.decide("routing", "destination"), .denied(.guardianRequired))

        let rules = try XCTUnwrap(try kit.nextPrompt(for: .appStart))
        XCTAssertEqual(rules.kind, .guardianConsent)
        XCTAssertNil(rules.purpose)
        XCTAssertEqual(rules.childrenRules, ChildrenRules(version: "3.2", url: "https://maps.example.com/children-privacy"))
        try await kit.agreeToChildrenRules(version: try XCTUnwrap(rules.childrenRules).version, source: "test", actor: .guardian)
        XCTAssertEqual(try kit.decide("routing", "destination"), .allowed)
        XCTAssertNil(try kit.nextPrompt(for: .appStart))

        let optional = try XCTUnwrap(try kit.nextPrompt(for: .feature("search")))
        XCTAssertEqual(optional.kind, .guardianConsent)
        XCTAssertEqual(optional.purpose?.id, "suggestions")
        XCTAssertNil(optional.childrenRules)
        try await kit.grant("suggestions", source: "test", actor: .guardian)
        XCTAssertEqual(try kit.decide("suggestions", "search_history"), .allowed)

        try await kit.eraseAll(source: "test", actor: .user)
        XCTAssertEqual(kit.currentState.age, .under14)
        do {
            try await kit.setAgeBracket(.teen, source: "test", actor: .user)
            XCTFail("a child left the under-14 bracket without the guardian")
        } catch ConsentKitError.guardianRequired {}
    }

    func testTransferIsPerPurpose() async throws {
        let kit = try openKit(self, manifest: "examples/map_navigation.json")
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        XCTAssertFalse(try kit.mayTransfer(to: "trafficdata", for: "traffic_contribution"))
        try await kit.grant("traffic_contribution", source: "test")
        XCTAssertTrue(try kit.mayTransfer(to: "trafficdata", for: "traffic_contribution"))
        // routing is allowed but does not name trafficdata as a recipient.
        XCTAssertFalse(try kit.mayTransfer(to: "trafficdata", for: "routing"))
    }
}
