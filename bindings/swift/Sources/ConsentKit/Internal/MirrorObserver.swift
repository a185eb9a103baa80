import Foundation
internal import ConsentKitGenerated

/// The facade's `ConsentObserver`, registered at open: the core calls it at once with the current state, then after
/// every change (on the thread that made the change). It publishes the pushed decision table to the mirror first,
/// then the state to the streams, so a consumer that receives a state already reads matching decisions.
///
/// It holds the mirror and the hub, not the facade: the core keeps its observers alive, and a reference back to the
/// facade would be a cycle.
final class MirrorObserver: ConsentKitGenerated.ConsentObserver, @unchecked Sendable {
    private let mirror: DecisionMirror
    private let hub: StateHub

    init(mirror: DecisionMirror, hub: StateHub) {
        self.mirror = mirror
        self.hub = hub
    }

    func onChange(status: ConsentKitGenerated.ConsentStatus) throws {
        mirror.publish(status.decisions)
        hub.publish(ConsentState(status))
    }

    func onRecovery(event: ConsentKitGenerated.RecoveryInfo) throws {
        // The recovery also arrives in every ConsentStatus (`recovery`), which is what the streams publish.
    }
}
