import Foundation
import XCTest
@testable import ConsentKit

/// A JSON value, for comparing what a step returned with what the scenario expects.
indirect enum JSON: Equatable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

    /// From JSONSerialization output (booleans are NSNumbers whose objCType is "c").
    init(parsed value: Any) {
        switch value {
        case is NSNull: self = .null
        case let n as NSNumber:
            self = String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .number(n.doubleValue)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(a.map(JSON.init(parsed:)))
        case let o as [String: Any]: self = .object(o.mapValues(JSON.init(parsed:)))
        default: self = .string("<unsupported \(type(of: value))>")
        }
    }

    init(_ s: String?) { self = s.map(JSON.string) ?? .null }

    var description: String {
        switch self {
        case .null: "null"
        case let .bool(b): "\(b)"
        case let .number(n): n == n.rounded() ? "\(Int64(n))" : "\(n)"
        case let .string(s): "\"\(s)\""
        case let .array(a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case let .object(o): "{" + o.keys.sorted().map { "\"\($0)\": \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// `expected ⊆ actual`: objects compare only the keys the scenario names (as tests/scenarios.rs does).
    func isContained(in actual: JSON) -> Bool {
        switch (self, actual) {
        case let (.object(e), .object(a)):
            e.allSatisfy { key, value in a[key].map { value.isContained(in: $0) } ?? false }
        default:
            self == actual
        }
    }
}

struct ScenarioFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs one tests/scenarios/*.json file through the Swift facade: the same ops as tests/scenarios.rs.
final class ScenarioRun {
    let file: URL
    let name: String
    let steps: [[String: Any]]
    private let dir: URL
    private var manifest: String
    private(set) var now: Int64
    private(set) var kit: ConsentStore

    init(file: URL, dir: URL) throws {
        self.file = file
        self.dir = dir
        let scenario = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        name = scenario["name"] as? String ?? file.lastPathComponent
        steps = scenario["steps"] as! [[String: Any]]
        manifest = try readRepoFile(scenario["manifest"] as! String)
        now = (scenario["start_ms"] as? NSNumber)?.int64Value ?? defaultStartMs
        kit = try Self.open(dir: dir, manifest: manifest, now: now)
    }

    private static func open(dir: URL, manifest: String, now: Int64) throws -> ConsentStore {
        try ConsentStore.open(
            dbPath: dir.appendingPathComponent("consent.db").path,
            manifestJSON: manifest,
            options: OpenOptions(manualClockStart: Date(timeIntervalSince1970: TimeInterval(now) / 1000))
        )
    }

    func close() {
        try? kit.closeBlocking()
    }

    /// Runs every step; `afterStep` sees the kit after each one (for the mirror-vs-core checks). Returns the
    /// number of steps.
    @discardableResult
    func run(afterStep: (ConsentStore, Int, [String: Any]) throws -> Void = { _, _, _ in }) async throws -> Int {
        for (i, step) in steps.enumerated() {
            let context = "\(file.lastPathComponent) step \(i): \(step)"
            let outcome: Result<JSON, any Error>
            do {
                outcome = .success(try await perform(step))
            } catch {
                outcome = .failure(error)
            }
            switch (outcome, step["expect_error"] as? String) {
            case let (.failure(error), want?):
                if errorName(error) != want {
                    throw ScenarioFailure(description: "\(context)\n  expected error \(want), got \(errorName(error))")
                }
            case let (.failure(error), nil):
                throw ScenarioFailure(description: "\(context)\n  unexpected error \(errorName(error)): \(error)")
            case let (.success(value), want?):
                throw ScenarioFailure(description: "\(context)\n  expected error \(want), got \(value)")
            case let (.success(value), nil):
                if let want = step["expect"] {
                    let expected = JSON(parsed: want)
                    if !expected.isContained(in: value) {
                        throw ScenarioFailure(description: "\(context)\n  expected \(expected)\n  got      \(value)")
                    }
                }
            }
            try afterStep(kit, i, step)
        }
        return steps.count
    }

    private func string(_ step: [String: Any], _ key: String) throws -> String {
        guard let s = step[key] as? String else { throw ScenarioFailure(description: "step needs \"\(key)\": \(step)") }
        return s
    }

    private func actor(_ step: [String: Any]) -> ConsentActor {
        step["actor"] as? String == "guardian" ? .guardian : .user
    }

    private func perform(_ step: [String: Any]) async throws -> JSON {
        let source = "scenario"
        switch try string(step, "op") {
        case "agree_policy":
            let version = step["version"] as? String ?? kit.currentState.policyVersion
            try await kit.agreeToPolicy(version: version, source: source, actor: actor(step))
        case "decline_policy":
            try await kit.declinePolicy(source: source)
        case "agree_children_rules":
            try await kit.agreeToChildrenRules(version: string(step, "version"), source: source, actor: actor(step))
        case "erase_all":
            try await kit.eraseAll(source: source, actor: actor(step))
        case "grant":
            try await kit.grant(string(step, "purpose"), source: source, actor: actor(step))
        case "grant_all":
            try await kit.grantAll(step["purposes"] as! [String], source: source, actor: actor(step))
        case "refuse":
            try await kit.refuse(string(step, "purpose"), source: source, actor: actor(step))
        case "withdraw":
            try await kit.withdraw(string(step, "purpose"), source: source, actor: actor(step))
        case "set_age":
            let bracket: AgeBracket = switch try string(step, "bracket") {
            case "under14": .under14
            case "teen": .teen
            case "adult": .adult
            default: .unknown
            }
            try await kit.setAgeBracket(bracket, source: source, actor: actor(step))
        case "advance":
            let ms = ((step["ms"] as? NSNumber)?.int64Value ?? 0)
                + ((step["seconds"] as? NSNumber)?.int64Value ?? 0) * 1000
                + ((step["hours"] as? NSNumber)?.int64Value ?? 0) * 3_600_000
            now += ms
            try kit.advanceClock(by: TimeInterval(ms) / 1000)
        case "decide":
            return .string(canonical(try kit.decide(string(step, "purpose"), string(step, "data_type"))))
        case "collect":
            let times = (step["times"] as? NSNumber)?.intValue ?? 1
            var last = JSON.null
            for _ in 0..<times {
                let result = try kit.collect(
                    string(step, "purpose"), string(step, "data_type"), recipient: step["recipient"] as? String
                )
                last = switch result {
                case .allowed:
                    .object(["result": .string("allowed")])
                case let .denied(reason, retryAfter):
                    .object([
                        "result": .string("denied:\(snakeCase(reason.rawValue))"),
                        "retry_after_ms": retryAfter.map { .number((Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15).rounded()) } ?? .null,
                    ])
                }
            }
            return last
        case "resolve":
            let t = try kit.resolve(string(step, "feature"))
            return .object([
                "tier": JSON(t.tierID),
                "missing": .array(t.missingPurposes.map(JSON.string)),
                "can_ask_now": .bool(t.canAskNow),
                "is_basic": .bool(t.isBasic),
            ])
        case "may_transfer":
            return .bool(try kit.mayTransfer(to: string(step, "recipient"), for: string(step, "purpose")))
        case "may_initialize":
            return .bool(try kit.mayInitialize(string(step, "third_party")))
        case "next_prompt":
            let trigger: PromptTrigger
            switch step["trigger"] {
            case let t as String where t == "app_start": trigger = .appStart
            case let o as [String: Any] where o["feature"] != nil: trigger = .feature(o["feature"] as! String)
            case let o as [String: Any] where o["settings"] != nil: trigger = .settings(purpose: o["settings"] as! String)
            default: throw ScenarioFailure(description: "unknown trigger in \(step)")
            }
            guard let p = try kit.nextPrompt(for: trigger) else { return .null }
            return .object([
                "kind": .string(snakeCase(p.kind.rawValue)),
                "purpose": JSON(p.purpose?.id),
                "separate": p.purpose.map { .bool(!$0.separateConsent.isEmpty) } ?? .null,
                "cross_border": p.purpose.map { .bool($0.crossBorder) } ?? .null,
                "children_rules": JSON(p.childrenRules?.version),
            ])
        case "status":
            let s = try kit.status()
            return .object([
                "policy_agreed": .bool(s.policyAgreed),
                "allowed": .array(s.purposes.filter(\.isAllowed).map { .string($0.id) }),
                "recovered": .bool(s.recovery != nil),
            ])
        case "flush":
            try await kit.flush()
        case "reopen":
            try await kit.close()
            if let m = step["manifest"] as? String {
                manifest = try readRepoFile(m)
            }
            kit = try Self.open(dir: dir, manifest: manifest, now: now)
        case let other:
            throw ScenarioFailure(description: "unknown op \(other)")
        }
        return .null
    }
}
