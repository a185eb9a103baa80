import Foundation
internal import ConsentKitGenerated

// The IAB TCF / GPP in-app keys and Google Consent Mode of the current consent state (docs/frameworks.md). The core
// computes every value, including the exact IABTCF_* / IABGPP_* keys; this file converts and stores them.

/// Which privacy regime the app says applies; ConsentKit never looks it up on the network.
public enum FrameworkJurisdiction: Sendable, Equatable {
    /// GDPR: `IABTCF_gdprApplies` = 1, TC string written, GPP section 2 in force (the manifest default).
    case eu
    /// US state laws: `IABTCF_gdprApplies` = 0, GPP section 7 (usnat) in force.
    case us
    /// Neither: `IABTCF_gdprApplies` = 0, no GPP section in force.
    case other
}

/// One `IABTCF_*` / `IABGPP_*` key and its value (the specs store numbers as integers, the rest as strings).
public struct FrameworkPreference: Sendable, Equatable {
    /// A stored value.
    public enum Value: Sendable, Equatable {
        /// An `NSNumber` integer.
        case int(Int)
        /// An `NSString`.
        case text(String)
    }
    /// The key.
    public let key: String
    /// The value.
    public let value: Value
}

/// The TC string, GPP string, Consent Mode map and in-app keys of one consent state.
public struct FrameworkSignals: Sendable, Equatable {
    /// The regime used.
    public let jurisdiction: FrameworkJurisdiction
    /// GDPR applies.
    public let gdprApplies: Bool
    /// The IAB TCF v2.2 TC string (when the manifest maps TCF and GDPR applies).
    public let tcString: String?
    /// The IAB GPP string (when the manifest lists GPP sections).
    public let gppString: String?
    /// GPP section ids in force.
    public let gppApplicableSections: [Int]
    /// Google Consent Mode v2: `analytics_storage`, `ad_storage`, `ad_user_data`, `ad_personalization` → granted.
    public let consentMode: [String: Bool]
    /// Every key to write, in the specs' order; any other `IABTCF_` / `IABGPP_` key is stale.
    public let preferences: [FrameworkPreference]
}

extension FrameworkJurisdiction {
    var core: ConsentKitGenerated.FrameworkJurisdiction {
        switch self {
        case .eu: return .eu
        case .us: return .us
        case .other: return .other
        }
    }

    init(_ core: ConsentKitGenerated.FrameworkJurisdiction) {
        switch core {
        case .eu: self = .eu
        case .us: self = .us
        case .other: self = .other
        }
    }
}

extension FrameworkSignals {
    init(_ s: ConsentKitGenerated.FrameworkSignals) {
        self.init(
            jurisdiction: FrameworkJurisdiction(s.jurisdiction),
            gdprApplies: s.gdprApplies,
            tcString: s.tcString,
            gppString: s.gppString,
            gppApplicableSections: s.gppApplicableSections.map(Int.init),
            consentMode: s.consentMode,
            preferences: s.preferences.map { p in
                FrameworkPreference(key: p.key, value: p.intValue.map { .int(Int($0)) } ?? .text(p.textValue ?? ""))
            }
        )
    }

    /// Consent Mode as Firebase's `Analytics.setConsent` spells it: signal → `"granted"` / `"denied"`.
    public var firebaseConsent: [String: String] {
        consentMode.mapValues { $0 ? "granted" : "denied" }
    }
}

extension ConsentStore {
    /// The signals for the current state, under `jurisdiction` (nil: the manifest's `frameworks.jurisdiction`,
    /// default EU). Cheap (no I/O); ``IabPreferencesWriter`` calls it on every change.
    public func frameworkSignals(jurisdiction: FrameworkJurisdiction? = nil) throws -> FrameworkSignals {
        FrameworkSignals(try mapped { try core.frameworkSignals(jurisdiction: jurisdiction?.core) })
    }
}

