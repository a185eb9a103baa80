import Foundation
import XCTest
@testable import ConsentKit

/// The mirror publishes whole versions: within one published version, `decide` and `resolve` always agree, even
/// while a writer toggles a purpose through the facade. (The former mirror rewrote decision cells in place while
/// the feature entries were replaced under a lock, so a reader pairing a cell with a feature entry could see two
/// different tables.)
final class MirrorVersionTests: XCTestCase {
    func testDecideAndResolveAgreeWithinOneVersionWhileAWriterToggles() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let cell = try kit.mirror.handles.cell("ads", "device_id")
        let offers = try kit.mirror.handles.featureHandle("offers")

        async let toggles: Int = {
            for _ in 0..<60 {
                try await kit.grant("ads", source: "test")
                try await kit.withdraw("ads", source: "test")
            }
            return 120
        }()

        let seen = try await withThrowingTaskGroup(of: (checked: Int, versions: Set<UInt64>).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var checked = 0
                    var versions = Set<UInt64>()
                    let deadline = Date().addingTimeInterval(30)
                    while Date() < deadline {
                        let v = kit.mirror.snapshot
                        let allowed = try Decision(code: v.code(cell)).isAllowed
                        let tier = kit.mirror.tier(offers, in: v)
                        if allowed != (tier.tierID == "personalised") {
                            XCTFail("version \(v.version): decide says \(allowed), resolve offers \(tier.tierID ?? "-")")
                        }
                        checked += 1
                        versions.insert(v.version)
                        if versions.count > 20 && checked > 10_000 { break }
                        await Task.yield()
                    }
                    return (checked, versions)
                }
            }
            var all = (checked: 0, versions: Set<UInt64>())
            for try await r in group {
                all.checked += r.checked
                all.versions.formUnion(r.versions)
            }
            return all
        }
        _ = try await toggles
        XCTAssertGreaterThan(seen.versions.count, 2, "the readers saw the writer's versions")

        // The public reads agree with the last version too.
        XCTAssertFalse(try kit.decide("ads", "device_id").isAllowed)
        XCTAssertEqual(try kit.resolve("offers").tierID, "generic")
    }

    /// Readers take no lock (one atomic load of the published version), so this checks what the lock used to
    /// guarantee, under far more publishes than writes could make: a thread republishes two real tables ("ads"
    /// granted / withdrawn) alternately under increasing versions while two reader threads check that
    /// - every version they load is whole: its codes and feature entries are those of the table its version number
    ///   says (no version seen before its fields, no field of another table, no freed version),
    /// - versions never go back for a reader,
    /// - the public `decide` and `resolve`, called between two reads of the same version number, answer from that
    ///   version and agree with each other.
    func testReadersNeverSeeATornVersionWhilePublishesRace() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        try await kit.grant("ads", source: "test")
        let granted = try kit.core.decisionTable()
        try await kit.withdraw("ads", source: "test")
        let withdrawn = try kit.core.decisionTable()

        // What each table looks like once published (even offsets: granted, odd: withdrawn).
        let base = kit.mirror.snapshot.version + 1
        XCTAssertTrue(kit.mirror.publish(renumbered(granted, base)))
        let grantedVersion = kit.mirror.snapshot
        XCTAssertTrue(kit.mirror.publish(renumbered(withdrawn, base + 1)))
        let withdrawnVersion = kit.mirror.snapshot
        XCTAssertNotEqual(grantedVersion.codes, withdrawnVersion.codes)
        XCTAssertNotEqual(grantedVersion.features, withdrawnVersion.features)
        let expected = [grantedVersion, withdrawnVersion]

        let publishes = 20_000
        let readers = 2
        let done = Flag()
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        let results = Results()

        for _ in 0..<readers {
            finished.enter()
            Thread {
                defer { finished.leave() }
                started.signal()
                var last: UInt64 = 0
                var wholeChecks = 0, agreementChecks = 0
                var versions = Set<UInt64>()
                var failure: String?
                while failure == nil {
                    let stop = done.isSet // read first: one more round after the last publish
                    let v = kit.mirror.snapshot
                    let want = expected[Int((v.version - base) % 2)]
                    if v.version < last {
                        failure = "version went back from \(last) to \(v.version)"
                    } else if v.codes != want.codes || v.features != want.features || v.limited != want.limited {
                        failure = "version \(v.version) does not hold the table its number says"
                    }
                    last = v.version
                    versions.insert(v.version)
                    wholeChecks += 1

                    let before = kit.mirror.snapshot.version
                    let allowed = (try? kit.decide("ads", "device_id").isAllowed) ?? false
                    let tier = (try? kit.resolve("offers").tierID) ?? "error"
                    let after = kit.mirror.snapshot.version
                    if before == after {
                        let wantAllowed = (before - base) % 2 == 0
                        if allowed != wantAllowed || tier != (wantAllowed ? "personalised" : "generic") {
                            failure = "version \(before): decide says \(allowed), resolve offers \(tier)"
                        }
                        agreementChecks += 1
                    }
                    if stop { break }
                }
                results.add(whole: wholeChecks, agreement: agreementChecks, versions: versions.count, failure: failure)
            }.start()
        }
        for _ in 0..<readers { started.wait() }

        var refused = 0
        for i in 2..<publishes {
            if !kit.mirror.publish(renumbered(i % 2 == 0 ? granted : withdrawn, base + UInt64(i))) { refused += 1 }
        }
        done.set()
        finished.wait()

        XCTAssertEqual(refused, 0, "every newer table is published")
        XCTAssertEqual(kit.mirror.snapshot.version, base + UInt64(publishes - 1))
        let r = results.snapshot
        print("torn-read test: \(r.whole) whole-version checks, \(r.agreement) decide/resolve pairs, \(r.versions) versions seen")
        XCTAssertNil(r.failure)
        XCTAssertGreaterThan(r.whole, 0)
        XCTAssertGreaterThan(r.agreement, 0, "some decide/resolve pairs ran within one version")
        XCTAssertGreaterThan(r.versions, 2, "the readers saw the publisher's versions")
    }

    /// A replaced version is kept alive for readers that may still hold it, so the mirror keeps only changes:
    /// republishing the table in place (every write publishes its table two or three times: the observer, the
    /// write's own fetch, `status()`) adds nothing.
    func testRepublishingTheSameTableKeepsNoExtraVersion() async throws {
        let kit = try openKit(self)
        try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "test")
        let kept = kit.mirror.retiredCount
        let version = kit.mirror.snapshot.version
        for _ in 0..<100 {
            XCTAssertFalse(kit.mirror.publish(try kit.core.decisionTable()))
            _ = try kit.status()
        }
        XCTAssertEqual(kit.mirror.retiredCount, kept)
        XCTAssertEqual(kit.mirror.snapshot.version, version)

        try await kit.grant("ads", source: "test")
        XCTAssertEqual(kit.mirror.retiredCount, kept + 1, "one change, one version kept")
        XCTAssertTrue(try kit.decide("ads", "device_id").isAllowed)
    }
}

/// A flag set once by one thread and read by others.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// What the reader threads of the torn-read test found.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var whole = 0, agreement = 0, versions = 0
    private var failure: String?

    func add(whole: Int, agreement: Int, versions: Int, failure: String?) {
        lock.lock()
        self.whole += whole
        self.agreement += agreement
        self.versions += versions
        self.failure = self.failure ?? failure
        lock.unlock()
    }

    var snapshot: (whole: Int, agreement: Int, versions: Int, failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (whole, agreement, versions, failure)
    }
}
