import ConsentKit
import Foundation
import Observation

/// The app's view of consent: the library's `ConsentModel` (the latest state, followed for us), the pickup tier, and
/// the prompt to show.
@MainActor
@Observable
final class RideConsent {
    /// `nil` if ConsentKit could not be opened (the UI then shows the error and the basic experience).
    let store: ConsentStore?
    /// Follows `store.states` on the main actor; views that read through it update after every change.
    let consent: ConsentModel?
    var prompt: Prompt?
    var message: String?
    private(set) var lastLocation: String?

    var state: ConsentState? { consent?.state }
    var pickup: Tier? { consent?.tier(of: "pickup") }

    private init(store: ConsentStore?, message: String?) {
        self.store = store
        self.consent = store.map { ConsentModel(store: $0) }
        self.message = message ?? store?.currentState.recovery.flatMap(Self.recoveryMessage)
    }

    /// Opens the consent database with the manifest shipped in the bundle: in its own directory under Application
    /// Support, excluded from backups (consent belongs to this device), and authenticated with a Keychain key
    /// (`…ThisDeviceOnly`), so a rewritten or rolled-back file is caught at open.
    static func openAtLaunch() -> RideConsent {
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
                return RideConsent(store: nil, message: "ride_hailing.json is missing from the app bundle")
            }
            let store = try ConsentStore.open(
                dbPath: dir.appendingPathComponent("consent.db").path,
                manifestJSON: try String(contentsOf: manifestURL, encoding: .utf8),
                deviceKey: KeychainDeviceKey(service: "dev.consentstore.sample.consent-db")
            )
            return RideConsent(store: store, message: nil)
        } catch {
            return RideConsent(store: nil, message: error.localizedDescription)
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

    /// At launch: the policy agreement (or a re-consent) if one is due.
    func askAtAppStart() {
        prompt = try? store?.nextPrompt(for: .appStart)
    }

    /// The user opened the pickup screen's location option: ask just in time, if asking is allowed now.
    func askForLiveLocation() {
        guard let store else { return }
        do {
            prompt = try store.nextPrompt(for: .feature("pickup"))
            if prompt == nil, pickup?.canAskNow == false {
                message = "You declined live location recently. You can turn it on in Settings."
            }
        } catch {
            message = error.localizedDescription
        }
    }

    /// The user turns live location on from a settings screen (the refusal cooldown does not apply).
    func enableLiveLocationInSettings() {
        prompt = try? store?.nextPrompt(for: .settings(purpose: "live_location"))
    }

    /// The user answered a prompt.
    func answer(_ prompt: Prompt, accepted: Bool) async {
        guard let store else { return }
        self.prompt = nil
        let source = "sample_\(prompt.kind.rawValue)"
        // Under the guardian age the prompt is addressed to the guardian, who answers it.
        let actor: ConsentActor = prompt.kind == .guardianConsent ? .guardian : .user
        do {
            switch (prompt.purpose, accepted) {
            case let (purpose?, true):
                try await store.grant(purpose.id, source: source, actor: actor)
            case let (purpose?, false):
                try await store.refuse(purpose.id, source: source, actor: actor)
            case (nil, true):
                try await store.agreeToPolicy(version: prompt.policyVersion, source: source, actor: actor)
            case (nil, false):
                try await store.declinePolicy(source: source)
            }
        } catch {
            message = error.localizedDescription
        }
    }

    /// Withdraws live location (one tap, effective at once).
    func withdrawLiveLocation() async {
        do {
            try await store?.withdraw("live_location", source: "sample_settings")
        } catch {
            message = error.localizedDescription
        }
    }

    /// Reads the location only if consent allows it, and counts the collection.
    func locate() {
        guard let store else { return }
        do {
            switch try store.withConsent("live_location", "location", body: { simulatedLocation() }) {
            case let .allowed(where_):
                lastLocation = where_
            case let .denied(reason, retryAfter):
                lastLocation = nil
                message = retryAfter.map { "Location is paused (\(reason)); try again in \($0.components.seconds) s." }
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
