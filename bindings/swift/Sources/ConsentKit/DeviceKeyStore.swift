import Foundation
internal import ConsentKitGenerated

/// The platform key store that authenticates the consent database, passed to
/// ``ConsentStore/open(dbPath:manifestJSON:options:deviceKey:)``.
///
/// It exists so the key that shows "this file was written here, in this order, and not rolled back" lives outside
/// the file: anyone who can write the database can recompute its hashes, but cannot MAC them without this key
/// (docs/adr/0007-keyed-integrity.md). On iOS use ``KeychainDeviceKey``.
///
/// Without one, ConsentKit keeps a key file and a head file next to the database (or in
/// ``OpenOptions/integrityDir``): that stops accidents and naive edits, not an attacker who can rewrite those
/// files too.
///
/// One key store per database. Calls are rare (once per open, once per consent write) and may come from any
/// thread. An error thrown here makes the open or the write fail with ``ConsentKitError/storage(detail:)``;
/// nothing is set aside because of it.
public protocol DeviceKeyStore: AnyObject, Sendable {
    /// Makes sure the key exists, creating it if needed. Returns whether it existed before this call: a database
    /// keyed under a key that is gone is verified in full and re-keyed (``RecoveryReason/keyReplaced``).
    func ensureKey() throws -> Bool
    /// HMAC-SHA256 of `data` under the key (32 bytes).
    func mac(_ data: Data) throws -> Data
    /// The latest chain head given to ``storeHead(_:)``, or `nil` if none was stored. It must be kept outside the
    /// database and out of backups: a backup that restores it with an older database defeats rollback detection.
    func loadHead() throws -> String?
    /// Stores the latest chain head (a short text), replacing the previous one; durable before it returns.
    func storeHead(_ head: String) throws
}

/// Adapts the app's ``DeviceKeyStore`` to the generated callback protocol; its errors become the core's error.
final class DeviceKeyAdapter: ConsentKitGenerated.DeviceKeyStore, Sendable {
    private let store: any DeviceKeyStore

    init(_ store: any DeviceKeyStore) {
        self.store = store
    }

    func ensureKey() throws -> Bool {
        try guarded { try store.ensureKey() }
    }

    func mac(data: Data) throws -> Data {
        try guarded { try store.mac(data) }
    }

    func loadHead() throws -> String? {
        try guarded { try store.loadHead() }
    }

    func storeHead(head: String) throws {
        try guarded { try store.storeHead(head) }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConsentKitGenerated.DeviceKeyError {
            throw error
        } catch {
            throw ConsentKitGenerated.DeviceKeyError.Failed(detail: String(describing: error))
        }
    }
}
