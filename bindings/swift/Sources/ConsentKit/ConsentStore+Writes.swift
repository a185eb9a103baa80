import Foundation
internal import ConsentKitGenerated

/// Consent choices. Each one is written to the on-device ledger (durable before it returns), then the mirror is
/// updated, so `try await kit.grant(...)` followed by `kit.decide(...)` sees the new answer. They run on a private
/// serial queue, never on the caller's thread; once started they are not cancelled.
///
/// `source` says where the choice was made (a screen or prompt id, at most a few hundred bytes, no personal data):
/// it is part of the record of consent.
extension ConsentStore {
    /// The user (or, under the guardian age, the guardian) agrees to the privacy policy `version`.
    ///
    /// - Parameters:
    ///   - version: The version that was shown, which must be the manifest's (``Prompt/policyVersion``).
    ///   - source: Where the agreement was given.
    ///   - actor: Who agreed (``ConsentActor/guardian`` under the guardian age).
    /// - Throws: ``ConsentKitError/invalidArgument(detail:)`` for another version,
    ///   ``ConsentKitError/guardianRequired(age:)`` when a child agrees.
    public func agreeToPolicy(version: String, source: String, actor: ConsentActor = .user) async throws {
        try await write { try $0.agreeToPolicy(version: version, actor: actor.core, source: source) }
    }

    /// The guardian agrees to the app's children's personal-information rules `version`: a consent separate from
    /// the privacy policy, which a child's necessary purposes ride on. Call it when a ``PromptKind/guardianConsent``
    /// prompt carries ``Prompt/childrenRules``, after the guardian has seen the rules at their URL.
    ///
    /// - Parameters:
    ///   - version: The ``ChildrenRules/version`` of the prompt, which must be the manifest's.
    ///   - source: Where the agreement was given.
    ///   - actor: Who agreed. No default: only ``ConsentActor/guardian`` may agree, and the app must say so.
    /// - Throws: ``ConsentKitError/guardianRequired(age:)`` for ``ConsentActor/user``,
    ///   ``ConsentKitError/invalidArgument(detail:)`` for another version or a manifest without children's rules.
    public func agreeToChildrenRules(version: String, source: String, actor: ConsentActor) async throws {
        try await write { try $0.agreeToChildrenRules(version: version, actor: actor.core, source: source) }
    }

    /// The user declines the privacy policy: the app runs in browse mode and does not ask again during the
    /// rule pack's cooldown (48 hours in `cn-2021`).
    public func declinePolicy(source: String) async throws {
        try await write { try $0.declinePolicy(source: source) }
    }

    /// Grants one purpose.
    ///
    /// - Throws: ``ConsentKitError/unknownId(kind:id:)``, ``ConsentKitError/guardianRequired(age:)``.
    public func grant(_ purpose: some PurposeID, source: String, actor: ConsentActor = .user) async throws {
        let purpose = purpose.manifestID
        try await write { try $0.grant(purpose: purpose, actor: actor.core, source: source) }
    }

    /// Grants several purposes from one "agree to all" choice (e.g. a "turn all on" switch).
    ///
    /// - Throws: ``ConsentKitError/separateConsentRequired(purposes:)`` if any of them needs separate consent —
    ///   even a list of one: a separate consent is asked and granted on its own, with ``grant(_:source:actor:)``.
    ///   For a child under 14 every purpose is a separate consent, so it always throws. Nothing is granted then.
    public func grantAll(_ purposes: [some PurposeID], source: String, actor: ConsentActor = .user) async throws {
        let purposes = purposes.map(\.manifestID)
        try await write { try $0.grantAll(purposes: purposes, actor: actor.core, source: source) }
    }

    /// The user refused a prompt for `purpose`: it is not proposed again during the cooldown (48 hours in
    /// `cn-2021`); a settings screen may still grant it.
    public func refuse(_ purpose: some PurposeID, source: String, actor: ConsentActor = .user) async throws {
        let purpose = purpose.manifestID
        try await write { try $0.refuse(purpose: purpose, actor: actor.core, source: source) }
    }

    /// Withdraws consent for `purpose`, effective when this returns.
    public func withdraw(_ purpose: some PurposeID, source: String, actor: ConsentActor = .user) async throws {
        let purpose = purpose.manifestID
        try await write { try $0.withdraw(purpose: purpose, actor: actor.core, source: source) }
    }

    /// Sets the user's age bracket. Under 14, only a guardian's consent counts, and only the guardian may move a
    /// child out of ``AgeBracket/under14``; ``eraseAll(source:actor:)`` keeps that bracket.
    ///
    /// - Throws: ``ConsentKitError/guardianRequired(age:)`` when a child under 14 would leave that bracket and
    ///   `actor` is not ``ConsentActor/guardian``.
    public func setAgeBracket(_ bracket: AgeBracket, source: String, actor: ConsentActor = .user) async throws {
        try await write { try $0.setAgeBracket(bracket: bracket.core, actor: actor.core, source: source) }
    }

    /// Erases consent state and the access log at the user's request. The ledger keeps the record of what was
    /// consented and of the erasure. A child stays a child: the ``AgeBracket/under14`` bracket is kept (only the
    /// guardian moves a child out of it, with ``setAgeBracket(_:source:actor:)``).
    public func eraseAll(source: String, actor: ConsentActor = .user) async throws {
        try await write { try $0.eraseAll(actor: actor.core, source: source) }
    }

    /// Picks up consent changes written by another process on the same database (e.g. an app extension).
    public func refresh() async throws {
        try await write { try $0.refresh() }
    }

    /// Runs `change` on the write queue, then brings the mirror up to date, then resumes the caller.
    func write(_ change: @escaping @Sendable (ConsentKitGenerated.ConsentKit) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writes.async { [self] in
                continuation.resume(with: Result {
                    try mapped {
                        try change(core)
                        try syncMirror()
                    }
                })
            }
        }
    }
}
