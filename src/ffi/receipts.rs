//! The receipts surface (docs/receipts.md): the foreign receipt key store, the batch record, and the
//! `pending_receipts` / `acknowledge_receipts` pair on `ConsentKit`. Thin: the work is in `crate::receipts`.

use std::sync::Arc;

use super::device_key::DeviceKeyError;
use super::{guard, ConsentKit, Res};
use crate::error::{CoreError, CoreResult};
use crate::receipts::{self, KeyFileSigner, ReceiptSigner};

/// What an app's platform layer implements to sign consent receipts with a per-install P-256 key pair it holds:
/// the Android Keystore (`KeyProperties.KEY_ALGORITHM_EC`, `secp256r1`, `SHA256withECDSA`) or the iOS Secure
/// Enclave / Keychain (`SecKeyCreateRandomKey`, `.ecdsaSignatureMessageX962SHA256`). Called only from
/// `pending_receipts_with_key`, never on a consent write.
#[uniffi::export(with_foreign)]
pub trait ReceiptKeyStore: Send + Sync {
    /// The public key, SEC1 uncompressed (65 bytes: `04 ‖ x ‖ y`; Android: the last 65 bytes of
    /// `publicKey.encoded`; iOS: `SecKeyCopyExternalRepresentation`). Creates the key pair on first use.
    fn public_key(&self) -> Result<Vec<u8>, DeviceKeyError>;
    /// ECDSA P-256 / SHA-256 signature over `data` (the platform hashes it): DER or raw `r ‖ s`.
    fn sign(&self, data: Vec<u8>) -> Result<Vec<u8>, DeviceKeyError>;
}

/// The next batch of signed receipts for the app to upload (docs/receipts.md).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptBatch {
    /// The random install id the receipts carry (never a hardware or advertising id).
    pub install_id: String,
    /// The request body to POST to the receiver's `/v1/receipts` (JSON, `application/json`).
    pub body: String,
    /// Number of receipts in it (0: nothing to send).
    pub count: u32,
    /// Pass this to `acknowledge_receipts` once the receiver answered 2xx.
    pub up_to: i64,
}

struct KeyStoreBridge(Arc<dyn ReceiptKeyStore>);

fn failed(e: DeviceKeyError) -> CoreError {
    CoreError::Storage(format!("receipt key store: {e}"))
}

impl ReceiptSigner for KeyStoreBridge {
    fn public_key(&self) -> CoreResult<Vec<u8>> {
        self.0.public_key().map_err(failed)
    }
    fn sign(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        self.0.sign(data.to_vec()).map_err(failed)
    }
}

impl ConsentKit {
    fn pending_with(&self, max: u32, signer: &dyn ReceiptSigner) -> Res<ReceiptBatch> {
        self.engine.check_open()?;
        let p = receipts::pending(&self.engine, signer, max)?;
        Ok(ReceiptBatch { install_id: p.batch.install_id, body: p.json, count: p.batch.receipts.len() as u32, up_to: p.up_to })
    }
}

#[uniffi::export]
impl ConsentKit {
    /// The next at most `max` (1...500) signed consent receipts not yet acknowledged, signed with the key file
    /// `<db>.receipt-key` beside the database (JVM, Linux, tests; apps pass their platform key store to
    /// `pending_receipts_with_key`). Calling it again before `acknowledge_receipts` returns the same receipts.
    pub fn pending_receipts(&self, max: u32) -> Res<ReceiptBatch> {
        guard::guard(|| {
            let path = self.engine.with_store(|store, _| Ok(store.path().to_path_buf()))?;
            self.pending_with(max, &KeyFileSigner::for_database(&path, None))
        })
    }

    /// [`ConsentKit::pending_receipts`] signed by the platform's key store. Use one key store per install, always
    /// the same: the receiver binds the install id to the first public key it saw.
    pub fn pending_receipts_with_key(&self, max: u32, key_store: Arc<dyn ReceiptKeyStore>) -> Res<ReceiptBatch> {
        guard::guard(|| self.pending_with(max, &KeyStoreBridge(key_store)))
    }

    /// Marks the receipts up to `up_to` (a batch's `up_to`) as delivered. Idempotent: an older or repeated
    /// acknowledgement changes nothing; a sequence beyond the last consent record is `InvalidArgument`.
    pub fn acknowledge_receipts(&self, up_to: i64) -> Res<()> {
        guard::guard(|| {
            self.engine.check_open()?;
            Ok(receipts::acknowledge(&self.engine, up_to)?)
        })
    }
}
