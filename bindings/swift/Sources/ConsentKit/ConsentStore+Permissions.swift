import Foundation
internal import ConsentKitGenerated

/// The state of an OS permission, as the platform reports it (``ConsentStore/setPermissionState(_:_:since:)``).
public enum PermissionState: String, Sendable, Hashable, CaseIterable {
    /// Never asked: the system dialog can be shown.
    case notDetermined
    /// Granted in full.
    case granted
    /// Granted in its limited form: reduced-accuracy location, or the photos the user selected.
    case limited
    /// Denied; the system dialog may be shown again (Android only: on iOS every denial is ``deniedPermanently``).
    case denied
    /// Denied for good: only the Settings app can change it (every iOS denial, ATT included).
    case deniedPermanently
    /// The user cannot grant it (parental controls, device management).
    case restricted

    var core: ConsentKitGenerated.PermissionState {
        switch self {
        case .notDetermined: .notDetermined
        case .granted: .granted
        case .limited: .limited
        case .denied: .denied
        case .deniedPermanently: .deniedPermanently
        case .restricted: .restricted
        }
    }
}

/// The OS permission a ``Prompt`` is about, with the text to show while the system dialog is up.
public struct PermissionRequest: Sendable, Hashable {
    /// Platform-neutral id (`location`, `camera`, `photos`, `contacts`, `calendar`, `motion`, `tracking`, ...).
    public let id: String
    /// What the permission guards.
    public let description: String
    /// The explanation to show at the same time as the system dialog: why the feature needs it.
    public let explanation: String
    /// The Android manifest permissions it stands for (for reference on iOS).
    public let android: [String]
    /// The Info.plist usage-description keys the system dialog shows (the app must declare them).
    public let iosUsageKeys: [String]
    /// Reduced-accuracy location / limited photo access is enough for this purpose.
    public let limitedEnough: Bool

    init(_ p: ConsentKitGenerated.PermissionRequest) {
        self.init(
            id: p.id, description: p.description, explanation: p.explanation, android: p.android,
            iosUsageKeys: p.iosUsageKeys, limitedEnough: p.limitedEnough
        )
    }

    init(id: String, description: String, explanation: String, android: [String], iosUsageKeys: [String], limitedEnough: Bool) {
        self.id = id
        self.description = description
        self.explanation = explanation
        self.android = android
        self.iosUsageKeys = iosUsageKeys
        self.limitedEnough = limitedEnough
    }
}

/// The OS permission layer: the platform reports permission states (not consent: never in the ledger) and the app
/// asks which permission blocks a decision. ``PermissionCoordinator`` calls these for you.
extension ConsentStore {
    /// Reports the state of an OS permission. Memory only; ``decide(_:_:)`` and ``resolve(_:)`` reflect it when this
    /// returns. The first report enables the permission layer: a guarded data type whose permission was never
    /// reported is then denied.
    ///
    /// - Parameters:
    ///   - permission: A platform-table id (`location`, `camera`, `microphone`, `photos`, `contacts`, `calendar`,
    ///     `motion`, `tracking`, ...).
    ///   - state: Its state now.
    ///   - since: When the state began, if the app kept it (the cooldown after a denial runs from it).
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)`` for an id the platform table does not know.
    public func setPermissionState(_ permission: String, _ state: PermissionState, since: Date? = nil) throws {
        let sinceMs = since.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        try mapped {
            try core.setPermissionState(permission: permission, state: state.core, sinceMs: sinceMs)
            try syncMirror()
        }
    }

    /// The OS permission id that makes ``decide(_:_:)`` deny with ``DenyReason/osPermissionDenied`` or
    /// ``DenyReason/trackingNotAuthorized``; `nil` for any other answer.
    public func blockingPermission(_ purpose: String, _ dataType: String) throws -> String? {
        try mapped { try core.blockingPermission(purpose: purpose, dataType: dataType) }
    }
}
