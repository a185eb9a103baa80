import Foundation
internal import ConsentKitGenerated

/// The next batch of signed consent receipts for the app to upload (docs/receipts.md), as
/// ``ConsentStore/pendingReceipts(max:keyStore:)`` returns it. It exists so the operator's server can prove what this
/// install consented to while ConsentKit itself never opens a network connection: the app POSTs ``body`` with
/// `URLSession` and, once the receiver answered 2xx, calls ``ConsentStore/acknowledgeReceipts(upTo:)``.
public struct PendingReceipts: Sendable, Equatable {
    /// The random install id the receipts carry (never a hardware or advertising id).
    public let installId: String
    /// The request body for the receiver's `POST /v1/receipts` (`Content-Type: application/json`).
    public let body: String
    /// Receipts in the batch; 0 means there is nothing to send.
    public let count: Int
    /// Pass to ``ConsentStore/acknowledgeReceipts(upTo:)`` after a 2xx answer.
    public let upTo: Int64
}

/// A per-install P-256 key pair that signs receipts, held by the platform: on iOS a Secure Enclave key
/// (`SecKeyCreateRandomKey` with `kSecAttrTokenIDSecureEnclave`) or a Keychain key with
/// `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`. Without one, receipts are signed with a key file beside the
/// database, which protects nothing against someone who can read the app's files.
public protocol ReceiptKeyStore: AnyObject, Sendable {
    /// The public key as a SEC1 uncompressed point (65 bytes: `SecKeyCopyExternalRepresentation` of the public key).
    func publicKey() throws -> Data
    /// ECDSA P-256 / SHA-256 over `data`: `SecKeyCreateSignature(key, .ecdsaSignatureMessageX962SHA256, data)`
    /// (DER), or raw r‖s.
    func sign(_ data: Data) throws -> Data
}

/// Adapts the app's ``ReceiptKeyStore`` to the generated callback protocol; its errors become the core's error.
final class ReceiptKeyAdapter: ConsentKitGenerated.ReceiptKeyStore, Sendable {
    private let store: any ReceiptKeyStore

    init(_ store: any ReceiptKeyStore) {
        self.store = store
    }

    func publicKey() throws -> Data {
        try guarded { try store.publicKey() }
    }

    func sign(data: Data) throws -> Data {
        try guarded { try store.sign(data) }
    }
}

/// Signed consent receipts: the pending / acknowledge pair.
extension ConsentStore {
    /// The next at most `max` (1...500) signed receipts not yet acknowledged; the same ones again until
    /// ``acknowledgeReceipts(upTo:)``. Signs on a background queue, never the caller's thread.
    ///
    /// - Throws: ``ConsentKitError/invalidArgument(detail:)`` for `max` < 1, ``ConsentKitError/storage(detail:)``
    ///   when the key store fails or returns a signature that does not verify, ``ConsentKitError/closed``.
    public func pendingReceipts(max: Int = 200, keyStore: (any ReceiptKeyStore)? = nil) async throws -> PendingReceipts {
        try checkOpen()
        let n = UInt32(clamping: max)
        return try await receiptsCall {
            let batch = try keyStore.map { try self.core.pendingReceiptsWithKey(max: n, keyStore: ReceiptKeyAdapter($0)) }
                ?? self.core.pendingReceipts(max: n)
            return PendingReceipts(installId: batch.installId, body: batch.body, count: Int(batch.count), upTo: batch.upTo)
        }
    }

    /// Marks the receipts up to `upTo` (a batch's ``PendingReceipts/upTo``) as delivered. Idempotent: an older or
    /// repeated value changes nothing.
    ///
    /// - Throws: ``ConsentKitError/invalidArgument(detail:)`` when `upTo` is beyond the last consent record.
    public func acknowledgeReceipts(upTo: Int64) async throws {
        try checkOpen()
        try await receiptsCall { try self.core.acknowledgeReceipts(upTo: upTo) }
    }

    private func receiptsCall<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try mapped(body) })
            }
        }
    }
}
