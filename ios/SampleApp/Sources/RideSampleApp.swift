import ConsentKit
import SwiftUI

/// A ride-hailing app in one screen: the pickup feature offers the live location when the user allows it, and
/// degrades to a typed address when location is refused. The ride still books.
@main
struct RideSampleApp: App {
    @State private var model = RideConsent.openAtLaunch()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            PickupScreen(model: model)
        }
        .onChange(of: scenePhase) { _, phase in
            // Access counts wait in memory briefly; write them before the app may be suspended.
            if phase == .background, let store = model.store { Task { await store.didEnterBackground() } }
        }
    }
}
