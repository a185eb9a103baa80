import Foundation

/// What a platform offers to ask for OS permissions: the iOS implementation is `SystemPermissionProvider` (ios/,
/// CLLocationManager, AVCaptureDevice, PHPhotoLibrary, CNContactStore, EKEventStore, ATTrackingManager); tests use
/// a fake. Ids are the platform table's (`location`, `camera`, `tracking`, ...).
public protocol PermissionProvider: AnyObject, Sendable {
    /// The permission ids this provider can read and request.
    var supported: [String] { get }
    /// The current state, without asking the user.
    func currentState(of permission: String) -> PermissionState
    /// Shows the system dialog and calls back with the state the user left it in.
    func request(_ permission: String, completion: @escaping @Sendable (PermissionState) -> Void)
    /// Opens the app's page in the Settings app.
    func openSettings()
}

/// Puts the two layers together in the order the rules require: the app shows our consent prompts itself; this
/// handles the OS steps of ``ConsentStore/nextPrompt(for:)`` — it shows the explanation while the system dialog is
/// up, requests the permission and reports the outcome — and reports every state at start and on return to the
/// foreground. Create one per ``ConsentStore``.
public final class PermissionCoordinator: Sendable {
    private let kit: ConsentStore
    private let provider: any PermissionProvider
    private let explanation: @Sendable (String?) -> Void

    /// - Parameters:
    ///   - kit: The instance to report to.
    ///   - provider: The platform (or a fake in tests).
    ///   - explanation: Shows (a text) or hides (`nil`) the explanation at the top of the screen.
    public init(kit: ConsentStore, provider: any PermissionProvider, explanation: @escaping @Sendable (String?) -> Void) {
        self.kit = kit
        self.provider = provider
        self.explanation = explanation
    }

    /// Reports the current state of every permission the provider supports: call it after opening the store and
    /// whenever the app returns to the foreground (the user may have changed them in Settings).
    public func reportAll() throws {
        for id in provider.supported {
            try kit.setPermissionState(id, provider.currentState(of: id))
        }
    }

    /// Carries out the OS step of a prompt: for ``PromptKind/osPermission`` shows the explanation, requests the
    /// permission, hides the explanation and reports the outcome (returned); for ``PromptKind/openSettings`` opens
    /// the Settings app (returns `nil`). Any other prompt is the app's own to show: returns `nil`.
    @discardableResult
    public func perform(_ prompt: Prompt) async throws -> PermissionState? {
        guard let permission = prompt.permission else { return nil }
        switch prompt.kind {
        case .osPermission:
            explanation(permission.explanation)
            let provider = self.provider
            let state = await withCheckedContinuation { (done: CheckedContinuation<PermissionState, Never>) in
                provider.request(permission.id) { done.resume(returning: $0) }
            }
            explanation(nil)
            try kit.setPermissionState(permission.id, state)
            return state
        case .openSettings:
            provider.openSettings()
            return nil
        default:
            return nil
        }
    }
}
