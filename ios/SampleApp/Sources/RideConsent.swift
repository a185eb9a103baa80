import ConsentKit
import Foundation
import Observation

/// The app's view of consent: the latest state from `ConsentKit.states`, the pickup tier, and the prompt to show.
@MainActor
@Observable
final class ConsentModel {
    /// `nil` if ConsentKit could not be opened (the UI then shows the error and the basic experience).
    let kit: ConsentKit?
    private(set) var state: ConsentState?
    private(set) var pickup: Tier?
    var prompt: Prompt?
    var message: String?
    private(set) var lastLocation: String?

    private init(kit: ConsentKit?, message: String?) {
        self.kit = kit
        self.message = message ?? kit?.currentState.recovery.flatMap(Self.recoveryMessage)
        self.state = kit?.currentState
        self.pickup = try? kit?.resolve("pickup")
    }

    /// Opens the consent database with the manifest shipped in the bundle: in its own directory under Application
    /// Support, excluded from backups (consent belongs to this device), and authenticated with a Keychain key
    /// (`…ThisDeviceOnly`), so a rewritten or rolled-back file is caught at open.
    static func openAtLaunch() -> ConsentModel {
        do {
            let support = try FileManager.default.url(
                for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true
            )
            var dir = support.appendingPathComponent("ConsentKit", isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var noBackup = URLResourceValues()
            noBackup.isExcludedFromBackup = true
            try dir.setResourceValues(noBackup)
            guard let manifestURL = Bundle.main.url(forResource: "ride_hailing", withExtension: "json") else {
                return ConsentModel(kit: nil, message: "ride_hailing.json is missing from the app bundle")
            }
            let kit = try ConsentKit.open(
                dbPath: dir.appendingPathComponent("consent.db").path,
                manifestJSON: try String(contentsOf: manifestURL, encoding: .utf8),
                deviceKey: KeychainDeviceKey(service: "dev.consentkit.sample.consent-db")
            )
            return ConsentModel(kit: kit, message: nil)
        } catch {
            return ConsentModel(kit: nil, message: error.localizedDescription)
        }
    }

    /// What to tell the user after open set the database aside (docs: ios/README.md, "Recovery reasons"). A
    /// replaced key kept the choices, so there is nothing to say.
    private static func recoveryMessage(_ recovery: RecoveryInfo) -> String? {
        switch recovery.reason {
        case .keyReplaced:
            nil
        case .corrupt, .brokenChain, .unauthenticated, .rolledBack, .schemaTooNew:
            "Your privacy choices could not be verified on this device and were reset. Please make them again."
        }
    }

    /// Follows every consent change (runs for the life of the screen).
    func follow() async {
        guard let kit else { return }
        for await state in kit.states {
            self.state = state
            pickup = state.tier(of: "pickup")
        }
    }

    /// At launch: the policy agreement (or a re-consent) if one is due.
    func askAtAppStart() {
        prompt = try? kit?.nextPrompt(for: .appStart)
    }

    /// The user opened the pickup screen's location option: ask just in time, if asking is allowed now.
    func askForLiveLocation() {
        guard let kit else { return }
        do {
            prompt = try kit.nextPrompt(for: .feature("pickup"))
            if prompt == nil, pickup?.canAskNow == false {
                message = "You declined live location recently. You can turn it on in Settings."
            }
        } catch {
            message = error.localizedDescription
        }
    }

    /// The user turns live location on from a settings screen (the refusal cooldown does not apply).
    func enableLiveLocationInSettings() {
        prompt = try? kit?.nextPrompt(for: .settings(purpose: "live_location"))
    }

    /// The user answered a prompt.
    func answer(_ prompt: Prompt, accepted: Bool) async {
        guard let kit else { return }
        self.prompt = nil
        let source = "sample_\(prompt.kind.rawValue)"
        // Under the guardian age the prompt is addressed to the guardian, who answers it.
        let actor: ConsentActor = prompt.kind == .guardianConsent ? .guardian : .user
        do {
            switch (prompt.purpose, accepted) {
            case let (purpose?, true):
                try await kit.grant(purpose.id, source: source, actor: actor)
            case let (purpose?, false):
                try await kit.refuse(purpose.id, source: source, actor: actor)
            case (nil, true):
                try await kit.agreeToPolicy(version: prompt.policyVersion, source: source, actor: actor)
            case (nil, false):
                try await kit.declinePolicy(source: source)
            }
        } catch {
            message = error.localizedDescription
        }
    }

    /// Withdraws live location (one tap, effective at once).
    func withdrawLiveLocation() async {
        do {
            try await kit?.withdraw("live_location", source: "sample_settings")
        } catch {
            message = error.localizedDescription
        }
    }

    /// Reads the location only if consent allows it, and counts the collection.
    func locate() {
        guard let kit else { return }
        do {
            switch try kit.withConsent("live_location", "location", body: { simulatedLocation() }) {
            case let .allowed(where_):
                lastLocation = where_
            case let .denied(reason, retryAfter):
                lastLocation = nil
                message = retryAfter.map { "Location is paused (\(reason)); try again in \(Int($0)) s." }
                    ?? "Location is not allowed (\(reason))."
            }
        } catch {
            message = error.localizedDescription
        }
    }
}

/// Stands in for CLLocationManager: a real app starts location updates here, inside `withConsent`, and asks iOS
/// for its own permission only once ConsentKit allows it.
private func simulatedLocation() -> String {
    "31.2304° N, 121.4737° E"
}
