import Foundation
internal import ConsentKitGenerated

/// Questions that are not on the hot path; these call into the core.
extension ConsentStore {
    /// The whole consent state, fetched from the core now. ``currentState`` gives the latest published one
    /// without a call, and ``states`` every change.
    ///
    /// Synchronous on purpose: the core answers from its in-memory snapshot (no I/O, no wait for a write in
    /// progress), so it is safe on the main actor.
    public func status() throws -> ConsentState {
        let status = try mapped { try core.status() }
        mirror.publish(status.decisions)
        let state = ConsentState(status)
        hub.publish(state)
        return state
    }

    /// What to ask the user next for `trigger`, or `nil` when nothing should be asked now (already answered, or a
    /// refusal's cooldown is running).
    ///
    /// Synchronous on purpose: the core plans the prompt from its in-memory snapshot (no I/O, no wait for a write
    /// in progress), so a button's action can call it on the main actor.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)`` for an unknown feature or purpose.
    public func nextPrompt(for trigger: PromptTrigger = .appStart) throws -> Prompt? {
        try mapped { try core.nextPrompt(trigger: trigger.core) }.map(Prompt.init)
    }

    /// The app's filing number and where users check it, if the manifest has one (China).
    public func filing() throws -> Filing? {
        try mapped { try core.filing() }.map(Filing.init)
    }

    /// May data be given to the third party `thirdParty` now, for `purpose` (the purpose names it as a recipient
    /// and is allowed)? Transfers are per purpose: a recipient serving a granted and a refused purpose gets data
    /// only for the granted one, so ask with the purpose the data is shared for.
    ///
    /// ``mayTransfer(to:for:)`` and ``mayInitialize(_:)`` are the pair of questions about a third party: both take
    /// its id (or its generated ``ThirdPartyID``) first, and both answer from the core's in-memory snapshot.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)`` for an unknown third party or purpose.
    public func mayTransfer(to thirdParty: some ThirdPartyID, for purpose: some PurposeID) throws -> Bool {
        try mapped { try core.mayTransfer(recipient: thirdParty.manifestID, purpose: purpose.manifestID) }
    }

    /// May the third party `thirdParty`'s SDK be initialised now (policy agreed, and every purpose it serves or
    /// requires allowed)? Initialise ad and analytics SDKs only when this says yes.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)`` for an unknown third party.
    public func mayInitialize(_ thirdParty: some ThirdPartyID) throws -> Bool {
        try mapped { try core.mayInitialize(thirdParty: thirdParty.manifestID) }
    }

    /// Moves the manual clock forward (tests and demos; instances opened with
    /// ``OpenOptions/manualClockStart`` only). Answers that depend on time, such as ``Tier/canAskNow`` after a
    /// refusal's cooldown, are refreshed before it returns.
    ///
    /// - Throws: ``ConsentKitError/clockNotManual`` on the system clock,
    ///   ``ConsentKitError/invalidArgument(detail:)`` for a negative interval.
    public func advanceClock(by interval: TimeInterval) throws {
        let ms = Int64((interval * 1000).rounded())
        try mapped { try core.advanceClock(ms: ms) }
        clock.advance(ms: ms)
        refreshAfterCooldown()
    }

    /// The time the store's rules are measured against (cooldowns, frequency windows, ledger timestamps): on a
    /// manual clock (``OpenOptions/manualClockStart``) its start plus every ``advanceClock(by:)``, so a test or a
    /// demo can show and check it; otherwise the device's time as the core reads it. From memory, no I/O.
    ///
    /// - Throws: ``ConsentKitError/closed`` after ``close()``.
    public func now() throws -> Date {
        Date(timeIntervalSince1970: TimeInterval(try mapped { try core.nowMs() }) / 1000)
    }

    /// Lints a manifest without opening anything: every diagnostic, errors and warnings.
    ///
    /// - Throws: ``ConsentKitError/invalidManifest(detail:path:diagnostics:)`` when it is not valid JSON or v1.
    public static func lint(manifestJSON: String) throws -> [ManifestDiagnostic] {
        try mapped { try lintManifest(manifestJson: manifestJSON) }.map(ManifestDiagnostic.init)
    }

    /// The version of the Rust core.
    public static var coreVersion: String {
        ConsentKitGenerated.coreVersion()
    }
}
