import ConsentKit
import SwiftUI

/// Renders a `Prompt` with the texts the rules require: what is collected, why, for whom, where it is stored, and
/// why the purpose is asked on its own (separate consent).
struct ConsentPromptView: View {
    let prompt: Prompt
    let answer: (Bool) -> Void
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            List {
                if let purpose = prompt.purpose {
                    PurposeSection(purpose: purpose)
                } else {
                    Section {
                        Text("Please read and agree to our privacy policy (version \(prompt.policyVersion)).")
                        if let url = URL(string: prompt.policyURL) { Link("Read the privacy policy", destination: url) }
                    }
                    ForEach(prompt.covers, id: \.id) { PurposeSection(purpose: $0) }
                }
            }
            .navigationTitle(title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Not now") { answer(false); dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Agree") { answer(true); dismiss() }
                }
            }
        }
        .interactiveDismissDisabled()
    }

    private var title: String {
        switch prompt.kind {
        case .policyAgreement: "Privacy policy"
        case .justInTime: "Allow \(prompt.purpose?.id ?? "")?"
        case .reConsent: "Things have changed"
        case .guardianConsent: "A parent or guardian must agree"
        // OS steps are carried out by PermissionCoordinator, not shown here; titles kept for completeness.
        case .osPermission: prompt.permission?.explanation ?? "Permission needed"
        case .openSettings: "Turn on \(prompt.permission?.id ?? "the permission") in Settings"
        }
    }
}

private struct PurposeSection: View {
    let purpose: PurposeText

    var body: some View {
        Section(purpose.description) {
            ForEach(purpose.dataTypes, id: \.id) { dataType in
                Label(dataType.description, systemImage: dataType.sensitive ? "exclamationmark.shield" : "doc")
            }
            ForEach(purpose.recipients, id: \.id) { recipient in
                LabeledContent("Shared with", value: "\(recipient.name) (\(recipient.region))")
            }
            LabeledContent("Stored in", value: purpose.storageRegion + (purpose.crossBorder ? " (outside your region)" : ""))
            if let days = purpose.retentionDays { LabeledContent("Kept for", value: "\(days) days") }
            if !purpose.separateConsent.isEmpty {
                Text("Asked separately because: " + purpose.separateConsent.map(\.rawValue).joined(separator: ", "))
                    .font(.footnote)
                    .foregroundStyle(.secondary)
            }
        }
    }
}