/// Where the IAB keys go: `UserDefaults.standard` on iOS (where the TCF and GPP specs say SDKs read them), a fake
/// in tests. The method names are `UserDefaults`' own, so it conforms as is.
public protocol IabPreferenceStore: AnyObject {
    /// Every stored key and value.
    func dictionaryRepresentation() -> [String: Any]
    /// Stores an integer.
    func set(_ value: Int, forKey defaultName: String)
    /// Stores any property-list value (here: strings).
    func set(_ value: Any?, forKey defaultName: String)
    /// Removes a key.
    func removeObject(forKey defaultName: String)
}

extension UserDefaults: IabPreferenceStore {}

/// A dictionary-backed ``IabPreferenceStore`` for tests and for apps that forward the keys themselves.
public final class InMemoryIabPreferenceStore: IabPreferenceStore, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Any] = [:]

    /// An empty store.
    public init() {}

    /// The value of `key` (an `Int` or a `String`), or nil.
    public subscript(key: String) -> Any? {
        lock.lock(); defer { lock.unlock() }
        return values[key]
    }

    public func dictionaryRepresentation() -> [String: Any] {
        lock.lock(); defer { lock.unlock() }
        return values
    }

    public func set(_ value: Int, forKey defaultName: String) {
        lock.lock(); defer { lock.unlock() }
        values[defaultName] = value
    }

    public func set(_ value: Any?, forKey defaultName: String) {
        lock.lock(); defer { lock.unlock() }
        values[defaultName] = value
    }

    public func removeObject(forKey defaultName: String) {
        lock.lock(); defer { lock.unlock() }
        values.removeValue(forKey: defaultName)
    }
}

/// Writes the IAB in-app keys — `IABTCF_*` (TCF CMP API v2) and `IABGPP_*` (GPP CMP API) — to a store, exactly as
/// the core lists them. The keys are present only while the user's agreement to the current privacy policy holds:
/// before it, after ``ConsentStore/eraseAll(source:actor:)``, or while a new policy version awaits agreement, every
/// `IABTCF_` / `IABGPP_` key is removed. Keys under those prefixes that the state does not list are removed too.
///
/// ```swift
/// let writer = IabPreferencesWriter(kit: kit, store: UserDefaults.standard)
/// let task = writer.start()     // writes now and after every change
/// ```
public final class IabPreferencesWriter: @unchecked Sendable {
    private let kit: ConsentStore
    private let store: IabPreferenceStore
    private let jurisdiction: FrameworkJurisdiction?
    private let lock = NSLock()
    private static let prefixes = ["IABTCF_", "IABGPP_"]

    /// A writer for `kit` into `store`, under `jurisdiction` (nil: the manifest's, default EU).
    public init(kit: ConsentStore, store: IabPreferenceStore, jurisdiction: FrameworkJurisdiction? = nil) {
        self.kit = kit
        self.store = store
        self.jurisdiction = jurisdiction
    }

    /// Writes the keys of the current state (or removes them all when the policy agreement does not hold).
    @discardableResult
    public func sync() throws -> FrameworkSignals {
        let signals = try kit.frameworkSignals(jurisdiction: jurisdiction)
        write(kit.currentState.policyAgreed ? signals.preferences : [])
        return signals
    }

    /// Removes every `IABTCF_` / `IABGPP_` key.
    public func clear() {
        write([])
    }

    /// Writes now, then after every consent change, until the task is cancelled or the kit closes.
    public func start() -> Task<Void, Never> {
        Task { [self] in
            for await _ in kit.states {
                _ = try? sync()
            }
        }
    }

    private func write(_ preferences: [FrameworkPreference]) {
        lock.lock(); defer { lock.unlock() }
        var keep = Set<String>()
        for p in preferences {
            keep.insert(p.key)
            switch p.value {
            case .int(let i): store.set(i, forKey: p.key)
            case .text(let t): store.set(t, forKey: p.key)
            }
        }
        for key in store.dictionaryRepresentation().keys where !keep.contains(key) {
            if Self.prefixes.contains(where: { key.hasPrefix($0) }) { store.removeObject(forKey: key) }
        }
    }
}
