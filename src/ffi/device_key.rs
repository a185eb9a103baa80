//! The foreign device key: the platform's key store (Android Keystore, iOS Keychain with a `ThisDeviceOnly`
//! accessibility) authenticating the consent database for the core (docs/adr/0007-keyed-integrity.md).

use std::sync::Arc;

use crate::error::{CoreError, CoreResult};
use crate::integrity::{DeviceKey, KeyStatus};

/// A key store's failure: open fails with a `Storage` error (nothing is set aside because of it).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DeviceKeyError {
    /// The key store failed.
    #[error("device key store failed: {detail}")]
    Failed {
        /// What it said.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for DeviceKeyError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        DeviceKeyError::Failed { detail: e.reason }
    }
}

/// What an app's platform layer implements so the database is authenticated with a key the file does not contain.
/// Without it, `open` uses a key file and a head file next to the database (or in `OpenOptions.integrityDir`).
/// One key per database; calls are rare (once per open, once per consent write) and may come from any thread.
#[uniffi::export(with_foreign)]
pub trait DeviceKeyStore: Send + Sync {
    /// Makes sure the key exists, creating it if needed (e.g. an HMAC-SHA256 key in the Android Keystore, or 32
    /// random bytes in the Keychain with `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`). Returns whether it
    /// existed before this call: a database keyed under a key that is gone is verified in full and re-keyed.
    fn ensure_key(&self) -> Result<bool, DeviceKeyError>;
    /// HMAC-SHA256 of `data` under the key (32 bytes).
    fn mac(&self, data: Vec<u8>) -> Result<Vec<u8>, DeviceKeyError>;
    /// The latest chain head stored with [`DeviceKeyStore::store_head`], if any (kept outside the database, in the
    /// same store, never backed up).
    fn load_head(&self) -> Result<Option<String>, DeviceKeyError>;
    /// Stores the latest chain head (a short text) outside the database.
    fn store_head(&self, head: String) -> Result<(), DeviceKeyError>;
}

/// Adapts a foreign key store to the core's [`DeviceKey`].
pub(crate) struct DeviceKeyBridge(pub Arc<dyn DeviceKeyStore>);

fn failed(e: DeviceKeyError) -> CoreError {
    CoreError::Storage(e.to_string())
}

impl DeviceKey for DeviceKeyBridge {
    fn open(&self) -> CoreResult<KeyStatus> {
        Ok(if self.0.ensure_key().map_err(failed)? { KeyStatus::Existing } else { KeyStatus::Created })
    }
    fn mac(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        self.0.mac(data.to_vec()).map_err(failed)
    }
    fn load_head(&self) -> CoreResult<Option<String>> {
        self.0.load_head().map_err(failed)
    }
    fn store_head(&self, head: &str) -> CoreResult<()> {
        self.0.store_head(head.to_string()).map_err(failed)
    }
}
