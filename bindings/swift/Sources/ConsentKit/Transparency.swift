import Foundation
internal import ConsentKitGenerated

/// What the app must show users about its data use: the collection list and the third-party sharing list, with the
/// real counts of the on-device access log, as ``ConsentStore/transparencyLists()`` returns them. It exists so an
/// app can build its "what we collect" screen from the same facts the core enforces, without parsing JSON.
public struct TransparencyLists: Sendable, Hashable, Decodable {
    /// One row per (purpose, data type), in manifest order.
    public let collection: [CollectionRow]
    /// One row per third party the manifest declares.
    public let sharing: [SharingRow]
}

/// One row of the personal-information collection list: what is collected, why, and how often it really was.
public struct CollectionRow: Sendable, Hashable, Decodable {
    /// Purpose id.
    public let purpose: String
    /// Why the data is collected (the manifest's purpose description).
    public let description: String
    /// The lawful basis: `necessary` or `consent`.
    public let basis: String
    /// Data type id.
    public let dataType: String
    /// What the data type is, in words users understand.
    public let dataTypeDescription: String
    /// The data type is sensitive personal information.
    public let sensitive: Bool
    /// How long the data is kept, in days, if the manifest says.
    public let retentionDays: Int?
    /// Where the data is stored.
    public let storageRegion: String
    /// The data is stored outside the app's home region.
    public let crossBorder: Bool
    /// Why the purpose needs its own consent (empty: the policy agreement or a plain opt-in covers it).
    public let separateConsent: [SeparateConsentReason]
    /// Collections counted in the access log (pending counts are written first).
    public let count: UInt64
    /// The last counted collection, or `nil` when none was counted.
    public let lastCollected: Date?

    private enum CodingKeys: String, CodingKey {
        case purpose, description, basis, dataType, dataTypeDescription, sensitive, retentionDays, storageRegion
        case crossBorder, separateConsent, count, lastCollectedMs
    }

    /// Decodes the core's row (snake_case keys, times in UTC ms).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        purpose = try c.decode(String.self, forKey: .purpose)
        description = try c.decode(String.self, forKey: .description)
        basis = try c.decode(String.self, forKey: .basis)
        dataType = try c.decode(String.self, forKey: .dataType)
        dataTypeDescription = try c.decode(String.self, forKey: .dataTypeDescription)
        sensitive = try c.decode(Bool.self, forKey: .sensitive)
        retentionDays = try c.decodeIfPresent(Int.self, forKey: .retentionDays)
        storageRegion = try c.decode(String.self, forKey: .storageRegion)
        crossBorder = try c.decode(Bool.self, forKey: .crossBorder)
        separateConsent = try c.decode([SeparateConsentReason].self, forKey: .separateConsent)
        count = try c.decodeIfPresent(UInt64.self, forKey: .count) ?? 0
        lastCollected = try c.decodeIfPresent(Int64.self, forKey: .lastCollectedMs).map(dateFromMs)
    }
}

/// One row of the third-party sharing list: who receives data, what, for which purposes, and how often.
public struct SharingRow: Sendable, Hashable, Decodable {
    /// Third-party id.
    public let recipient: String
    /// Its name.
    public let name: String
    /// The purposes it receives data for.
    public let purposes: [String]
    /// The data types it receives.
    public let dataTypes: [String]
    /// Where it processes the data.
    public let region: String
    /// Its privacy contact, if the manifest gives one.
    public let contact: String?
    /// Transfers counted in the access log.
    public let count: UInt64

    private enum CodingKeys: String, CodingKey {
        case recipient, name, purposes, dataTypes, region, contact, count
    }

    /// Decodes the core's row (snake_case keys).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recipient = try c.decode(String.self, forKey: .recipient)
        name = try c.decode(String.self, forKey: .name)
        purposes = try c.decode([String].self, forKey: .purposes)
        dataTypes = try c.decode([String].self, forKey: .dataTypes)
        region = try c.decode(String.self, forKey: .region)
        contact = try c.decodeIfPresent(String.self, forKey: .contact)
        count = try c.decodeIfPresent(UInt64.self, forKey: .count) ?? 0
    }
}

/// The kind of consent a ``Receipt`` records.
public enum ReceiptEvent: String, Sendable, Hashable, CaseIterable, Decodable {
    /// The privacy policy was agreed to (covers the necessary purposes that need no consent of their own).
    case policyAgreed = "policy_agreed"
    /// A purpose was granted.
    case granted
}

/// What later happened to the consent a ``Receipt`` records.
public enum ReceiptState: String, Sendable, Hashable, CaseIterable, Decodable {
    /// Still in force.
    case given
    /// Withdrawn later.
    case withdrawn
    /// Refused later.
    case refused
    /// Given again later (a newer receipt exists).
    case superseded
    /// The policy was declined later.
    case declined
    /// Erased at the user's request.
    case erased
    /// No longer valid: the policy version or the purpose's definition changed since.
    case lapsed
}

