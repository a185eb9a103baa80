#if canImport(Security) && canImport(CryptoKit)
import CryptoKit
import Foundation
import Security

/// The iOS ``DeviceKeyStore``: it exists so the consent database is authenticated with a key that neither the file
/// nor a backup contains (docs/adr/0007-keyed-integrity.md), which lets ConsentKit refuse a rewritten or
/// rolled-back database at open.
///
/// - The key is 32 random bytes (`SecRandomCopyBytes`) kept as a generic-password Keychain item with
///   `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`: never synced to iCloud Keychain, never in an encrypted
///   backup restored onto another device. There, the database opens with ``RecoveryReason/keyReplaced`` (verified
///   in full, state kept, re-keyed).
/// - ``mac(_:)`` is CryptoKit's `HMAC<SHA256>` under that key.
/// - The latest chain head is a second Keychain item of the same service and accessibility, so a backup restore
///   cannot bring an older head back together with an older database.
///
/// `AfterFirstUnlock` lets ConsentKit open in the background after the first unlock since boot (a background fetch,
/// a notification extension); before that the Keychain refuses, and open throws ``ConsentKitError/storage(detail:)``.
/// Use one `service` per database file. Not compiled where Security or CryptoKit is missing (the Linux host tests).
public final class KeychainDeviceKey: DeviceKeyStore, @unchecked Sendable {
    /// The Keychain service of both items (the key and the head); one per database.
    public let service: String
    /// The Keychain access group, for a database shared with an app extension; `nil` uses the app's default.
    public let accessGroup: String?
    private let lock = NSLock()
    private var cachedKey: SymmetricKey?

    private static let keyAccount = "device-key"
    private static let headAccount = "chain-head"

    /// A Keychain-backed key store for the database identified by `service` (e.g. `"dev.consentkit.consent-db"`).
    public init(service: String = "dev.consentkit.device-key", accessGroup: String? = nil) {
        self.service = service
        self.accessGroup = accessGroup
    }

    /// Creates the key if the Keychain has none; returns whether it existed.
    public func ensureKey() throws -> Bool {
        try lock.locked {
            if let data = try read(Self.keyAccount) {
                cachedKey = SymmetricKey(data: data)
                return true
            }
            var bytes = [UInt8](repeating: 0, count: 32)
            let status = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)
            guard status == errSecSuccess else { throw KeychainError(operation: "SecRandomCopyBytes", status: status) }
            let data = Data(bytes)
            try write(Self.keyAccount, data)
            cachedKey = SymmetricKey(data: data)
            return false
        }
    }

    /// HMAC-SHA256 of `data` under the key.
    public func mac(_ data: Data) throws -> Data {
        let key: SymmetricKey = try lock.locked {
            if let cachedKey { return cachedKey }
            guard let stored = try read(Self.keyAccount) else {
                throw KeychainError(operation: "mac: no key (ensureKey was not called, or the item was deleted)", status: errSecItemNotFound)
            }
            let key = SymmetricKey(data: stored)
            cachedKey = key
            return key
        }
        return Data(HMAC<SHA256>.authenticationCode(for: data, using: key))
    }

    /// The head stored by ``storeHead(_:)``, if any.
    public func loadHead() throws -> String? {
        try lock.locked { try read(Self.headAccount).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Replaces the stored head.
    public func storeHead(_ head: String) throws {
        try lock.locked { try write(Self.headAccount, Data(head.utf8)) }
    }

    // MARK: Keychain

    private func query(_ account: String) -> [String: Any] {
        var q: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
        if let accessGroup { q[kSecAttrAccessGroup as String] = accessGroup }
        return q
    }

    private func read(_ account: String) throws -> Data? {
        var q = query(account)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &result)
        switch status {
        case errSecSuccess: return result as? Data
        case errSecItemNotFound: return nil
        default: throw KeychainError(operation: "SecItemCopyMatching(\(account))", status: status)
        }
    }

    private func write(_ account: String, _ data: Data) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(query(account) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let add = query(account).merging(attributes) { _, new in new }
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw KeychainError(operation: "write(\(account))", status: status) }
    }
}

/// A Keychain call failed; the open or write that needed it fails with ``ConsentKitError/storage(detail:)``.
public struct KeychainError: Error, CustomStringConvertible, Sendable {
    /// The call that failed.
    public let operation: String
    /// Its `OSStatus`.
    public let status: OSStatus

    /// "operation: OSStatus n (message)".
    public var description: String {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "unknown"
        return "\(operation): OSStatus \(status) (\(message))"
    }
}
#endif
