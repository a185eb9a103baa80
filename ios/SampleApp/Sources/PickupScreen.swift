import ConsentKit
import SwiftUI

/// The pickup step of booking a ride. What it shows comes from `resolve("pickup")`:
/// - `live_location`: the rider's live location (ride and live_location allowed),
/// - `typed_address`: a text field (location refused or not granted: the basic tier, the ride still books),
/// - no tier: the privacy policy is not agreed yet.
struct PickupScreen: View {
    @Bindable var model: RideConsent
    @State private var address = ""

    var body: some View {
        NavigationStack {
            Form {
                Section("Pickup") {
                    switch model.pickup?.tierID {
                    case "live_location":
                        Label(model.lastLocation ?? "Locating…", systemImage: "location.fill")
                        Button("Refresh my location") { model.locate() }
                        Button("Stop using my location", role: .destructive) {
                            Task { await model.withdrawLiveLocation() }
                        }
                    case "typed_address":
                        TextField("Pickup address", text: $address)
                            .textContentType(.fullStreetAddress)
                        if model.pickup?.canAskNow == true {
                            Button("Use my live location instead") { model.askForLiveLocation() }
                        } else {
                            Button("Turn on live location in Settings") { model.enableLiveLocationInSettings() }
                        }
                    default:
                        Text("Agree to the privacy policy to book a ride. You can still browse fares.")
                        Button("Review the privacy policy") { model.askAtAppStart() }
                    }
                }
                if let tier = model.pickup {
                    Section("Why") {
                        LabeledContent("Tier", value: tier.id ?? "none")
                        if !tier.missingPurposes.isEmpty {
                            LabeledContent("Missing consent", value: tier.missingPurposes.joined(separator: ", "))
                        }
                    }
                }
                if let filing = model.store?.filing(), let url = URL(string: filing.url) {
                    Section {
                        Link(filing.number, destination: url).font(.footnote)
                    }
                }
            }
            .navigationTitle("Book a ride")
            .sheet(item: $model.prompt) { prompt in
                ConsentPromptView(prompt: prompt) { accepted in
                    Task { await model.answer(prompt, accepted: accepted) }
                }
            }
            .alert("ConsentKit", isPresented: messageShown, presenting: model.message) { _ in
                Button("OK") { model.message = nil }
            } message: { Text($0) }
            .task {
                model.askAtAppStart()
                if model.pickup?.tierID == "live_location" { model.locate() }
            }
            .onChange(of: model.pickup?.tierID) { _, tier in
                if tier == "live_location" { model.locate() }
            }
        }
    }
}

extension PickupScreen {
    private var messageShown: Binding<Bool> {
        Binding(get: { model.message != nil }, set: { if !$0 { model.message = nil } })
    }
}

extension Prompt: @retroactive Identifiable {
    public var id: String { "\(kind.rawValue):\(purpose?.id ?? "policy")" }
}
