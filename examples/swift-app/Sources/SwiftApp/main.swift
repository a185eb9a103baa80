// A walk-through of ConsentKit from an app's side: open, prompt, grant, decide, resolve. Written from the README
// alone; the ids come from `consentkit codegen` (Generated/ConsentIds.swift, written by the build step in
// README.md), so a misspelt id does not compile.
import ConsentKit
import Foundation

// The app has types of its own named like ConsentKit's: ConsentKit's are reached through the module name.
struct Decision: CustomStringConvertible {
    let screen: String
    var description: String { "show \(screen)" }
}

struct Tier {
    let name: String
}

typealias Ids = ConsentIds

/// One line for a decision.
func text(_ decision: ConsentKit.Decision) -> String {
    switch decision {
    case .allowed: "allowed"
    case let .denied(reason): "denied (\(reason.rawValue))"
    }
}

let manifestPath = CommandLine.arguments.dropFirst().first ?? "../ride_hailing.json"
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-app-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

// 1. Open: once, at launch.
let store = try ConsentStore.open(
    dbPath: directory.appendingPathComponent("consent.db").path,
    manifestJSON: try String(contentsOfFile: manifestPath, encoding: .utf8)
)
print("1. open      \(Ids.appId): policy \(store.currentState.policyVersion) agreed: \(store.currentState.policyAgreed)")

// Follow every change, as a SwiftUI view would (ConsentModel / ConsentObject wrap the same sequence).
let watcher = Task {
    var seen = 0
    for await _ in store.states { seen += 1 }
    return seen
}

// 2. Prompt at app start: the privacy policy.
if let prompt = try store.nextPrompt(for: .appStart) {
    print("2. prompt    \(prompt.kind): policy \(prompt.policyVersion) at \(prompt.policyURL), covering \(prompt.covers.map(\.id))")
    try await store.agreeToPolicy(version: prompt.policyVersion, source: "swift_app_welcome")
}

// 3. Just in time, when the user opens a screen: ask for what its richer tier needs, and grant it.
for (feature, purpose) in [(Ids.Feature.offers, Ids.Purpose.ads), (Ids.Feature.pickup, Ids.Purpose.liveLocation)] {
    let before: ConsentKit.Tier = try store.resolve(feature)
    print("3. \(feature.id.padding(toLength: 9, withPad: " ", startingAt: 0)) tier \(before.tierID ?? "none"), missing \(before.missingPurposes)")
    if let prompt = try store.nextPrompt(for: .feature(feature)), let asked = prompt.purpose {
        print("   prompt    \(prompt.kind) for \(asked.id): \"\(asked.description)\", separate consent: \(asked.separateConsent.map(\.rawValue))")
        try await store.grant(purpose, source: "swift_app_\(feature.id)")
        print("   grant     \(purpose.id) -> \(feature.id): \(try store.resolve(feature).tierID ?? "none")")
    }
}

// 4. Decide, per event: answered from memory.
let location: ConsentKit.Decision = try store.decide(Ids.Purpose.liveLocation, Ids.DataType.location)
let ads: ConsentKit.Decision = try store.decide(Ids.Purpose.ads, Ids.DataType.deviceId)
print("4. decide    live_location/location: \(text(location)); ads/device_id: \(text(ads))")
switch try store.withConsent(Ids.Purpose.liveLocation, Ids.DataType.location, body: { "31.2304° N, 121.4737° E" }) {
case let .allowed(position): print("   collect   location \(position)")
case let .denied(reason, retryAfter): print("   collect   denied (\(reason.rawValue))\(retryAfter.map { ", retry after \($0)" } ?? "")")
}

// 5. Resolve: degrade, never deny.
let pickup = try store.resolve(Ids.Feature.pickup)
let screen: Decision = switch pickup.tier(as: Ids.PickupTier.self) {
case .liveLocation?: Decision(screen: "the live map")
case .typedAddress?: Decision(screen: "the address field")
case nil: Decision(screen: "browse mode")
}
let offers = Tier(name: try store.resolve(Ids.Feature.offers).tierID ?? "none")
print("5. resolve   pickup: \(pickup.tierID ?? "none") -> \(screen); offers: \(offers.name)")
print("   adnet     may initialise: \(try store.mayInitialize(Ids.ThirdParty.adnet)); may receive ads data: \(try store.mayTransfer(to: Ids.ThirdParty.adnet, for: Ids.Purpose.ads))")

// The user withdraws ads in settings: the next answer degrades at once.
try await store.withdraw(Ids.Purpose.ads, source: "swift_app_settings")
print("   withdraw  ads -> offers: \(try store.resolve(Ids.Feature.offers).tierID ?? "none"), ads/device_id: \(text(try store.decide(Ids.Purpose.ads, Ids.DataType.deviceId)))")

try await store.close()
print("   close     \(await watcher.value) states observed")