/// One consent receipt (after ISO/IEC TS 27560): the record of one consent given, as ``ConsentStore/receipts()``
/// returns it. It exists so the app can show users "what you agreed to, when" (PIPL's right of access) from the
/// ledger.
public struct Receipt: Sendable, Hashable, Decodable {
    /// Stable id (`urn:uuid:…`, derived from the ledger row's hash).
    public let id: String
    /// What was consented to.
    public let event: ReceiptEvent
    /// When.
    public let timestamp: Date
    /// How consent was obtained: `policy_agreement`, `explicit_opt_in` or `separate_consent`.
    public let method: String
    /// The screen or prompt that recorded it (the `source` of the write).
    public let source: String
    /// Who consented.
    public let actor: ConsentActor
    /// The consent state now.
    public let state: ReceiptState
    /// The privacy policy version in force when consent was given.
    public let policyVersion: String
    /// The purposes it covers (one for a grant; those covered by the agreement for a policy agreement).
    public let purposes: [String]
    /// Per purpose in ``purposes``, the definition hash the user saw (absent for purposes the agreement covers).
    public let definitionHashes: [String: String]
    /// The ledger row it was made from.
    public let ledgerSeq: Int64

    private enum CodingKeys: String, CodingKey {
        case receiptId, event, timestampMs, method, source, actor, state, notice, purposes, ledger
    }

    private struct Notice: Decodable { let version: String }
    private struct Purpose: Decodable {
        let id: String
        let definitionHash: String?
    }
    private struct Ledger: Decodable { let seq: Int64 }

    /// Decodes the core's receipt (snake_case keys, times in UTC ms).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .receiptId)
        event = try c.decode(ReceiptEvent.self, forKey: .event)
        timestamp = dateFromMs(try c.decode(Int64.self, forKey: .timestampMs))
        method = try c.decode(String.self, forKey: .method)
        source = try c.decode(String.self, forKey: .source)
        actor = try c.decode(ConsentActor.self, forKey: .actor)
        state = try c.decode(ReceiptState.self, forKey: .state)
        policyVersion = try c.decode(Notice.self, forKey: .notice).version
        let purposes = try c.decode([Purpose].self, forKey: .purposes)
        self.purposes = purposes.map(\.id)
        definitionHashes = Dictionary(
            purposes.compactMap { p in p.definitionHash.map { (p.id, $0) } },
            uniquingKeysWith: { first, _ in first }
        )
        ledgerSeq = try c.decode(Ledger.self, forKey: .ledger).seq
    }
}

extension ConsentActor: Decodable {}
extension SeparateConsentReason: Decodable {
    /// Decodes the core's snake_case reason.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let reason = SeparateConsentReason.allCases.first(where: { snakeCaseName($0.rawValue) == raw }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown reason \(raw)"))
        }
        self = reason
    }
}

private func snakeCaseName(_ camel: String) -> String {
    camel.unicodeScalars.reduce(into: "") { out, c in
        if CharacterSet.uppercaseLetters.contains(c) { out += "_" + String(c).lowercased() } else { out.unicodeScalars.append(c) }
    }
}

private func dateFromMs(_ ms: Int64) -> Date {
    Date(timeIntervalSince1970: TimeInterval(ms) / 1000)
}

/// The transparency screen, the receipts and the full export (all off the caller's thread).
extension ConsentStore {
    /// The collection list and the third-party sharing list with the real counts of the access log, for the app's
    /// "what we collect and share" screen (PIPL Art. 17; China's collection-list and sharing-list rules). It exists
    /// so the screen shows the same facts the core enforces. Pending access counts are sent and written first, so
    /// the counts include every collection allowed before the call.
    ///
    /// - Throws: ``ConsentKitError/storage(detail:)`` when the access log cannot be read,
    ///   ``ConsentKitError/closed`` after ``close()``.
    public func transparencyLists() async throws -> TransparencyLists {
        try decodeCore(TransparencyLists.self, from: try await transparencyListsJSON())
    }

    /// The same lists as the core's JSON document (also the app, policy, filing and rule pack), the one
    /// `consentkit lists --format json` prints: for apps that render it on the web or send it on as is.
    public func transparencyListsJSON() async throws -> String {
        try checkOpen()
        return try await batcher.sendNow { [core] in try mapped { try core.transparencyListsJson() } }
    }

    /// The consent receipts, one per consent given (policy agreements and grants, oldest first), each with what
    /// became of it since. It exists so the app can show the user what they agreed to and when, with the ledger
    /// row it was made from.
    ///
    /// - Throws: ``ConsentKitError/storage(detail:)``, ``ConsentKitError/closed``.
    public func receipts() async throws -> [Receipt] {
        try decodeCore(ReceiptsDocument.self, from: try await receiptsJSON()).receipts
    }

    /// The receipts as the core's JSON document (ISO/IEC TS 27560 fields, the ledger's verification and, per
    /// purpose, what the user was shown): for handing to the user or a regulator as a file.
    public func receiptsJSON() async throws -> String {
        try checkOpen()
        return try await batcher.sendNow { [core] in try mapped { try core.receiptsJson() } }
    }

    /// Everything ConsentKit holds about the user as one JSON document: the current state, every ledger event, the
    /// receipts and the lists with counts. It exists for the user's right of access and copy (PIPL Art. 45):
    /// offer it as a download. Pending access counts are written first.
    ///
    /// - Throws: ``ConsentKitError/storage(detail:)``, ``ConsentKitError/closed``.
    public func exportAllJSON() async throws -> String {
        try checkOpen()
        return try await batcher.sendNow { [core] in try mapped { try core.exportAllJson() } }
    }
}

/// The receipts document's part the facade reads.
private struct ReceiptsDocument: Decodable {
    let receipts: [Receipt]
}

/// Decodes a document of the core; a failure is the core's or this layer's bug, reported as unexpected.
private func decodeCore<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do {
        return try decoder.decode(type, from: Data(json.utf8))
    } catch {
        throw ConsentKitError.unexpected(detail: "cannot read the core's \(T.self) JSON: \(error)")
    }
}
